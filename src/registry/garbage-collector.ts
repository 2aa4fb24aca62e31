/**
 * Garbage collection by ownerReferences, as Kubernetes does it:
 * - Background: when an owner is gone, its dependents are deleted (or, if they have other live
 *   owners, just lose the reference to it).
 * - Foreground: an owner marked with the `foregroundDeletion` finalizer first has its dependents
 *   deleted (in foreground too); the finalizer is removed when none remain.
 * - Orphan: an owner marked with the `orphan` finalizer has its reference removed from every
 *   dependent, then the finalizer is removed.
 * Runs on the leader only, driven by the change feed; on start and on gaining leadership it scans
 * every kind once for what it missed meanwhile (owners waiting on it, dependents of owners gone).
 */
import type { Logger } from 'pino';
import { NotFoundError, parseApiVersion, type KubeObject } from '../apimachinery/index.js';
import type { Change, ObjectKey, Store } from '../db/index.js';
import type { ChangeHub } from './change-hub.js';
import type { ResourceHandler } from './handler.js';
import type { KindRegistry } from './kinds.js';
import { groupResource } from './kind.js';
import { LeadershipWatch } from './leadership.js';
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER } from './stored-deletes.js';
import type { Handlers } from './stored-handler.js';
import { WorkQueue } from './work-queue.js';

export interface GarbageCollectorDeps {
  store: Store;
  hub: ChangeHub;
  kinds: KindRegistry;
  handlers: Handlers;
  isLeader: () => boolean;
  log: Logger;
}

const MANAGER = { fieldManager: 'lading-garbage-collector' };
const RESYNC = JSON.stringify({ op: 'resync' });

export class GarbageCollector {
  readonly #queue: WorkQueue;
  #unsubscribe: (() => void) | undefined;
  /** uid → key of owners being deleted in the foreground or orphaning, to recheck on changes. */
  #owners = new Map<string, ObjectKey>();
  #leadership: LeadershipWatch | undefined;

  constructor(private readonly deps: GarbageCollectorDeps) {
    this.#queue = new WorkQueue(
      (key) => this.#reconcile(key),
      deps.log.child({ controller: 'garbage-collector' }),
    );
  }

  start(): void {
    const stopChanges = this.deps.hub.onAny((change) => this.#observe(change));
    const stopGone = this.deps.hub.onGone(() => this.#queue.add(RESYNC));
    this.#unsubscribe = () => {
      stopChanges();
      stopGone();
    };
    this.#leadership = new LeadershipWatch(this.deps.isLeader, () => this.#queue.add(RESYNC));
    if (this.deps.isLeader()) this.#queue.add(RESYNC);
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#leadership?.stop();
    this.#queue.stop();
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  #observe(change: Change): void {
    if (!this.deps.isLeader()) return this.#leadership?.skipped();
    const object = JSON.parse(change.json) as KubeObject;
    const uid = object.metadata.uid;
    if (!uid) return;
    if (change.type === 'DELETED') {
      this.#owners.delete(uid);
      this.#queue.add(JSON.stringify({ op: 'owner-gone', uid }));
    } else if (object.metadata.deletionTimestamp) {
      const finalizers = object.metadata.finalizers ?? [];
      if (finalizers.includes(FOREGROUND_FINALIZER) || finalizers.includes(ORPHAN_FINALIZER)) {
        this.#owners.set(uid, change.key);
        this.#queue.add(JSON.stringify({ op: 'owner-deleting', uid }));
      }
    }
    // A dependent changing or going away may unblock an owner deleting in the foreground.
    for (const ref of object.metadata.ownerReferences ?? []) {
      if (this.#owners.has(ref.uid)) this.#queue.add(JSON.stringify({ op: 'owner-deleting', uid: ref.uid }));
    }
  }

  #handler(resource: string): ResourceHandler | undefined {
    const kind = this.deps.kinds.byGroupResource(resource);
    return kind && this.deps.handlers.for(kind, kind.storageVersion ?? kind.versions[0] ?? 'v1');
  }

  async #reconcile(item: string): Promise<void> {
    const { op, uid } = JSON.parse(item) as { op: 'owner-gone' | 'owner-deleting' | 'resync'; uid: string };
    if (op === 'resync') return this.#resync();
    if (op === 'owner-gone') return this.#collectDependents(uid);
    const key = this.#owners.get(uid);
    if (!key) return;
    const row = await this.deps.store.get(key);
    if (!row) return;
    const owner = JSON.parse(row.json) as KubeObject;
    const finalizers = owner.metadata.finalizers ?? [];
    const dependents = await this.deps.store.dependents(uid);
    if (finalizers.includes(ORPHAN_FINALIZER)) {
      for (const dep of dependents) await this.#dropOwnerRef(dep, uid);
      await this.#removeFinalizer(key, ORPHAN_FINALIZER);
    } else if (finalizers.includes(FOREGROUND_FINALIZER)) {
      for (const dep of dependents) {
        // As Kubernetes does, leave dependents already being deleted alone: deleting again would
        // re-add `foregroundDeletion` to one that already finished with it, and loop forever.
        const row = await this.deps.store.get(dep);
        if (!row || (JSON.parse(row.json) as KubeObject).metadata.deletionTimestamp) continue;
        await this.#deleteQuietly(dep, 'Foreground');
      }
      if ((await this.deps.store.dependents(uid)).length === 0)
        await this.#removeFinalizer(key, FOREGROUND_FINALIZER);
    }
  }

  /** Queues the work the change feed would have brought while this process was not collecting. */
  async #resync(): Promise<void> {
    if (!this.deps.isLeader()) return this.#leadership?.skipped();
    const checked = new Set<string>();
    for (const kind of this.deps.kinds.all()) {
      const { items } = await this.deps.store.list({ resource: groupResource(kind) });
      for (const row of items) {
        const object = JSON.parse(row.json) as KubeObject;
        const { uid, deletionTimestamp, finalizers = [], ownerReferences = [] } = object.metadata;
        if (
          uid &&
          deletionTimestamp &&
          (finalizers.includes(FOREGROUND_FINALIZER) || finalizers.includes(ORPHAN_FINALIZER))
        ) {
          this.#owners.set(uid, row.key);
          this.#queue.add(JSON.stringify({ op: 'owner-deleting', uid }));
        }
        for (const ref of ownerReferences) {
          if (checked.has(ref.uid)) continue;
          checked.add(ref.uid);
          if (!(await this.#ownerExists(object, ref)))
            this.#queue.add(JSON.stringify({ op: 'owner-gone', uid: ref.uid }));
        }
      }
    }
  }

  /** The owner is gone: delete dependents that have no other live owner, else drop the reference. */
  async #collectDependents(uid: string): Promise<void> {
    for (const dep of await this.deps.store.dependents(uid)) {
      const row = await this.deps.store.get(dep);
      if (!row) continue;
      const object = JSON.parse(row.json) as KubeObject;
      const others = (object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      const liveOthers = [];
      for (const ref of others) if (await this.#ownerExists(object, ref)) liveOthers.push(ref);
      if (liveOthers.length > 0) await this.#dropOwnerRef(dep, uid);
      else await this.#deleteQuietly(dep, 'Background');
    }
  }

  /** Whether the owner may still exist: an owner of a kind not served is not known to be gone. */
  async #ownerExists(
    dependent: KubeObject,
    ref: { apiVersion: string; kind: string; name: string; uid: string },
  ): Promise<boolean> {
    const { group } = parseApiVersion(ref.apiVersion);
    const kind = this.deps.kinds.byKind(group, ref.kind);
    if (!kind) return true;
    const resource = group === '' ? kind.names.plural : `${kind.names.plural}.${group}`;
    const row = await this.deps.store.get({
      resource,
      namespace: kind.namespaced ? (dependent.metadata.namespace ?? '') : '',
      name: ref.name,
    });
    return row !== undefined && (JSON.parse(row.json) as KubeObject).metadata.uid === ref.uid;
  }

  async #deleteQuietly(key: ObjectKey, policy: 'Background' | 'Foreground'): Promise<void> {
    try {
      await this.#handler(key.resource)?.delete(
        key.namespace,
        key.name,
        { propagationPolicy: policy },
        MANAGER,
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  async #dropOwnerRef(key: ObjectKey, uid: string): Promise<void> {
    const row = await this.deps.store.get(key);
    if (!row) return;
    const refs = (JSON.parse(row.json) as KubeObject).metadata.ownerReferences ?? [];
    const index = refs.findIndex((r) => r.uid === uid);
    if (index < 0) return;
    const patch = [
      { op: 'test', path: `/metadata/ownerReferences/${index}/uid`, value: uid },
      { op: 'remove', path: `/metadata/ownerReferences/${index}` },
    ];
    await this.#handler(key.resource)?.patch(key.namespace, key.name, 'json', patch, MANAGER);
  }

  async #removeFinalizer(key: ObjectKey, finalizer: string): Promise<void> {
    const row = await this.deps.store.get(key);
    if (!row) return;
    const object = JSON.parse(row.json) as KubeObject;
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    const patch = { metadata: { finalizers, resourceVersion: String(row.rv) } };
    await this.#handler(key.resource)?.patch(key.namespace, key.name, 'merge', patch, MANAGER);
  }
}
