/**
 * Repository controller (leader only): for every Repository, opens its git mirror, fetches on
 * change and on a schedule, and brings the package index in line with what git holds; writes the
 * Repository's `Ready` condition. A repository that cannot be reached or read marks only itself
 * not ready. Deleting a Repository removes its index rows, then its finalizer.
 */
import type { Logger } from 'pino';
import { REPOSITORY_FINALIZER, type Repository as RepositoryObject } from '../apis/index.js';
import { NotFoundError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import type { Change, Store } from '../db/index.js';
import {
  clearIndex,
  repositoryRefOf,
  indexVersion,
  syncIndex,
  syncPackageIndex,
  type IndexHandlers,
  type RepositoryPool,
} from '../engine/index.js';
import {
  groupResource,
  nowTimestamp,
  WorkQueue,
  type ChangeHub,
  type ResourceHandler,
} from '../registry/index.js';
import { KPTFILE } from '../krm/index.js';
import { parseCron } from './cron.js';
import { repositoryKind } from './repository-kind.js';

export interface RepositoryControllerDeps {
  store: Store;
  hub: ChangeHub;
  repositories: ResourceHandler;
  index: IndexHandlers;
  isLeader: () => boolean;
  log: Logger;
  pool: RepositoryPool;
  /** Full resync of every repository, as Porch's `--repo-sync-frequency` (default 10 minutes). */
  resyncIntervalMs: number;
}

const RESOURCE = groupResource(repositoryKind);

interface ObjectMetaFields {
  metadata?: { generation?: number; deletionTimestamp?: string; finalizers?: string[] };
}

/**
 * Whether a change to a Repository asks for a sync: anything but an update of its status alone
 * (the generation, deletion and finalizers unchanged). The controller's own status writes —
 * `packageCount` changes with every package created — must not start another full sync each.
 */
export function needsReconcile(change: Pick<Change, 'type' | 'json' | 'prevJson'>): boolean {
  if (change.type !== 'MODIFIED' || change.prevJson === null) return true;
  const before = (JSON.parse(change.prevJson) as ObjectMetaFields).metadata ?? {};
  const after = (JSON.parse(change.json) as ObjectMetaFields).metadata ?? {};
  return (
    before.generation !== after.generation ||
    before.deletionTimestamp !== after.deletionTimestamp ||
    JSON.stringify(before.finalizers ?? []) !== JSON.stringify(after.finalizers ?? [])
  );
}
/** Porch retries a repository that failed on the network after 30 s. */
const RETRY_AFTER_FAILURE_MS = 30_000;
const WRITER = { fieldManager: 'lading-repository-controller' };

export class RepositoryController {
  readonly #queue: WorkQueue;
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Per repository: the next scheduled sync (`spec.sync`), or a retry after a failure. */
  readonly #scheduled = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: RepositoryControllerDeps) {
    this.#queue = new WorkQueue((key) => this.#reconcile(key), deps.log.child({ controller: 'repository' }));
  }

  async start(): Promise<void> {
    this.#unsubscribe = this.deps.hub.onResource(RESOURCE, (change) => {
      if (needsReconcile(change)) this.#queue.add(`${change.key.namespace}/${change.key.name}`);
    });
    await this.resyncAll();
    this.#timer = setInterval(() => void this.resyncAll(), this.deps.resyncIntervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    if (this.#timer) clearInterval(this.#timer);
    this.#queue.stop();
    for (const timer of this.#scheduled.values()) clearTimeout(timer);
    this.#scheduled.clear();
    await this.deps.pool.closeAll();
  }

  /** Queues every Repository (startup, schedule, leadership gained). */
  async resyncAll(): Promise<void> {
    const { items } = await this.deps.store.list({ resource: RESOURCE });
    for (const row of items) this.#queue.add(`${row.key.namespace}/${row.key.name}`);
  }

  idle(): Promise<void> {
    return this.#queue.idle();
  }

  /**
   * Re-indexes one package right after a write to it (latest-revision labels, the package row,
   * Kptfile fields): a scoped refresh and index update whose cost is the package's, not the
   * repository's. The full sync (schedule, interval, on change) keeps everything else current.
   */
  async syncPackage(namespace: string, name: string, packagePath: string): Promise<void> {
    const repository = this.deps.pool.get(`${namespace}/${name}`);
    const row = await this.deps.store.get({ resource: RESOURCE, namespace, name });
    if (!repository || !row) return;
    const ref = repositoryRefOf(JSON.parse(row.json) as KubeObject);
    // This process's push already brought the mirror's refs of the package up to date.
    const { revisions } = await repository.refresh(AbortSignal.timeout(60_000), {
      packagePath,
      fetch: false,
    });
    await syncPackageIndex(this.deps.index, ref, packagePath, revisions, (r) =>
      repository.readFile(r, KPTFILE),
    );
  }

  async #reconcile(key: string): Promise<void> {
    if (!this.deps.isLeader()) return;
    const [namespace = '', name = ''] = key.split('/');
    const row = await this.deps.store.get({ resource: RESOURCE, namespace, name });
    this.#unschedule(key);
    if (!row) {
      await this.#close(key);
      await clearIndex(this.deps.index, { name, namespace });
      return;
    }
    const object = JSON.parse(row.json) as RepositoryObject & KubeObject;
    if (object.metadata.deletionTimestamp) {
      await this.#close(key);
      await clearIndex(this.deps.index, { name, namespace });
      const finalizers = (object.metadata.finalizers ?? []).filter((f) => f !== REPOSITORY_FINALIZER);
      await ignoreNotFound(() =>
        this.deps.repositories.patch(namespace, name, 'merge', { metadata: { finalizers } }, WRITER),
      );
      return;
    }
    if (!(object.metadata.finalizers ?? []).includes(REPOSITORY_FINALIZER)) {
      const finalizers = [...(object.metadata.finalizers ?? []), REPOSITORY_FINALIZER];
      await this.deps.repositories.patch(namespace, name, 'merge', { metadata: { finalizers } }, WRITER);
      return; // the write comes back through the change feed
    }
    const spec = object.spec ?? {};
    if ((spec.type ?? 'git') !== 'git' || !spec.git) {
      await this.#status(
        object,
        false,
        'Error',
        `repository type "${spec.type ?? ''}" is not supported yet: only git repositories are`,
      );
      return;
    }
    try {
      const repository = await this.deps.pool.openFor(object);
      // Rows written after this point (by a package write on any replica) are newer than what
      // the refresh reads: the sync leaves them alone.
      const snapshot = await indexVersion(this.deps.index, namespace);
      const { revisions, version } = await repository.refresh(AbortSignal.timeout(60_000));
      const ref = repositoryRefOf(object);
      const result = await syncIndex(
        this.deps.index,
        ref,
        revisions,
        (r) => repository.readFile(r, KPTFILE),
        snapshot,
      );
      this.deps.log.debug({ repository: key, version, ...result }, 'repository synced');
      const packages = new Set(revisions.map((r) => r.packagePath)).size;
      await this.#status(object, true, 'Ready', '', {
        packageCount: packages,
        ...this.#schedule(key, object, false),
      });
    } catch (err) {
      await this.#close(key);
      this.deps.log.warn({ err, repository: key }, 'repository sync failed');
      const message = err instanceof Error ? err.message : String(err);
      await this.#status(object, false, 'Error', message, this.#schedule(key, object, true));
    }
  }

  /**
   * Arms the next sync of one repository: the earlier of its cron schedule and a future
   * `runOnceAt` (a past one was just served by this sync); after a failure, a retry in 30 s.
   * Returns the status fields that report it.
   */
  #schedule(key: string, object: RepositoryObject & KubeObject, failed: boolean): Record<string, string> {
    const now = new Date();
    const sync = object.spec?.sync;
    const candidates: Date[] = [];
    if (sync?.schedule) candidates.push(parseCron(sync.schedule).next(now));
    const runOnceAt = sync?.runOnceAt ? new Date(sync.runOnceAt) : undefined;
    if (runOnceAt && runOnceAt > now) candidates.push(runOnceAt);
    if (failed) candidates.push(new Date(now.getTime() + RETRY_AFTER_FAILURE_MS));
    const fields: Record<string, string> = {};
    if (runOnceAt && runOnceAt <= now && sync?.runOnceAt) fields.observedRunOnceAt = sync.runOnceAt;
    if (candidates.length === 0) return fields;
    const next = new Date(Math.min(...candidates.map((d) => d.getTime())));
    // setTimeout holds at most ~24.8 days; a later sync is re-armed by the periodic resync.
    const delay = Math.min(next.getTime() - now.getTime(), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.#scheduled.delete(key);
      this.#queue.add(key);
    }, delay);
    timer.unref();
    this.#scheduled.set(key, timer);
    return { ...fields, nextFullSyncTime: next.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  #unschedule(key: string): void {
    const timer = this.#scheduled.get(key);
    if (timer) clearTimeout(timer);
    this.#scheduled.delete(key);
  }

  async #close(key: string): Promise<void> {
    await this.deps.pool.close(key);
  }

  async #status(
    object: KubeObject,
    ready: boolean,
    reason: string,
    message: string,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const current = isPlainObject(object.status) ? object.status : {};
    const conditions = Array.isArray(current.conditions)
      ? (current.conditions as Record<string, unknown>[])
      : [];
    const previous = conditions.find((c) => c.type === 'Ready');
    const status = ready ? 'True' : 'False';
    const same = previous?.status === status && previous.reason === reason && previous.message === message;
    const condition = {
      type: 'Ready',
      status,
      reason,
      message,
      lastTransitionTime:
        same && typeof previous.lastTransitionTime === 'string'
          ? previous.lastTransitionTime
          : nowTimestamp(),
    };
    const next: Record<string, unknown> = {
      ...current,
      ...extra,
      conditions: [...conditions.filter((c) => c.type !== 'Ready'), condition],
      observedGeneration: object.metadata.generation,
      ...(ready ? { lastFullSyncTime: nowTimestamp() } : {}),
    };
    // Timing fields alone never cause a write: each write comes back as a change and a new sync.
    const { lastFullSyncTime: _a, nextFullSyncTime: _c, ...comparableNext } = next;
    const { lastFullSyncTime: _b, nextFullSyncTime: _d, ...comparableCurrent } = current;
    if (JSON.stringify(comparableNext) === JSON.stringify(comparableCurrent)) return;
    await ignoreNotFound(() =>
      this.deps.repositories.update(
        object.metadata.namespace ?? '',
        object.metadata.name ?? '',
        { ...object, status: next },
        {
          ...WRITER,
          subresource: 'status',
        },
      ),
    );
  }
}

async function ignoreNotFound(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
