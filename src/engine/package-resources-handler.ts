/**
 * PackageRevisionResources (same name as its PackageRevision): the package's files, read from git
 * at the revision's commit on every get (one tree walk through the batch reader). Read-only until
 * the engine's write path (push = PUT) lands; watch is not served, as in Porch (porch#553).
 */
import { PORCH_API_VERSION } from '../apis/index.js';
import {
  MethodNotAllowedError,
  ServiceUnavailableError,
  isPlainObject,
  type KubeObject,
} from '../apimachinery/index.js';
import type { ResourceHandler } from '../registry/index.js';
import type { RepositoryPool } from './repository-pool.js';
import { recordFromObject, text } from './revision-objects.js';

export interface PackageResourcesDeps {
  /** The PackageRevision index (the stored handler). */
  revisions: ResourceHandler;
  pool: RepositoryPool;
}

function notYet(verb: string): never {
  throw new MethodNotAllowedError(
    `${verb} of packagerevisionresources is not supported yet: package content can only be read for now`,
  );
}

async function resourcesOf(deps: PackageResourcesDeps, revision: KubeObject): Promise<KubeObject> {
  const namespace = revision.metadata.namespace ?? '';
  const spec = isPlainObject(revision.spec) ? revision.spec : {};
  const repositoryName = text(spec.repository);
  const repository = deps.pool.get(`${namespace}/${repositoryName}`);
  if (!repository) {
    throw new ServiceUnavailableError(
      `repository "${repositoryName}" is not ready yet; see the Ready condition of repository ${namespace}/${repositoryName}`,
    );
  }
  const files = await repository.readResources(recordFromObject(revision));
  return {
    apiVersion: PORCH_API_VERSION,
    kind: 'PackageRevisionResources',
    metadata: { ...revision.metadata },
    spec: {
      packageName: spec.packageName,
      workspaceName: spec.workspaceName,
      revision: spec.revision,
      repository: spec.repository,
      resources: Object.fromEntries([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    },
    status: {
      renderStatus: {
        result: {
          apiVersion: 'kpt.dev/v1',
          kind: 'FunctionResultList',
          metadata: { name: 'fnresults' },
          exitCode: 0,
        },
        error: '',
      },
    },
  };
}

export function createPackageResourcesHandler(deps: PackageResourcesDeps): ResourceHandler {
  return {
    get: async (namespace, name) => resourcesOf(deps, await deps.revisions.get(namespace, name)),
    list: async (namespace, request) => {
      const revisions = await deps.revisions.list(namespace, request);
      const items: string[] = [];
      for (const json of revisions.items)
        items.push(JSON.stringify(await resourcesOf(deps, JSON.parse(json) as KubeObject)));
      return { ...revisions, items };
    },
    watch: () => notYet('watch'),
    create: () => notYet('create'),
    update: () => notYet('update'),
    patch: () => notYet('patch'),
    delete: () => notYet('delete'),
    deleteCollection: () => notYet('deletecollection'),
  };
}
