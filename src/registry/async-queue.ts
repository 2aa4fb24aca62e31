/**
 * An unbounded-until-`limit` push queue consumed as an AsyncIterable. Used to turn change
 * callbacks into a watch stream; a consumer that falls `limit` events behind is failed rather
 * than letting memory grow without bound.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  #items: T[] = [];
  #waiting: ((result: IteratorResult<T>) => void) | undefined;
  #waitingReject: ((err: unknown) => void) | undefined;
  #done = false;
  #error: Error | undefined;
  readonly #limit: number;

  constructor(limit = 100_000) {
    this.#limit = limit;
  }

  push(item: T): void {
    if (this.#done) return;
    const resolve = this.#waiting;
    if (resolve) {
      this.#waiting = undefined;
      this.#waitingReject = undefined;
      resolve({ value: item, done: false });
      return;
    }
    if (this.#items.length >= this.#limit) {
      this.fail(new Error(`watch consumer fell more than ${this.#limit} events behind`));
      return;
    }
    this.#items.push(item);
  }

  /** Ends the stream after the items already queued. */
  end(): void {
    this.#done = true;
    const resolve = this.#waiting;
    if (resolve && this.#items.length === 0) {
      this.#waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with an error, dropping queued items. */
  fail(err: unknown): void {
    this.#done = true;
    this.#error = err instanceof Error ? err : new Error(String(err));
    this.#items = [];
    const reject = this.#waitingReject;
    this.#waiting = undefined;
    this.#waitingReject = undefined;
    reject?.(this.#error);
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#error !== undefined) return Promise.reject(this.#error);
        if (this.#items.length > 0) return Promise.resolve({ value: this.#items.shift() as T, done: false });
        if (this.#done) return Promise.resolve({ value: undefined, done: true });
        return new Promise<IteratorResult<T>>((resolve, reject) => {
          this.#waiting = resolve;
          this.#waitingReject = reject;
        });
      },
      return: () => {
        this.end();
        this.#items = [];
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
