/**
 * At most `concurrency` calls run at once; up to `maxQueue` more wait in arrival order; beyond that
 * a call is refused at once (the caller retries or scales out) rather than piling up memory: every
 * waiting call holds its whole ResourceList.
 */

export class LimiterFullError extends Error {
  constructor(
    readonly running: number,
    readonly waiting: number,
  ) {
    super(`${running} calls are running and ${waiting} are waiting`);
    this.name = 'LimiterFullError';
  }
}

export interface CallLimiter {
  /**
   * Waits for a slot and returns its release function (call it exactly once). Throws
   * `LimiterFullError` when the queue is full, or the signal's reason when aborted while waiting.
   */
  acquire(signal?: AbortSignal): Promise<() => void>;
  readonly running: number;
  readonly waiting: number;
}

export function createCallLimiter(concurrency: number, maxQueue: number): CallLimiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!Number.isInteger(maxQueue) || maxQueue < 0) {
    throw new RangeError(`the queue length must be a non-negative integer, got ${maxQueue}`);
  }
  let running = 0;
  const queue: (() => void)[] = [];

  const release = (): void => {
    const next = queue.shift();
    if (next) next();
    else running--;
  };
  const releaseOnce = (): (() => void) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      if (running < concurrency) {
        running++;
        return Promise.resolve(releaseOnce());
      }
      if (queue.length >= maxQueue) return Promise.reject(new LimiterFullError(running, queue.length));
      return new Promise((resolve, reject) => {
        const onAbort = (): void => {
          const at = queue.indexOf(grant);
          if (at >= 0) queue.splice(at, 1);
          reject(signal?.reason as Error);
        };
        // A slot handed over by `release`: `running` stays the same.
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(releaseOnce());
        };
        queue.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
