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
import {
  latestRevisions,
  packageRevisionObject,
  porchPackageObject,
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

/** The index objects a repository's revisions should produce, by kind. */
export function desiredObjects(
  repo: RepositoryRef,
  records: readonly RevisionRecord[],
): {
  revisions: KubeObject[];
  packages: KubeObject[];
} {
  const latest = latestRevisions(records);
  const revisions = records.map((r) =>
    packageRevisionObject(repo, r, r.revision > 0 && latest.get(r.packagePath) === r.revision),
  );
  const paths = [...new Set(records.map((r) => r.packagePath))];
  const packages = paths.map((p) => porchPackageObject(repo, p, latest.get(p) ?? 0));
  return { revisions, packages };
}

export async function syncIndex(
  handlers: IndexHandlers,
  repo: RepositoryRef,
  records: readonly RevisionRecord[],
): Promise<SyncResult> {
  const desired = desiredObjects(repo, records);
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  for (const [handler, objects] of [
    [handlers.packageRevisions, desired.revisions],
    [handlers.packages, desired.packages],
  ] as const) {
    await syncKind(handler, repo, objects, result);
  }
  return result;
}

/** Removes every index row of a repository (it was deleted or unregistered). */
export async function clearIndex(
  handlers: IndexHandlers,
  repo: Pick<RepositoryRef, 'name' | 'namespace'>,
): Promise<void> {
  const result: SyncResult = { created: 0, updated: 0, deleted: 0 };
  for (const handler of [handlers.packageRevisions, handlers.packages]) {
    await syncKind(handler, repo, [], result);
  }
}

async function syncKind(
  handler: ResourceHandler,
  repo: Pick<RepositoryRef, 'name' | 'namespace'>,
  desired: readonly KubeObject[],
  result: SyncResult,
): Promise<void> {
  const existing = new Map<string, KubeObject>();
  const { items } = await handler.list(repo.namespace, { fieldSelector: `spec.repository=${repo.name}` });
  for (const json of items) {
    const object = JSON.parse(json) as KubeObject;
    existing.set(object.metadata.name ?? '', object);
  }
  for (const object of desired) {
    const name = object.metadata.name ?? '';
    const current = existing.get(name);
    existing.delete(name);
    if (!current) {
      // Another writer (the engine, a second sync) may have created it meanwhile.
      await ignore(AlreadyExistsError, () => handler.create(repo.namespace, object, WRITER));
      result.created++;
      continue;
    }
    const next = merged(current, object);
    if (isDeepStrictEqual(pick(next), pick(current))) continue;
    // A concurrent client write wins; the next sync sees it and converges.
    await ignore(ConflictError, () => handler.update(repo.namespace, name, next, WRITER));
    result.updated++;
  }
  for (const name of existing.keys()) {
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
