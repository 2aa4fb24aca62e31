/**
 * Serves the kinds CRDs define: registers a kind when its CRD is written (on every replica, from
 * the change feed, and at once on the replica that took the write), unregisters it when the CRD is
 * gone. The leader also writes the CRD's status (NamesAccepted, Established) and, when a CRD is
 * deleted, deletes its objects (honouring their finalizers) and releases the cleanup finalizer once
 * none remain. On gaining leadership it syncs every CRD again, for what it ignored meanwhile.
 */
import type { Logger } from 'pino';
import type { CustomResourceDefinition } from '../apis/index.js';
import { ConflictError, NotFoundError, type KubeObject } from '../apimachinery/index.js';
import type { Store } from '../db/index.js';
import { customResourceDefinitionKind } from './builtin-kinds.js';
import type { ChangeHub } from './change-hub.js';
import { CRD_CLEANUP_FINALIZER, crdImmutableFields, kindFromCrd, validateCrd } from './crd-kinds.js';
import type { ResourceHandler } from './handler.js';
import { groupResource, type KindDefinition } from './kind.js';
import type { KindRegistry } from './kinds.js';
import { nowTimestamp } from './object-meta.js';
import { LeadershipWatch } from './leadership.js';
import { createStoredHandler } from './stored-handler.js';
import { WorkQueue } from './work-queue.js';

export interface CrdControllerDeps {
  store: Store;
  hub: ChangeHub;
  kinds: KindRegistry;
  isLeader: () => boolean;
  log: Logger;
}

const CRD_RESOURCE = groupResource(customResourceDefinitionKind);
const MANAGER = { fieldManager: 'lading-crd-controller' };

export class CrdController {
  readonly kind: KindDefinition;
  readonly #crds: ResourceHandler;
  #unsubscribe: (() => void) | undefined;
  #leadership: LeadershipWatch | undefined;
  /** Cleanups of deleted CRDs, by CRD name: retried with backoff, re-run as their objects go. */
  readonly #cleanups: WorkQueue;
  /** CRD name → unsubscribe of the watch on its objects while the cleanup waits for them. */
  #awaiting = new Map<string, () => void>();

  constructor(private readonly deps: CrdControllerDeps) {
    this.#cleanups = new WorkQueue((name) => this.#cleanupNamed(name), deps.log.child({ controller: 'crd' }));
    this.kind = {
      ...customResourceDefinitionKind,
      strategy: {
        prepareForCreate: (o) => {
          const finalizers = o.metadata.finalizers ?? [];
          if (!finalizers.includes(CRD_CLEANUP_FINALIZER))
            o.metadata.finalizers = [...finalizers, CRD_CLEANUP_FINALIZER];
          delete o.status;
        },
        validate: validateCrd,
        immutableFields: crdImmutableFields,
        afterWrite: (o) => this.sync(o),
      },
    };
    this.#crds = createStoredHandler(this.kind, 'v1', { store: deps.store, hub: deps.hub });
  }

  /**
   * Registers the CRD kind and every stored CRD's kind; then follows the change feed, syncing every
   * CRD again on gaining leadership and when the feed lost changes.
   */
  async start(): Promise<void> {
    this.deps.kinds.register(this.kind);
    const stopChanges = this.deps.hub.onResource(CRD_RESOURCE, (change) => {
      const crd = JSON.parse(change.json) as KubeObject;
      if (change.type === 'DELETED') this.#unregister(crd);
      else
        void this.sync(crd).catch((err: unknown) =>
          this.deps.log.error({ err, crd: crd.metadata.name }, 'CRD sync failed'),
        );
    });
    const resync = (): void => {
      this.#syncAll().catch((err: unknown) => this.deps.log.error({ err }, 'CRD resync failed'));
    };
    const stopGone = this.deps.hub.onGone(resync);
    this.#unsubscribe = () => {
      stopChanges();
      stopGone();
    };
    this.#leadership = new LeadershipWatch(this.deps.isLeader, resync);
    await this.#syncAll();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#leadership?.stop();
    this.#cleanups.stop();
    for (const unsubscribe of this.#awaiting.values()) unsubscribe();
    this.#awaiting.clear();
  }

  /** Syncs every stored CRD and stops serving kinds whose CRD is gone. */
  async #syncAll(): Promise<void> {
    const { items } = await this.deps.store.list({ resource: CRD_RESOURCE });
    const names = new Set(items.map((row) => row.key.name));
    for (const kind of this.deps.kinds.all()) {
      if (kind.crd !== undefined && !names.has(kind.crd))
        this.deps.kinds.unregister(kind.group, kind.names.plural);
    }
    for (const row of items) await this.sync(JSON.parse(row.json) as KubeObject);
  }

  /** Serves the kind the CRD defines; as leader, also converges its status and deletion. */
  async sync(object: KubeObject): Promise<void> {
    const crd = object as unknown as CustomResourceDefinition;
    const kind = kindFromCrd(crd);
    // By resource, the kinds' key: two CRDs may (wrongly) name the same kind with other plurals.
    const current = this.deps.kinds.byGroupResource(groupResource(kind));
    if (!current || JSON.stringify(kindSummary(current)) !== JSON.stringify(kindSummary(kind))) {
      this.deps.kinds.register(kind);
    }
    if (!this.deps.isLeader()) return this.#leadership?.skipped();
    if (object.metadata.deletionTimestamp) this.#cleanups.add(object.metadata.name ?? '');
    else await this.#writeStatus(object);
  }

  #unregister(object: KubeObject): void {
    const { group, names } = (object as unknown as CustomResourceDefinition).spec;
    const kind = this.deps.kinds.byGroupResource(groupResource({ group, names: { plural: names.plural } }));
    if (kind?.crd === object.metadata.name) this.deps.kinds.unregister(group, names.plural);
    this.#stopAwaiting(object.metadata.name ?? '');
  }

  #stopAwaiting(name: string): void {
    this.#awaiting.get(name)?.();
    this.#awaiting.delete(name);
  }

  async #writeStatus(object: KubeObject): Promise<void> {
    const crd = object as unknown as CustomResourceDefinition;
    const established = crd.status?.conditions?.find((c) => c.type === 'Established')?.status === 'True';
    const stored = crd.spec.versions.filter((v) => v.storage).map((v) => v.name);
    const storedVersions = [...new Set([...(crd.status?.storedVersions ?? []), ...stored])];
    const acceptedSame = JSON.stringify(crd.status?.acceptedNames) === JSON.stringify(acceptedNames(crd));
    if (established && acceptedSame && storedVersions.length === (crd.status?.storedVersions ?? []).length)
      return;
    const now = nowTimestamp();
    const condition = (type: string, reason: string, message: string): Record<string, string> => ({
      type,
      status: 'True',
      lastTransitionTime: now,
      reason,
      message,
    });
    const status = {
      conditions: [
        condition('NamesAccepted', 'NoConflicts', 'no conflicts found'),
        condition('Established', 'InitialNamesAccepted', 'the initial names have been accepted'),
      ],
      acceptedNames: acceptedNames(crd),
      storedVersions,
    };
    await this.#retryStatus(object, { ...object, status });
  }

  async #retryStatus(object: KubeObject, next: KubeObject): Promise<void> {
    try {
      await this.#crds.update('', object.metadata.name ?? '', next, {
        subresource: 'status',
        fieldManager: 'lading-crd-controller',
      });
    } catch (err) {
      // A newer write will come through the change feed and be synced then.
      if (!(err instanceof ConflictError) && !(err instanceof NotFoundError)) throw err;
    }
  }

  async #cleanupNamed(name: string): Promise<void> {
    if (!this.deps.isLeader()) return this.#leadership?.skipped();
    const row = await this.deps.store.get({ resource: CRD_RESOURCE, namespace: '', name });
    const object = row && (JSON.parse(row.json) as KubeObject);
    if (!object?.metadata.deletionTimestamp) return this.#stopAwaiting(name);
    await this.#cleanup(object, kindFromCrd(object as unknown as CustomResourceDefinition));
  }

  /** Deletes the CRD's objects as a client would; releases the CRD once none are left. */
  async #cleanup(object: KubeObject, kind: KindDefinition): Promise<void> {
    const name = object.metadata.name ?? '';
    if (!(object.metadata.finalizers ?? []).includes(CRD_CLEANUP_FINALIZER)) return;
    const resource = groupResource(kind);
    const handler = createStoredHandler(kind, kind.storageVersion ?? kind.versions[0] ?? 'v1', this.deps);
    const { items } = await this.deps.store.list({ resource });
    for (const row of items) {
      if ((JSON.parse(row.json) as KubeObject).metadata.deletionTimestamp) continue;
      try {
        await handler.delete(row.key.namespace, row.key.name, { propagationPolicy: 'Background' }, MANAGER);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    if ((await this.deps.store.count(resource)) > 0) {
      // Objects with finalizers go when their owners release them: look again on every change.
      if (!this.#awaiting.has(name)) {
        const unsubscribe = this.deps.hub.onResource(resource, () => this.#cleanups.add(name));
        this.#awaiting.set(name, unsubscribe);
      }
      return;
    }
    this.#stopAwaiting(name);
    const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    const patch = { metadata: { finalizers, resourceVersion: object.metadata.resourceVersion } };
    try {
      await this.#crds.patch('', name, 'merge', patch, MANAGER);
    } catch (err) {
      // A newer write of the CRD comes through the change feed and queues the cleanup again.
      if (!(err instanceof NotFoundError) && !(err instanceof ConflictError)) throw err;
    }
  }
}

function acceptedNames(crd: CustomResourceDefinition): Record<string, unknown> {
  const n = crd.spec.names;
  return {
    plural: n.plural,
    singular: n.singular ?? n.kind.toLowerCase(),
    kind: n.kind,
    listKind: n.listKind ?? `${n.kind}List`,
    ...(n.shortNames ? { shortNames: n.shortNames } : {}),
    ...(n.categories ? { categories: n.categories } : {}),
  };
}

/** What decides whether a re-registration is needed (strategies hold functions). */
function kindSummary(kind: KindDefinition): unknown {
  return { ...kind, strategy: Object.keys(kind.strategy?.fieldSelectors ?? {}) };
}
