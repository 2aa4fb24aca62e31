/**
 * What the index stores for a repository's revisions: Porch's PackageRevision and PorchPackage
 * objects, named and labelled as Porch names them (porch.md §2.3).
 */
import { LATEST_REVISION_LABEL, PORCH_API_VERSION } from '../apis/index.js';
import { isPlainObject, type KubeObject } from '../apimachinery/index.js';
import type { Lifecycle, RevisionRecord } from '../repository/index.js';

/** The Repository an index row belongs to, as far as the objects need it. */
export interface RepositoryRef {
  name: string;
  namespace: string;
  deployment: boolean;
  url: string;
  /** `spec.git.directory`, without leading or trailing slashes. */
  directory: string;
}

const dots = (packagePath: string): string => packagePath.split('/').join('.');

/** `<repo>.<package path with dots>.<workspace>` (porch#190). */
export function revisionName(repo: string, packagePath: string, workspace: string): string {
  return `${repo}.${dots(packagePath)}.${workspace}`;
}

/** `<repo>.<package path with dots>`. */
export function packageObjectName(repo: string, packagePath: string): string {
  return `${repo}.${dots(packagePath)}`;
}

/** The highest published revision of each package path. */
export function latestRevisions(records: readonly RevisionRecord[]): Map<string, number> {
  const latest = new Map<string, number>();
  for (const r of records) {
    if ((r.lifecycle === 'Published' || r.lifecycle === 'DeletionProposed') && r.revision > 0) {
      latest.set(r.packagePath, Math.max(latest.get(r.packagePath) ?? 0, r.revision));
    }
  }
  return latest;
}

export function packageRevisionObject(
  repo: RepositoryRef,
  record: RevisionRecord,
  latest: boolean,
): KubeObject {
  const directory = [repo.directory, record.packagePath].filter(Boolean).join('/');
  const published = record.lifecycle === 'Published' || record.lifecycle === 'DeletionProposed';
  return {
    apiVersion: PORCH_API_VERSION,
    kind: 'PackageRevision',
    metadata: {
      name: revisionName(repo.name, record.packagePath, record.workspaceName),
      namespace: repo.namespace,
      ...(latest ? { labels: { [LATEST_REVISION_LABEL]: 'true' } } : {}),
    },
    spec: {
      packageName: record.packagePath,
      repository: repo.name,
      workspaceName: record.workspaceName,
      revision: record.revision,
      lifecycle: record.lifecycle,
      ...(record.task === undefined ? {} : { tasks: [record.task] }),
    },
    status: {
      selfLock: { type: 'git', git: { repo: repo.url, directory, ref: record.ref, commit: record.commit } },
      ...(published && record.revision > 0 ? { publishTimestamp: record.updated } : {}),
      deployment: repo.deployment,
    },
  };
}

export function porchPackageObject(
  repo: RepositoryRef,
  packagePath: string,
  latestRevision: number,
): KubeObject {
  return {
    apiVersion: PORCH_API_VERSION,
    kind: 'PorchPackage',
    metadata: { name: packageObjectName(repo.name, packagePath), namespace: repo.namespace },
    spec: { packageName: packagePath, repository: repo.name },
    status: { latestRevision },
  };
}

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The revision as the repository knows it, from its index object. */
export function recordFromObject(revision: KubeObject): RevisionRecord {
  const spec = isPlainObject(revision.spec) ? revision.spec : {};
  const status = isPlainObject(revision.status) ? revision.status : {};
  const lock =
    isPlainObject(status.selfLock) && isPlainObject(status.selfLock.git) ? status.selfLock.git : {};
  return {
    packagePath: text(spec.packageName),
    workspaceName: text(spec.workspaceName),
    revision: typeof spec.revision === 'number' ? spec.revision : 0,
    lifecycle: spec.lifecycle as Lifecycle,
    commit: text(lock.commit),
    ref: text(lock.ref),
    updated: typeof status.publishTimestamp === 'string' ? status.publishTimestamp : '',
  };
}

/** The parts of a Repository object the index needs. */
export function repositoryRefOf(repository: KubeObject): RepositoryRef {
  const spec = isPlainObject(repository.spec) ? repository.spec : {};
  const git = isPlainObject(spec.git) ? spec.git : {};
  return {
    name: repository.metadata.name ?? '',
    namespace: repository.metadata.namespace ?? '',
    deployment: spec.deployment === true,
    url: text(git.repo),
    directory: text(git.directory).replace(/^\/+|\/+$/g, ''),
  };
}

/** The client-owned metadata of `from`, on top of the server's object `onto`. */
export function withClientMetadata(onto: KubeObject, from: KubeObject): KubeObject {
  const labels = { ...from.metadata.labels };
  delete labels[LATEST_REVISION_LABEL];
  Object.assign(labels, onto.metadata.labels);
  const { annotations, finalizers, ownerReferences } = from.metadata;
  return {
    ...onto,
    metadata: {
      ...onto.metadata,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(finalizers ? { finalizers } : {}),
      ...(ownerReferences ? { ownerReferences } : {}),
    },
  };
}
