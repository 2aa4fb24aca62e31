/**
 * The object store: every stored kind lives here as JSON, keyed by group-resource, namespace and
 * name. One monotonic resourceVersion sequence covers all objects; every write appends to a change
 * feed (with the object before the write) that drives watch and consistent paging.
 *
 * Implementations: SqliteStore (embedded default) and PostgresStore. Both pass one conformance
 * suite (`store.conformance.ts`). All methods are safe to call concurrently.
 */
import type { GoneError, KubeObject } from '../apimachinery/index.js';

export interface ObjectKey {
  /** Group-resource, e.g. `configmaps` (core group) or `widgets.example.com`. Opaque to the store. */
  resource: string;
  /** `''` for cluster-scoped objects. */
  namespace: string;
  name: string;
}

/** A stored object. `json` is the serialized object with `metadata.resourceVersion` = `String(rv)`. */
export interface StoredObject {
  key: ObjectKey;
  rv: number;
  json: string;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the change feed. */
export interface Change {
  rv: number;
  type: ChangeType;
  key: ObjectKey;
  /** The object after the write; for DELETED, the object as deleted, carrying the deletion's rv. */
  json: string;
  /** The object before the write (null for ADDED). */
  prevJson: string | null;
}

export interface ListQuery {
  resource: string;
  /** Restrict to one namespace; omitted = all namespaces (and cluster-scoped objects). */
  namespace?: string;
  /** Return only keys strictly after this (namespace, name), in (namespace, name) order. */
  after?: { namespace: string; name: string };
  /** Maximum rows to return; omitted = all. */
  limit?: number;
  /**
   * Read the state as of this resourceVersion (for paging over a consistent snapshot). Objects
   * changed after it are returned as they were at it (from the change feed's `prevJson`); objects
   * created after it are left out; objects deleted after it are included.
   * Throws GoneError if the change feed no longer reaches back to it.
   */
  atRv?: number;
}

export interface ListResult {
  items: StoredObject[];
  /** The resourceVersion the list reflects: `atRv` when given, else the store's current one. */
  rv: number;
}

export interface WriteOptions {
  /** Fail with ConflictError unless the stored object has this resourceVersion. */
  expectedRv?: number;
}

export type ChangeListener = (changes: readonly Change[]) => void;

export interface Store {
  /** Inserts a new object; sets `metadata.resourceVersion`. Throws AlreadyExistsError. */
  create(key: ObjectKey, object: KubeObject): Promise<StoredObject>;
  /** Replaces an object; sets `metadata.resourceVersion`. Throws NotFoundError, ConflictError. */
  update(key: ObjectKey, object: KubeObject, options?: WriteOptions): Promise<StoredObject>;
  /**
   * Removes an object. `finalObject`, when given, is what the DELETED event carries (else the
   * stored object); either way its `metadata.resourceVersion` is the deletion's rv.
   * Throws NotFoundError, ConflictError.
   */
  delete(key: ObjectKey, options?: WriteOptions & { finalObject?: KubeObject }): Promise<StoredObject>;
  get(key: ObjectKey): Promise<StoredObject | undefined>;
  /** Rows in (namespace, name) order. */
  list(query: ListQuery): Promise<ListResult>;
  /** Counts objects of a resource (in a namespace); for `remainingItemCount` and metrics. */
  count(resource: string, namespace?: string): Promise<number>;
  /** The latest resourceVersion written (0 for an empty store). */
  currentRv(): Promise<number>;
  /** The oldest resourceVersion a watch may start from (changes after it are all retained). */
  oldestRv(): Promise<number>;
  /**
   * Changes with rv > `fromRv`, in rv order, at most `limit`.
   * Throws GoneError if changes after `fromRv` were already compacted.
   */
  changesSince(fromRv: number, limit?: number): Promise<Change[]>;
  /**
   * Calls `listener` with every change committed from now on, by this process or (PostgreSQL)
   * any other process on the same database, in rv order, exactly once each. Returns unsubscribe.
   * If changes are lost before delivery (the feed fell behind past a compaction, e.g. after a long
   * database outage), `onError` gets a GoneError and the subscription ends: re-list and resubscribe.
   * Listeners must not throw (a throw is reported as a process warning) and must not block.
   */
  subscribe(listener: ChangeListener, onError?: (error: GoneError) => void): () => void;
  /** Keys of objects whose `metadata.ownerReferences` name this uid. */
  dependents(ownerUid: string): Promise<ObjectKey[]>;
  /** Drops change-feed entries older than `olderThanMs` milliseconds (keeps the newest one). */
  compact(olderThanMs: number): Promise<void>;
  close(): Promise<void>;
}

/** How a store is opened: from `--database-url` (or the SQLite default in the data dir). */
export interface StoreOptions {
  /** `postgres://…`/`postgresql://…`, or `sqlite:<path>` / a plain file path for SQLite. */
  url: string;
}

/** Leader election over the store: PostgreSQL advisory lock; SQLite: always the leader. */
export interface LeaderElector {
  /**
   * Calls `onChange(true)` once this process holds the lock named `name`, and `onChange(false)`
   * if it loses it (connection lost) or stops while leading. Keeps trying until stopped. Returns
   * stop (releases the lock). `onChange` is never called synchronously from `campaign`.
   */
  campaign(name: string, onChange: (leading: boolean) => void): () => Promise<void>;
}
