/** The store's errors, built from the apimachinery classes with the store's wording. */
import {
  AlreadyExistsError,
  ApiError,
  ConflictError,
  GoneError,
  InternalError,
  NotFoundError,
  type ResourceRef,
} from '../apimachinery/index.js';
import type { ObjectKey } from './store.js';

/** `plural.group` → `{resource: plural, group}`; the core group has no dot. */
export function resourceRef(key: ObjectKey): ResourceRef {
  const dot = key.resource.indexOf('.');
  if (dot < 0) return { resource: key.resource, name: key.name };
  return { resource: key.resource.slice(0, dot), group: key.resource.slice(dot + 1), name: key.name };
}

export function notFound(key: ObjectKey, cause?: unknown): NotFoundError {
  return new NotFoundError(resourceRef(key), cause === undefined ? {} : { cause });
}

export function alreadyExists(key: ObjectKey, cause?: unknown): AlreadyExistsError {
  return new AlreadyExistsError(resourceRef(key), cause === undefined ? {} : { cause });
}

/** The stored object has another resourceVersion than the writer expected. */
export function conflict(key: ObjectKey, cause?: unknown): ConflictError {
  return new ConflictError(resourceRef(key), undefined, cause === undefined ? {} : { cause });
}

/** A watch, change read or snapshot list reaches back past the compacted part of the feed. */
export function tooOld(rv: number, oldest: number): GoneError {
  return new GoneError(`too old resource version: ${rv} (${oldest})`);
}

export function closedStore(): InternalError {
  return new InternalError('the object store is closed; the server is shutting down');
}

/** Passes ApiErrors through; wraps anything else as an InternalError naming the operation. */
export function storeFailure(operation: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(`object store: ${operation} failed: ${message}`, { cause: err });
}

/** Reports a problem nobody is waiting for (a background read, a listener bug) without crashing. */
export function storeWarning(message: string, err: unknown): void {
  const detail = err instanceof Error ? err.message : String(err);
  process.emitWarning(`lading object store: ${message}: ${detail}`, 'LadingStoreWarning');
}
