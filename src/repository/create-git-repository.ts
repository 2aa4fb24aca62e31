/**
 * Wiring of a GitRepository: where its mirror lives, which queue serializes it, and the
 * registered branch's existence (created on request, porch.md §4).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';

import { NotFoundError } from '../apimachinery/index.js';
import { GitMirror, RepositoryQueue } from '../git/index.js';
import type { GitCredentials } from '../git/index.js';

import { DEFAULT_AUTHOR, heads } from './git-layout.js';
import { GitRepository } from './git-repository.js';
import { leasedWrite, sig } from './leased-write.js';

export interface GitRepositoryOptions {
  /** Lading's data dir; the mirror lives in `<dataDir>/git/<hash of url>`. */
  dataDir: string;
  url: string;
  /** Registered branch (default `main`). */
  branch?: string;
  /** `spec.git.directory`: packages live below it (default the root). */
  directory?: string;
  credentials?: GitCredentials;
  /** Create a missing branch with Porch's initial commit instead of failing (porch.md §4). */
  createBranch?: boolean;
  /**
   * Serializes writes per mirror. Defaults to one queue shared by every GitRepository of this
   * process, because two instances for the same URL share one mirror directory.
   */
  queue?: RepositoryQueue;
  /** Retry backoff unit in ms (default 200, as Porch); tests may shorten it. */
  retryBackoffMs?: number;
}

const sharedQueue = new RepositoryQueue();

/** Opens (or creates) the mirror, fetches, and makes sure the registered branch exists. */
export async function createGitRepository(
  options: GitRepositoryOptions,
  signal?: AbortSignal,
): Promise<GitRepository> {
  const url = options.url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  const key = createHash('sha256').update(url).digest('hex').slice(0, 24);
  const dir = path.join(options.dataDir, 'git', key);
  const mirror = await GitMirror.open(dir, options.url, {
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(signal === undefined ? {} : { signal }),
  });
  const queue = options.queue ?? sharedQueue;
  const directory = (options.directory ?? '').replace(/^\/+|\/+$/g, '');
  const repo = new GitRepository(
    mirror,
    { branch: options.branch ?? 'main', directory },
    queue,
    options.retryBackoffMs ?? 200,
  );
  try {
    // A process killed while updating refs leaves their locks behind; nothing can hold them now.
    await queue.withLock(dir, () => mirror.removeStaleLocks(), signal === undefined ? {} : { signal });
    await ensureBranch(mirror, queue, repo.config.branch, options.createBranch === true, signal);
  } catch (err) {
    await mirror.close();
    throw err;
  }
  return repo;
}

/** Fails unless the branch exists; with `create`, pushes Porch's initial commit (porch.md §4). */
async function ensureBranch(
  mirror: GitMirror,
  queue: RepositoryQueue,
  branch: string,
  create: boolean,
  signal?: AbortSignal,
): Promise<void> {
  await leasedWrite({ mirror, queue, backoffMs: 200, signal }, async (refs) => {
    if (refs.has(heads(branch))) return { updates: [], result: undefined };
    if (!create) {
      throw new NotFoundError(
        { resource: 'branches', name: branch },
        {
          message: `branch "${branch}" not found in git repository ${mirror.url}; create it or set \`spec.git.createBranch\``,
        },
      );
    }
    const tree = await mirror.writeTree(
      undefined,
      { 'README.md': Buffer.from('Created by porch') },
      sig(signal),
    );
    const commit = mirror.commitTree({
      tree,
      message: 'Initial commit: Creating main branch',
      author: DEFAULT_AUTHOR,
      ...sig(signal),
    });
    return {
      updates: [{ ref: heads(branch), newOid: commit, expectedRemoteOid: null }],
      result: undefined,
    };
  });
}
