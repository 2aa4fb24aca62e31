/**
 * Namespace lifecycle: a deleted Namespace is marked Terminating; the leader deletes every object
 * in it (of every namespaced kind), and once none remain removes the `kubernetes` entry of its
 * `spec.finalizers`, which lets the Namespace go.
 */
import type { Logger } from 'pino';
import { NotFoundError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import type { Store } from '../db/index.js';
import type { ChangeHub } from './change-hub.js';
import { groupResource } from './kind.js';
import type { KindRegistry } from './kinds.js';
import type { Handlers } from './stored-handler.js';
import { LeadershipWatch } from './leadership.js';
import { WorkQueue } from './work-queue.js';

export interface NamespaceControllerDeps {
  store: Store;
  hub: ChangeHub;
  kinds: KindRegistry;
  handlers: Handlers;
  isLeader: () => boolean;
  log: Logger;
}

const FINALIZER = 'kubernetes';
const RECHECK_MS = 2_000;
const MANAGER = { fieldManager: 'lading-namespace-controller' };

export class NamespaceController {
  readonly #queue: WorkQueue;
  #unsubscribe: (() => void) | undefined;
  #terminating = new Set<string>();
  #leadership: LeadershipWatch | undefined;

  constructor(private readonly deps: NamespaceControllerDeps) {
    this.#queue = new WorkQueue((name) => this.#reconcile(name), deps.log.child({ controller: 'namespace' }));
  }

  /**
   * Follows the feed; picks up namespaces that were already terminating, now, on gaining leadership
   * and when the feed lost changes.
   */
  async start(): Promise<void> {
    const stopChanges = this.deps.hub.onAny((change) => {
      if (!this.deps.isLeader()) return this.#leadership?.skipped();
      if (change.key.resource === 'namespaces') {
        const ns = JSON.parse(change.json) as KubeObject;
        if (change.type !== 'DELETED' && ns.metadata.deletionTimestamp) this.#queue.add(change.key.name);
      } else if (change.type === 'DELETED' && this.#terminating.has(change.key.namespace)) {
        this.#queue.add(change.key.namespace);
      }
    });
    const resync = (): void => {
      this.#queueTerminating().catch((err: unknown) =>
        this.deps.log.error({ err }, 'namespace resync failed'),
      );
    };
    const stopGone = this.deps.hub.onGone(resync);
    this.#unsubscribe = () => {
      stopChanges();
      stopGone();
    };
    this.#leadership = new LeadershipWatch(this.deps.isLeader, resync);
    await this.#queueTerminating();
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#leadership?.stop();
    this.#queue.stop();
  }

  async #queueTerminating(): Promise<void> {
    const { items } = await this.deps.store.list({ resource: 'namespaces' });
    for (const row of items) {
      if ((JSON.parse(row.json) as KubeObject).metadata.deletionTimestamp) this.#queue.add(row.key.name);
    }
  }

  async #reconcile(name: string): Promise<void> {
    if (!this.deps.isLeader()) return this.#leadership?.skipped();
    const key = { resource: 'namespaces', namespace: '', name };
    const row = await this.deps.store.get(key);
    const ns = row && (JSON.parse(row.json) as KubeObject);
    if (!row || !ns?.metadata.deletionTimestamp) {
      this.#terminating.delete(name);
      return;
    }
    this.#terminating.add(name);
    let remaining = 0;
    for (const kind of this.deps.kinds.all()) {
      if (!kind.namespaced) continue;
      const handler = this.deps.handlers.for(kind, kind.storageVersion ?? kind.versions[0] ?? 'v1');
      const { items } = await this.deps.store.list({ resource: groupResource(kind), namespace: name });
      for (const item of items) {
        remaining++;
        const object = JSON.parse(item.json) as KubeObject;
        if (object.metadata.deletionTimestamp) continue;
        try {
          await handler.delete(name, item.key.name, { propagationPolicy: 'Background' }, MANAGER);
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
    }
    if (remaining > 0) {
      // Objects with finalizers go when their owners release them; look again shortly.
      this.#queue.addAfter(name, RECHECK_MS);
      return;
    }
    const spec = isPlainObject(ns.spec) ? ns.spec : {};
    const finalizers = (Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : []).filter(
      (f) => f !== FINALIZER,
    );
    // Updates cannot change `spec.finalizers` (Kubernetes has `/finalize` for it): write directly.
    const next: KubeObject = { ...ns, spec: { ...spec, finalizers } };
    if (finalizers.length === 0 && (ns.metadata.finalizers ?? []).length === 0) {
      await this.deps.store.delete(key, { expectedRv: row.rv, finalObject: next });
    } else {
      await this.deps.store.update(key, next, { expectedRv: row.rv });
    }
    this.#terminating.delete(name);
  }
}
