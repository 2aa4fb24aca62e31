/**
 * What the stored-kind verbs share: the kind, the version served, the store key of an object,
 * and conversion between the served version and the storage version (CRDs with several versions
 * use conversion strategy None: only `apiVersion` changes).
 */
import { apiVersionOf, type KubeObject } from '../apimachinery/index.js';
import type { ObjectKey, Store, StoredObject } from '../db/index.js';
import type { ChangeHub } from './change-hub.js';
import { groupResource, type KindDefinition } from './kind.js';

export interface StoredHandlerDeps {
  store: Store;
  hub: ChangeHub;
  /** Interval between watch bookmarks, when a client asks for them. */
  bookmarkIntervalMs?: number;
}

export class StoredKind {
  readonly resource: string;
  readonly apiVersion: string;
  readonly storageApiVersion: string;

  constructor(
    readonly kind: KindDefinition,
    readonly version: string,
    readonly deps: StoredHandlerDeps,
  ) {
    this.resource = groupResource(kind);
    this.apiVersion = apiVersionOf(kind.group, version);
    this.storageApiVersion = apiVersionOf(kind.group, kind.storageVersion ?? kind.versions[0] ?? version);
  }

  get store(): Store {
    return this.deps.store;
  }

  key(namespace: string, name: string): ObjectKey {
    return { resource: this.resource, namespace: this.kind.namespaced ? namespace : '', name };
  }

  ref(name?: string): { group: string; resource: string; name?: string } {
    return name === undefined
      ? { group: this.kind.group, resource: this.kind.names.plural }
      : { group: this.kind.group, resource: this.kind.names.plural, name };
  }

  /** Parses a stored row into the served version. */
  decode(row: Pick<StoredObject, 'json'>): KubeObject {
    const object = JSON.parse(row.json) as KubeObject;
    object.apiVersion = this.apiVersion;
    return object;
  }

  /** A stored row's JSON in the served version, without parsing when no conversion is needed. */
  servedJson(json: string): string {
    if (this.apiVersion === this.storageApiVersion) return json;
    const object = JSON.parse(json) as KubeObject;
    object.apiVersion = this.apiVersion;
    return JSON.stringify(object);
  }

  toStorage(object: KubeObject): KubeObject {
    return object.apiVersion === this.storageApiVersion
      ? object
      : { ...object, apiVersion: this.storageApiVersion };
  }

  toServed(object: KubeObject): KubeObject {
    return object.apiVersion === this.apiVersion ? object : { ...object, apiVersion: this.apiVersion };
  }
}
