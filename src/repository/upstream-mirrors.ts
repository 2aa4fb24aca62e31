/**
 * Packages read straight from a git URL, for `clone` from git (`kpt pkg get` semantics): one bare
 * mirror per URL under `dir` (kept between clones, so cloning a blueprint again only fetches what
 * changed), refreshed before each read, one read at a time per URL.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { BadRequestError } from '../apimachinery/index.js';
import { GitMirror, RepositoryQueue, type GitCredentials } from '../git/index.js';
import { KPTFILE } from '../krm/index.js';

export interface UpstreamRequest {
  /** Remote URL (http(s), ssh, file or a path). */
  repo: string;
  /** A tag, a branch or a commit; default `main`. */
  ref?: string;
  /** Package directory in the repository; default the root. */
  directory?: string;
  credentials?: GitCredentials;
  signal?: AbortSignal;
}

export interface UpstreamPackage {
  /** The commit the ref resolved to (for `upstreamLock.git.commit`). */
  commit: string;
  /** Package files, relative to the package directory. */
  files: Map<string, string>;
}

/** `refs/tags/<ref>`, then `refs/heads/<ref>`, then a commit id, as `kpt pkg get` tries them. */
const CANDIDATES = (ref: string): string[] => [`refs/tags/${ref}`, `refs/heads/${ref}`];

export class UpstreamMirrors {
  readonly #queue = new RepositoryQueue();

  constructor(private readonly dir: string) {}

  async read(request: UpstreamRequest): Promise<UpstreamPackage> {
    const ref = request.ref || 'main';
    const directory = (request.directory ?? '').replace(/^\/+|\/+$/g, '');
    const key = createHash('sha256').update(request.repo).digest('hex').slice(0, 24);
    return this.#queue.withLock(
      key,
      async () => {
        const mirror = await GitMirror.open(
          path.join(this.dir, `${key}.git`),
          request.repo,
          request.credentials ? { credentials: request.credentials } : {},
        );
        try {
          await mirror.fetch(request.signal ? { signal: request.signal } : {});
          const commit = await resolveCommit(mirror, ref, request.signal);
          if (!commit) {
            throw new BadRequestError(
              `ref "${ref}" is neither a tag, a branch nor a commit of ${mirror.url}`,
            );
          }
          const options = {
            ...(directory ? { directory } : {}),
            ...(request.signal ? { signal: request.signal } : {}),
          };
          const kptfile = await mirror.readFile(
            commit,
            directory ? `${directory}/${KPTFILE}` : KPTFILE,
            request.signal,
          );
          if (!kptfile) {
            throw new BadRequestError(
              `${mirror.url}@${ref}: no package at directory "${directory || '/'}" (it has no ${KPTFILE})`,
            );
          }
          const files = await mirror.readFiles(commit, options);
          return { commit, files: new Map([...files].map(([p, data]) => [p, data.toString('utf8')])) };
        } finally {
          await mirror.close();
        }
      },
      request.signal ? { signal: request.signal } : {},
    );
  }
}

async function resolveCommit(
  mirror: GitMirror,
  ref: string,
  signal?: AbortSignal,
): Promise<string | undefined> {
  for (const candidate of CANDIDATES(ref)) {
    const commit = await mirror.commitOf(candidate, signal);
    if (commit) return commit;
  }
  return /^[0-9a-f]{7,64}$/.test(ref) ? mirror.commitOf(ref, signal) : undefined;
}
