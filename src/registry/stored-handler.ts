/** The ResourceHandler of a stored kind: the verbs over the object store. */
import type { ResourceHandler } from './handler.js';
import type { KindDefinition } from './kind.js';
import { deleteCollection, deleteObject } from './stored-deletes.js';
import { StoredKind, type StoredHandlerDeps } from './stored-kind.js';
import { getObject, listObjects, watchObjects } from './stored-reads.js';
import { createObject, patchObject, updateObject } from './stored-writes.js';

export function createStoredHandler(
  kind: KindDefinition,
  version: string,
  deps: StoredHandlerDeps,
): ResourceHandler {
  const ctx = new StoredKind(kind, version, deps);
  return {
    get: (namespace, name) => getObject(ctx, namespace, name),
    list: (namespace, request) => listObjects(ctx, namespace, request),
    watch: (namespace, request, signal) => watchObjects(ctx, namespace, request, signal),
    create: (namespace, object, request) => createObject(ctx, namespace, object, request),
    update: (namespace, name, object, request) => updateObject(ctx, namespace, name, object, request),
    patch: (namespace, name, type, patch, request) => patchObject(ctx, namespace, name, type, patch, request),
    delete: (namespace, name, options, request) => deleteObject(ctx, namespace, name, options, request),
    deleteCollection: (namespace, list, options, request) =>
      deleteCollection(ctx, namespace, list, options, request),
  };
}

/** Handlers per served kind and version, created on first use and dropped when the kind changes. */
export class Handlers {
  #cache = new WeakMap<KindDefinition, Map<string, ResourceHandler>>();

  constructor(private readonly deps: StoredHandlerDeps) {}

  for(kind: KindDefinition, version: string): ResourceHandler {
    let byVersion = this.#cache.get(kind);
    if (!byVersion) this.#cache.set(kind, (byVersion = new Map<string, ResourceHandler>()));
    let handler = byVersion.get(version);
    if (!handler) byVersion.set(version, (handler = createStoredHandler(kind, version, this.deps)));
    return handler;
  }
}
