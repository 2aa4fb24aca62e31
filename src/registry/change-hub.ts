/**
 * Fans the store's change feed out to in-process consumers: watchers of one resource and
 * whole-feed listeners (garbage collector, CRD registration). One store subscription per process.
 */
import type { Change, Store } from '../db/index.js';

type Listener = (change: Change) => void;

export class ChangeHub {
  #byResource = new Map<string, Set<Listener>>();
  #any = new Set<Listener>();
  #latestRv = 0;
  readonly #unsubscribe: () => void;

  constructor(store: Store, initialRv: number) {
    this.#latestRv = initialRv;
    this.#unsubscribe = store.subscribe((changes) => {
      for (const change of changes) this.#dispatch(change);
    });
  }

  /** The newest resourceVersion this process has seen committed. */
  get latestRv(): number {
    return this.#latestRv;
  }

  onResource(resource: string, listener: Listener): () => void {
    let set = this.#byResource.get(resource);
    if (!set) this.#byResource.set(resource, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#byResource.delete(resource);
    };
  }

  onAny(listener: Listener): () => void {
    this.#any.add(listener);
    return () => this.#any.delete(listener);
  }

  close(): void {
    this.#unsubscribe();
    this.#byResource.clear();
    this.#any.clear();
  }

  #dispatch(change: Change): void {
    if (change.rv > this.#latestRv) this.#latestRv = change.rv;
    for (const listener of this.#byResource.get(change.key.resource) ?? []) listener(change);
    for (const listener of this.#any) listener(change);
  }
}
