/**
 * Fans the store's change feed out to in-process consumers: watchers of one resource and
 * whole-feed listeners (garbage collector, CRD registration). One store subscription per process.
 * When the store loses changes before delivering them (PostgreSQL: the feed fell behind past a
 * compaction), the hub follows the feed again from then on and tells `onGone` listeners, who must
 * start over: watchers end with 410 Expired (clients re-list), controllers rescan.
 */
import type { GoneError } from '../apimachinery/index.js';
import type { Change, Store } from '../db/index.js';

type Listener = (change: Change) => void;
type GoneListener = (error: GoneError) => void;

export class ChangeHub {
  #byResource = new Map<string, Set<Listener>>();
  #any = new Set<Listener>();
  #gone = new Set<GoneListener>();
  #latestRv = 0;
  #closed = false;
  readonly #store: Store;
  #unsubscribe: () => void;

  constructor(store: Store, initialRv: number) {
    this.#store = store;
    this.#latestRv = initialRv;
    this.#unsubscribe = this.#subscribe();
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

  /** Called when changes were lost: whatever was built from the feed so far must be rebuilt. */
  onGone(listener: GoneListener): () => void {
    this.#gone.add(listener);
    return () => this.#gone.delete(listener);
  }

  close(): void {
    this.#closed = true;
    this.#unsubscribe();
    this.#byResource.clear();
    this.#any.clear();
    this.#gone.clear();
  }

  #subscribe(): () => void {
    return this.#store.subscribe(
      (changes) => {
        for (const change of changes) this.#dispatch(change);
      },
      (error) => {
        // The store ended the subscription: follow the feed again, then let consumers start over.
        if (this.#closed) return;
        this.#unsubscribe = this.#subscribe();
        for (const listener of [...this.#gone]) listener(error);
      },
    );
  }

  #dispatch(change: Change): void {
    if (change.rv > this.#latestRv) this.#latestRv = change.rv;
    for (const listener of this.#byResource.get(change.key.resource) ?? []) listener(change);
    for (const listener of this.#any) listener(change);
  }
}
