/**
 * What the API server calls for every verb on a kind. Stored kinds are served by
 * `createStoredHandler` (object store); package kinds by the engine, wired in `server/`.
 */
import type { DeleteOptions, KubeObject } from '../apimachinery/index.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Per-request options of writes. */
export interface WriteRequest {
  dryRun?: boolean;
  /** `fieldManager`; defaults to the client's user agent, as Kubernetes does. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
  /** Warnings to return to the client (`Warning: 299 - "…"` headers); handlers append. */
  warnings?: string[];
  signal?: AbortSignal;
}

export interface ListRequest {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

/** A list as raw JSON items, so the server can stream stored JSON without parsing it. */
export interface RawList {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  /** Each item is one serialized object. */
  items: string[];
}

export interface WatchRequest {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
}

/** A watch event carrying the serialized object (a `Status` for ERROR). */
export interface RawWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  json: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/**
 * `finalize` exists on Namespaces only: it sets `spec.finalizers` and nothing else. `approval` is
 * PackageRevision's lifecycle subresource (served by the engine).
 */
export type Subresource = 'status' | 'finalize' | 'approval';

export interface WriteResult {
  object: KubeObject;
  /** True when the write created the object (201 instead of 200). */
  created: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** False when the object still exists, waiting for finalizers (deletionTimestamp set). */
  deleted: boolean;
}

/**
 * The verbs of one kind. `namespace` is `''` for cluster-scoped kinds and for requests across all
 * namespaces (list/watch only). All methods throw ApiErrors.
 */
export interface ResourceHandler {
  get(namespace: string, name: string, subresource?: Subresource): Promise<KubeObject>;
  list(namespace: string, request: ListRequest): Promise<RawList>;
  /** Streams events until `signal` aborts. Throws GoneError before the first event if too old. */
  watch(namespace: string, request: WatchRequest, signal: AbortSignal): AsyncIterable<RawWatchEvent>;
  create(namespace: string, object: unknown, request: WriteRequest): Promise<KubeObject>;
  update(
    namespace: string,
    name: string,
    object: unknown,
    request: WriteRequest & { subresource?: Subresource },
  ): Promise<WriteResult>;
  patch(
    namespace: string,
    name: string,
    type: PatchType,
    patch: unknown,
    request: WriteRequest & { subresource?: Subresource },
  ): Promise<WriteResult>;
  delete(
    namespace: string,
    name: string,
    options: DeleteOptions,
    request: WriteRequest,
  ): Promise<DeleteResult>;
  deleteCollection(
    namespace: string,
    list: ListRequest,
    options: DeleteOptions,
    request: WriteRequest,
  ): Promise<KubeObject[]>;
}
