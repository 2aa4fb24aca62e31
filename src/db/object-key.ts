/** Checks and copies of object keys, shared by the store backends. */
import { BadRequestError } from '../apimachinery/index.js';
import type { ObjectKey } from './store.js';

export function checkKey(key: ObjectKey): void {
  if (key.resource === '' || key.name === '') {
    throw new BadRequestError(
      `object key must name a resource and an object, got "${key.resource}/${key.name}"`,
    );
  }
}

/** A copy, so callers can't change a key the store holds on to. */
export function copyKey(key: ObjectKey): ObjectKey {
  return { resource: key.resource, namespace: key.namespace, name: key.name };
}
