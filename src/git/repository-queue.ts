import { abortReason } from './errors.js';

/**
 * Runs operations one at a time per key (a mirror directory, a repository name) while different
 * keys proceed in parallel. A failed or aborted operation does not block the ones queued after it.
 */
export class RepositoryQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * Runs `fn` after every operation queued earlier for `key` has settled. If `signal` aborts
   * while waiting, rejects with its reason and `fn` never runs; once `fn` runs, the signal is its
   * business.
   */
  async withLock<T>(key: string, fn: () => Promise<T>, options: { signal?: AbortSignal } = {}): Promise<T> {
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    try {
      await waitOrAbort(previous, signal);
      return await fn();
    } finally {
      release();
      // Forget the key once our turn has fully passed and nothing is queued behind us, so the map
      // does not grow without bound. (After an abort, `previous` may still be running.)
      void tail.then(() => {
        if (this.tails.get(key) === tail) this.tails.delete(key);
      });
    }
  }

  /** Number of keys with an operation running or queued (for metrics and tests). */
  get activeKeys(): number {
    return this.tails.size;
  }
}

function waitOrAbort(previous: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return previous;
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void previous.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}
