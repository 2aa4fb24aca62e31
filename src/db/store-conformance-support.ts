/** Helpers of the Store conformance suite (see store.conformance.ts). */
import type { ApiError, KubeObject } from '../apimachinery/index.js';
import type { Change, ObjectKey, Store } from './store.js';

export const WIDGETS = 'widgets.example.com';

export function key(name: string, namespace = 'default', resource = WIDGETS): ObjectKey {
  return { resource, namespace, name };
}

export function widget(name: string, namespace = 'default', spec: Record<string, unknown> = {}): KubeObject {
  const metadata = namespace === '' ? { name } : { name, namespace };
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec };
}

export function parse(json: string): KubeObject {
  return JSON.parse(json) as KubeObject;
}

export function names(items: readonly { key: ObjectKey }[]): string[] {
  return items.map((item) =>
    item.key.namespace === '' ? item.key.name : `${item.key.namespace}/${item.key.name}`,
  );
}

/** Polls `condition` until it holds (fails the test after `timeoutMs`). */
export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Subscribes and records every delivered change, checking rv order across batches. */
export function record(store: Store): { changes: Change[]; stop: () => void } {
  const changes: Change[] = [];
  const stop = store.subscribe((batch) => {
    for (const change of batch) {
      const last = changes.at(-1);
      if (last !== undefined && change.rv <= last.rv) throw new Error(`rv ${change.rv} after ${last.rv}`);
      changes.push(change);
    }
  });
  return { changes, stop };
}

export async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the promise to reject');
}
