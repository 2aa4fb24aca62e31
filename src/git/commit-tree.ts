/** Commits with `git commit-tree`: identity and dates through the environment, message on stdin. */
import { assertOid } from './refs.js';
import { runGit } from './run-git.js';
import type { GitEnvironmentOptions } from './run-git.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitTreeOptions {
  tree: string;
  /** Parent commits in order; none for a root commit. */
  parents?: readonly string[];
  /** Stored as given, plus a final newline if missing (no comment stripping, no reflow). */
  message: string;
  author: GitIdentity;
  /** Defaults to the author. */
  committer?: GitIdentity;
  /** Author and committer date (written as UTC); defaults to now. Fix it for reproducible oids. */
  date?: Date;
  signal?: AbortSignal;
}

export async function commitTree(
  options: CommitTreeOptions,
  environment: GitEnvironmentOptions,
): Promise<string> {
  assertOid(options.tree);
  const args = ['commit-tree', options.tree];
  for (const parent of options.parents ?? []) {
    assertOid(parent);
    args.push('-p', parent);
  }
  args.push('-F', '-');
  const committer = options.committer ?? options.author;
  const env: Record<string, string> = {
    ...environment.env,
    GIT_AUTHOR_NAME: identityPart(options.author.name, 'author name'),
    GIT_AUTHOR_EMAIL: identityPart(options.author.email, 'author email'),
    GIT_COMMITTER_NAME: identityPart(committer.name, 'committer name'),
    GIT_COMMITTER_EMAIL: identityPart(committer.email, 'committer email'),
  };
  if (options.date !== undefined) {
    const seconds = Math.floor(options.date.getTime() / 1000);
    if (!Number.isFinite(seconds)) throw new Error('commit date must be a valid Date');
    env.GIT_AUTHOR_DATE = env.GIT_COMMITTER_DATE = `@${seconds} +0000`;
  }
  const message = options.message.endsWith('\n') ? options.message : `${options.message}\n`;
  const { stdout } = await runGit(args, {
    ...environment,
    env,
    input: message,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return stdout.toString('utf8').trim();
}

/** git silently strips `<`, `>` and newlines from identities; refuse them instead of surprising. */
function identityPart(value: string, what: string): string {
  if (/[<>\r\n\0]/.test(value))
    throw new Error(`${what} "${value}" must not contain "<", ">" or line breaks`);
  return value;
}
