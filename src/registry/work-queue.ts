/**
 * A keyed, de-duplicating, sequential work queue for controllers: a key added while queued is
 * processed once; failures are retried with exponential backoff (capped), and logged.
 */
import type { Logger } from 'pino';

export class WorkQueue {
  #pending = new Set<string>();
  #running = false;
  #stopped = false;
  #failures = new Map<string, number>();
  #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly process: (key: string) => Promise<void>,
    private readonly log: Logger,
    private readonly maxDelayMs = 30_000,
  ) {}

  add(key: string): void {
    if (this.#stopped) return;
    this.#pending.add(key);
    if (!this.#running) void this.#drain();
  }

  /** Adds `key` after `delayMs` (for periodic rechecks). */
  addAfter(key: string, delayMs: number): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.#timers.add(timer);
  }

  stop(): void {
    this.#stopped = true;
    this.#pending.clear();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  /** Resolves when nothing is queued or running (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.#running || this.#pending.size > 0) await new Promise((r) => setTimeout(r, 5));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (!this.#stopped && this.#pending.size > 0) {
        const key = this.#pending.values().next().value as string;
        this.#pending.delete(key);
        try {
          await this.process(key);
          this.#failures.delete(key);
        } catch (err) {
          const failures = (this.#failures.get(key) ?? 0) + 1;
          this.#failures.set(key, failures);
          const delay = Math.min(this.maxDelayMs, 100 * 2 ** failures);
          this.log.warn({ err, key, retryInMs: delay }, 'reconcile failed; will retry');
          this.addAfter(key, delay);
        }
        // Reconciles can run entirely on microtasks (SQLite answers at once and delivers changes on
        // a microtask); yield so that a reconcile that keeps re-queuing itself cannot starve I/O.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.#running = false;
    }
  }
}
