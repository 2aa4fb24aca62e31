/**
 * PackageRevisionResources (same name as its PackageRevision): the package's files, read from git
 * at the revision's commit on every get (one tree walk through the batch reader), and replaced by
 * a PUT ("push") on a Draft: the file map becomes the package directory in a new commit on the
 * draft branch. Watch is not served, as in Porch (porch#553). Rendering on push comes with the
 * function pipeline (issue 4).
 */
import { PORCH_API_VERSION } from '../apis/index.js';
import {
  BadRequestError,
  ConflictError,
  InvalidError,
  MethodNotAllowedError,
  applyJsonPatch,
  applyMergePatch,
  isPlainObject,
  type KubeObject,
} from '../apimachinery/index.js';
import { KPTFILE, validatePackagePaths } from '../krm/index.js';
import type { ResourceHandler } from '../registry/index.js';
import type { PackageRevisionDeps } from './package-revision-handler.js';
import { kptfileFields, withFields } from './kptfile-fields.js';
import { refuseDryRun } from './dry-run.js';
import { renderForWrite, type RenderStatus } from './render-on-write.js';
import { packageRevisionObject, recordFromObject, text, withClientMetadata } from './revision-objects.js';

export type PackageResourcesDeps = PackageRevisionDeps;

function unsupported(verb: string): never {
  throw new MethodNotAllowedError(`${verb} is not supported on packagerevisionresources`);
}

async function resourcesOf(
  deps: PackageResourcesDeps,
  revision: KubeObject,
  renderStatus?: RenderStatus,
): Promise<KubeObject> {
  const namespace = revision.metadata.namespace ?? '';
  const spec = isPlainObject(revision.spec) ? revision.spec : {};
  const { repository } = await deps.repository(namespace, text(spec.repository));
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
      renderStatus: renderStatus ?? {
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

/** `spec.resources` as a file map, refused as a whole (422, nothing written) when any path is bad. */
function filesOf(body: KubeObject, name: string): Map<string, string> {
  const resources = isPlainObject(body.spec) ? body.spec.resources : undefined;
  if (!isPlainObject(resources))
    throw new BadRequestError('spec.resources must be a map of file path to file content');
  const files = new Map<string, string>();
  for (const [path, content] of Object.entries(resources)) {
    if (typeof content !== 'string') throw new BadRequestError(`spec.resources[${path}] must be a string`);
    files.set(path, content);
  }
  const causes = validatePackagePaths(files);
  if (causes.length > 0)
    throw new InvalidError({ group: 'porch.kpt.dev', kind: 'PackageRevisionResources', name }, causes);
  return files;
}

export function createPackageResourcesHandler(deps: PackageResourcesDeps): ResourceHandler {
  const handler: ResourceHandler = {
    get: async (namespace, name) => resourcesOf(deps, await deps.index.get(namespace, name)),
    list: async (namespace, request) => {
      const revisions = await deps.index.list(namespace, request);
      const items: string[] = [];
      for (const json of revisions.items)
        items.push(JSON.stringify(await resourcesOf(deps, JSON.parse(json) as KubeObject)));
      return { ...revisions, items };
    },
    async update(namespace, name, body, request) {
      refuseDryRun(request, 'packagerevisionresources');
      if (request.subresource) unsupported(`the ${request.subresource} subresource`);
      if (!isPlainObject(body) || !isPlainObject(body.metadata)) {
        throw new BadRequestError('the body must be a PackageRevisionResources');
      }
      const object = body as KubeObject;
      const current = await deps.index.get(namespace, name);
      if (!object.metadata.resourceVersion)
        throw new BadRequestError('metadata.resourceVersion must be specified for an update');
      if (object.metadata.resourceVersion !== current.metadata.resourceVersion) {
        throw new ConflictError({ group: 'porch.kpt.dev', resource: 'packagerevisionresources', name });
      }
      const lifecycle = text(isPlainObject(current.spec) ? current.spec.lifecycle : undefined);
      if (lifecycle !== 'Draft') {
        throw new BadRequestError(
          `cannot update a package revision with lifecycle value "${lifecycle}"; package must be Draft`,
        );
      }
      const pushed = filesOf(object, name);
      const rendered = await renderForWrite(deps.renderer, pushed, current);
      const files = rendered?.files ?? pushed;
      const repositoryName = text(isPlainObject(current.spec) ? current.spec.repository : undefined);
      const { repository, ref } = await deps.repository(namespace, repositoryName);
      const record = await repository.updateDraft(recordFromObject(current), files, {
        message: 'Intermediate commit',
      });
      const next = withFields(
        withClientMetadata(packageRevisionObject(ref, record, false), current),
        kptfileFields(files.get(KPTFILE)),
      );
      const updated = await deps.index.update(
        namespace,
        name,
        { ...next, metadata: { ...next.metadata, resourceVersion: current.metadata.resourceVersion } },
        request,
      );
      await deps.resync(namespace, repositoryName, record.packagePath);
      return { object: await resourcesOf(deps, updated.object, rendered?.renderStatus), created: false };
    },
    watch: () => unsupported('watch'),
    create: () => unsupported('create'),
    async patch(namespace, name, type, patch, request) {
      const current = await handler.get(namespace, name);
      if (type === 'merge') return handler.update(namespace, name, applyMergePatch(current, patch), request);
      if (type === 'json') return handler.update(namespace, name, applyJsonPatch(current, patch), request);
      return unsupported(`${type} patch`);
    },
    delete: () => unsupported('delete'),
    deleteCollection: () => unsupported('deletecollection'),
  };
  return handler;
}
