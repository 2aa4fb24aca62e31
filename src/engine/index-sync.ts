/**
 * Brings the index rows of one repository in line with what the repository holds: creates rows
 * for new revisions and packages, updates changed ones (keeping the metadata clients set —
 * labels, annotations, finalizers, ownerReferences — and managing the latest-revision label),
 * and deletes rows whose revision is gone. Idempotent; safe to re-run after a crash.
 */
import { isDeepStrictEqual } from 'node:util';
import { LATEST_REVISION_LABEL } from '../apis/index.js';
import { AlreadyExistsError, ConflictError, NotFoundError, type KubeObject } from '../apimachinery/index.js';
import type { ResourceHandler } from '../registry/index.js';
import type { RevisionRecord } from '../repository/index.js';
import { fieldsOf, kptfileFields, withFields } from './kptfile-fields.js';
import {
  latestRevisions,
  packageObjectName,
  packageRevisionObject,
  porchPackageObject,
  recordFromObject,
  revisionName,
  type RepositoryRef,
} from './revision-objects.js';

export interface IndexHandlers {
  packageRevisions: ResourceHandler;
  packages: ResourceHandler;
}

export interface SyncResult {
  created: number;
  updated: number;
  deleted: number;
}

const WRITER = { fieldManager: 'lading-repository-sync' };

/** The package's Kptfile text at a revision (undefined when it has none). */
export type KptfileReader = (record: RevisionRecord) => Promise<string | undefined>;

/**
 * The index objects a repository's revisions should produce, by kind. A revision's Kptfile fields
 * are copied from its current index object when that is at the same commit, and read otherwise,
 * so a sync reads only the Kptfiles of revisions that changed.
 */
export async function desiredObjects(
  repo: RepositoryRef,
  records: readonly RevisionRecord[],
  current: ReadonlyMap<string, KubeObject> = new Map(),
  readKptfile?: KptfileReader,
): Promise<{ revisions: KubeObject[]; packages: KubeObject[] }> {
  const latest = latestRevisions(records);
  const revisions: KubeObject[] = [];
  for (const r of records) {
    const object = packageRevisionObject(repo, r, r.revision > 0 && latest.get(r.packagePath) === r.revision);
    const indexed = current.get(object.metadata.name ?? '');
    const fields =
      indexed && recordFromObject(indexed).commit === r.commit
        ? fieldsOf(indexed)
        : readKptfile
          ? kptfileFields(await readKptfile(r))
          : {};
    revisions.push(withFields(object, fields));
  }
  const paths = [...new Set(records.map((r) => r.packagePath))];
  const packages = paths.map((p) => porchPackageObject(repo, p, latest.get(p) ?? 0));
  return { revisions, packages };
}

/**
 * The index's resourceVersion now: take it before reading the repository, and pass it to
 * `syncIndex` as `snapshotVersion`.
 */
export async function indexVersion(handlers: IndexHandlers, namespace: string): Promise<string> {
  return (await handlers.packageRevisions.list(namespace, { limit: 1 })).resourceVersion;
}

/**
 * A full sync. `records` were read from the repository after the index was at `snapshotVersion`:
 * rows written since (by a write on this or another replica, which saw a newer git state) are
 * left as they are — neither reverted nor deleted — and the next sync looks at them again.
 */
export async function syncIndex(
  handlers: IndexHandlers,
  repo: RepositoryRef,
  records: readonly RevisionRecord[],
  readKptfile?: KptfileReader,
  snapshotVersion?: string,
): Promise<SyncResult> {
  const newer = (object: KubeObject): boolean =>
    snapshotVersion !== undefined && BigInt(object.metadata.resourceVersion ?? '0') > BigInt(snapshotVersion);
  const currentRevisions = await indexed(handlers.packageRevisions, repo);
  const desired = await desiredObjects(repo, records, currentRevisions, readKptfile);
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  await syncKind(handlers.packageRevisions, repo, currentRevisions, desired.revisions, result, true, newer);
  const currentPackages = await indexed(handlers.packages, repo);
  await syncKind(handlers.packages, repo, currentPackages, desired.packages, result, true, newer);
  return result;
}

/**
 * Like `syncIndex` for one package, after a write to it: `records` are that package's revisions
 * (from a scoped refresh). Rows are read by name, so the cost is the package's, not the
 * repository's. Rows of revisions that disappeared are left to the next full sync (the engine
 * deletes the rows of revisions it deletes), except the package row when no revision is left.
 */
export async function syncPackageIndex(
  handlers: IndexHandlers,
  repo: RepositoryRef,
  packagePath: string,
  records: readonly RevisionRecord[],
  readKptfile?: KptfileReader,
): Promise<SyncResult> {
  const names = records.map((r) => revisionName(repo.name, r.packagePath, r.workspaceName));
  const currentRevisions = await byName(handlers.packageRevisions, repo.namespace, names);
  const desired = await desiredObjects(repo, records, currentRevisions, readKptfile);
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  await syncKind(handlers.packageRevisions, repo, currentRevisions, desired.revisions, result, false);
  const packageName = packageObjectName(repo.name, packagePath);
  const currentPackage = await byName(handlers.packages, repo.namespace, [packageName]);
  await syncKind(handlers.packages, repo, currentPackage, desired.packages, result);
  return result;
}

async function byName(
  handler: ResourceHandler,
  namespace: string,
  names: readonly string[],
): Promise<Map<string, KubeObject>> {
  const rows = new Map<string, KubeObject>();
  for (const name of names) {
    try {
      rows.set(name, await handler.get(namespace, name));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return rows;
}

/** Removes every index row of a repository (it was deleted or unregistered). */
export async function clearIndex(
  handlers: IndexHandlers,
  repo: Pick<RepositoryRef, 'name' | 'namespace'>,
): Promise<void> {
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  for (const handler of [handlers.packageRevisions, handlers.packages]) {
    await syncKind(handler, repo, await indexed(handler, repo), [], result);
  }
}

/** The index rows of one repository, by name. */
async function indexed(
  handler: ResourceHandler,
  repo: Pick<RepositoryRef, 'name' | 'namespace'>,
): Promise<Map<string, KubeObject>> {
  const rows = new Map<string, KubeObject>();
  const { items } = await handler.list(repo.namespace, { fieldSelector: `spec.repository=${repo.name}` });
  for (const json of items) {
    const object = JSON.parse(json) as KubeObject;
    rows.set(object.metadata.name ?? '', object);
  }
  return rows;
}

async function syncKind(
  handler: ResourceHandler,
  repo: Pick<RepositoryRef, 'name' | 'namespace'>,
  current: ReadonlyMap<string, KubeObject>,
  desired: readonly KubeObject[],
  result: SyncResult,
  deleteMissing = true,
  /** Rows this returns true for are neither changed nor deleted. */
  leaveAlone: (row: KubeObject) => boolean = () => false,
): Promise<void> {
  const existing = new Map([...current].filter(([, row]) => !leaveAlone(row)));
  for (const object of desired) {
    const name = object.metadata.name ?? '';
    if (current.has(name) && !existing.has(name)) continue;
    const row = existing.get(name);
    existing.delete(name);
    if (!row) {
      // Another writer (the engine, a second sync) may have created it meanwhile.
      await ignore(AlreadyExistsError, () => handler.create(repo.namespace, object, WRITER));
      result.created++;
      continue;
    }
    const next = merged(row, object);
    if (isDeepStrictEqual(pick(next), pick(row))) continue;
    // A concurrent client write wins; the next sync sees it and converges.
    await ignore(ConflictError, () => handler.update(repo.namespace, name, next, WRITER));
    result.updated++;
  }
  for (const name of deleteMissing ? existing.keys() : []) {
    await ignore(NotFoundError, () => handler.delete(repo.namespace, name, {}, WRITER));
    result.deleted++;
  }
}

/** The desired spec/status with the current object's metadata; the latest label is ours. */
function merged(current: KubeObject, desired: KubeObject): KubeObject {
  const labels = { ...current.metadata.labels };
  delete labels[LATEST_REVISION_LABEL];
  Object.assign(labels, desired.metadata.labels);
  const { labels: _old, ...rest } = current.metadata;
  return { ...desired, metadata: Object.keys(labels).length === 0 ? rest : { ...rest, labels } };
}

function pick(object: KubeObject): unknown {
  return { labels: object.metadata.labels ?? {}, spec: object.spec, status: object.status };
}

async function ignore(kind: new (...args: never[]) => Error, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof kind)) throw err;
  }
}
