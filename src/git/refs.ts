/**
 * Local refs of a mirror on disk: listing with `for-each-ref`, compare-and-swap updates with
 * `update-ref --stdin` (one transaction: all updates apply or none).
 */
import { GitError, GitRefConflictError } from './errors.js';
import { runGit } from './run-git.js';
import type { RunGitOptions } from './run-git.js';

export interface GitRef {
  /** Full name, e.g. `refs/heads/main`, `refs/tags/pkg/v1`. */
  name: string;
  oid: string;
  /** For annotated tags, the object the tag points to. Lightweight tags have none. */
  peeled?: string;
}

export interface LocalRefUpdate {
  ref: string;
  /** null deletes the ref. */
  newOid: string | null;
  /**
   * The value the ref must have now: an oid, null (must not exist), or undefined (no check —
   * only for mirroring a state we know the remote has).
   */
  expectedOldOid?: string | null;
}

export const ZERO_OID = '0000000000000000000000000000000000000000';

/** Throws unless `oid` is a full hex object id (SHA-1 or SHA-256). */
export function assertOid(oid: string): void {
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(oid)) throw new Error(`"${oid}" is not a full object id`);
}

/**
 * Throws unless `name` is a full ref name git accepts (the rules of `git check-ref-format`), so
 * that it can be placed in argv and in `update-ref --stdin` lines safely.
 */
export function assertRefName(name: string): void {
  const bad =
    !name.startsWith('refs/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    // eslint-disable-next-line no-control-regex
    /[\x00-\x20\x7f~^:?*[\\]/.test(name) ||
    name.split('/').some((part) => part === '' || part.startsWith('.') || part.endsWith('.lock'));
  if (bad)
    throw new Error(
      `"${name}" is not a valid full ref name (must start with "refs/", see git check-ref-format)`,
    );
}

/** Every ref of the repository, sorted by name (annotated tags with their peeled commit). */
export async function listRefs(options: RunGitOptions): Promise<GitRef[]> {
  const args = ['for-each-ref', '--format=%(objectname) %(*objectname) %(refname)'];
  const { stdout } = await runGit(args, options);
  const refs: GitRef[] = [];
  for (const line of stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [oid = '', peeled = '', ...rest] = line.split(' ');
    const name = rest.join(' ');
    refs.push(peeled === '' ? { name, oid } : { name, oid, peeled });
  }
  return refs; // for-each-ref lists by refname
}

/**
 * Applies all updates in one transaction. Throws `GitRefConflictError` (nothing changed) when a
 * ref is not at its expected value.
 */
export async function updateRefs(updates: readonly LocalRefUpdate[], options: RunGitOptions): Promise<void> {
  if (updates.length === 0) return;
  const lines = ['start'];
  for (const { ref, newOid, expectedOldOid } of updates) {
    assertRefName(ref);
    if (newOid !== null) assertOid(newOid);
    if (expectedOldOid) assertOid(expectedOldOid);
    const old = expectedOldOid === undefined ? '' : ` ${expectedOldOid ?? ZERO_OID}`;
    lines.push(newOid === null ? `delete ${ref}${old}` : `update ${ref} ${newOid}${old}`);
  }
  lines.push('prepare', 'commit');
  try {
    await runGit(['update-ref', '--stdin'], { ...options, input: `${lines.join('\n')}\n` });
  } catch (err) {
    if (!(err instanceof GitError) || err.failure !== 'exit') throw err;
    const conflict = /cannot lock ref '([^']+)'|unable to resolve reference '?([^':\s]+)/.exec(err.stderr);
    if (conflict === null) throw err;
    const ref = conflict[1] ?? conflict[2] ?? '';
    throw new GitRefConflictError(
      `ref "${ref}" was not at the expected value: ${err.stderr.split('\n')[0] ?? ''}; re-read it and retry`,
      [ref],
      { command: err.command, exitCode: err.exitCode, stderr: err.stderr, cause: err },
    );
  }
}
