/**
 * Fan-out of committed changes to subscribers, shared by both backends. The backend calls
 * `deliver` with batches in rv order, never concurrently; the fan-out hands each batch to every
 * listener subscribed at that moment.
 */
import type { GoneError } from '../apimachinery/index.js';
import { storeWarning } from './store-errors.js';
import type { Change, ChangeListener } from './store.js';

interface Subscription {
  listener: ChangeListener;
  onError: ((error: GoneError) => void) | undefined;
  /** Changes up to this rv were committed before the subscription: they are not delivered to it. */
  afterRv: number;
}

export class ChangeFanout {
  private readonly subscriptions = new Set<Subscription>();
  private subscribed = 0;

  get size(): number {
    return this.subscriptions.size;
  }

  /** Counts subscribe calls: lets a backend tell whether someone subscribed during an await. */
  get generation(): number {
    return this.subscribed;
  }

  /**
   * Adds a listener that gets the changes after `afterRv` (the newest rv the backend knows to be
   * committed, so that "from now on" holds); returns its unsubscribe (idempotent).
   */
  subscribe(listener: ChangeListener, afterRv: number, onError?: (error: GoneError) => void): () => void {
    const subscription: Subscription = { listener, onError, afterRv };
    this.subscribed++;
    this.subscriptions.add(subscription);
    return () => {
      this.subscriptions.delete(subscription);
    };
  }

  /**
   * Calls every listener with `changes`. A listener that throws is a bug in that listener: the
   * error is reported as a process warning and the others still get the batch.
   */
  deliver(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    for (const subscription of [...this.subscriptions]) {
      // A listener unsubscribed by an earlier one during this batch gets nothing more.
      if (!this.subscriptions.has(subscription)) continue;
      const first = changes[0] as Change;
      const batch =
        first.rv > subscription.afterRv ? changes : changes.filter((c) => c.rv > subscription.afterRv);
      if (batch.length === 0) continue;
      try {
        subscription.listener(batch);
      } catch (err) {
        storeWarning('a change listener threw', err);
      }
    }
  }

  /**
   * Changes were lost to compaction before they could be delivered (the feed fell too far behind).
   * Subscribers with an error callback get `error` and are removed (they must re-list); the others
   * keep receiving and the loss is reported as a process warning.
   */
  fail(error: GoneError): void {
    let unnotified = 0;
    for (const subscription of [...this.subscriptions]) {
      if (subscription.onError === undefined) {
        unnotified++;
        continue;
      }
      this.subscriptions.delete(subscription);
      try {
        subscription.onError(error);
      } catch (err) {
        storeWarning('a change listener error callback threw', err);
      }
    }
    if (unnotified > 0) storeWarning(`${unnotified} change listener(s) missed changes`, error);
  }

  clear(): void {
    this.subscriptions.clear();
  }
}
