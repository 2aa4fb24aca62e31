/**
 * PackageRevision writes (ADR 0003): git first through the Repository adapter, then the index
 * row. Reads are the index's. Lifecycle rules and messages follow porch.md §2.5. Creation tasks:
 * see creation-tasks.ts.
 */
import { LATEST_REVISION_LABEL } from '../apis/index.js';
import {
  AlreadyExistsError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MethodNotAllowedError,
  applyJsonPatch,
  applyMergePatch,
  isPlainObject,
  type KubeObject,
} from '../apimachinery/index.js';
import type { ResourceHandler, WriteRequest } from '../registry/index.js';
import type { FunctionRuntime } from '../fn/index.js';
import { KPTFILE } from '../krm/index.js';
import { refuseDryRun } from './dry-run.js';
import { renderForWrite } from './render-on-write.js';
import { filesForTask } from './creation-tasks.js';
import {
  applyFieldsToKptfile,
  fieldsOf,
  kptfileFields,
  requestedFieldChanges,
  unmetGates,
  withFields,
} from './kptfile-fields.js';
import {
  commitMessageFor,
  type Lifecycle,
  type Repository,
  type RevisionRecord,
  type UpstreamMirrors,
} from '../repository/index.js';
import { credentialsFromSecret } from './secret-credentials.js';
import {
  packageRevisionObject,
  recordFromObject,
  text,
  withClientMetadata,
  type RepositoryRef,
} from './revision-objects.js';

export interface PackageRevisionDeps {
  /** The PackageRevision index (stored handler). */
  index: ResourceHandler;
  /** The open repository and its description, for a Repository object; throws when unusable. */
  repository: (namespace: string, name: string) => Promise<{ repository: Repository; ref: RepositoryRef }>;
  /** Mirrors of git URLs that packages are cloned from. */
  upstreams: UpstreamMirrors;
  /** A Secret by namespace and name (credentials of clone sources); NotFoundError when missing. */
  secret: (namespace: string, name: string) => Promise<KubeObject>;
  /** Runs the package pipelines on every Draft write; undefined: writes are stored unrendered. */
  renderer?: FunctionRuntime;
  /** Re-indexes one package after a write to it (latest-revision labels, package row); errors are logged. */
  resync: (namespace: string, repository: string, packagePath: string) => Promise<void>;
}

type Transition = (repository: Repository, rev: RevisionRecord) => Promise<RevisionRecord>;

const MAIN_TRANSITIONS: Record<string, Transition> = {
  'Draft>Proposed': (r, rev) => r.propose(rev),
  'Proposed>Draft': (r, rev) => r.rejectProposal(rev),
  'Published>DeletionProposed': (r, rev) => r.proposeDeletion(rev),
  'DeletionProposed>Published': (r, rev) => r.rejectDeletion(rev),
};

const APPROVAL_TRANSITIONS: Record<string, Transition> = {
  'Proposed>Published': (r, rev) => r.approve(rev),
  'Proposed>Draft': (r, rev) => r.rejectProposal(rev),
  'Published>DeletionProposed': (r, rev) => r.proposeDeletion(rev),
  'DeletionProposed>Published': (r, rev) => r.rejectDeletion(rev),
};

function specOf(object: unknown): Record<string, unknown> {
  return isPlainObject(object) && isPlainObject(object.spec) ? object.spec : {};
}

function checkLabels(object: KubeObject, current?: KubeObject): void {
  const wanted = object.metadata.labels?.[LATEST_REVISION_LABEL];
  const had = current?.metadata.labels?.[LATEST_REVISION_LABEL];
  if (wanted !== undefined && wanted !== had) {
    throw new BadRequestError(
      `label ${LATEST_REVISION_LABEL} is managed by the server and may not be set or changed`,
    );
  }
}

/** Readiness gates are enforced by the server on propose and approve (Porch leaves it to its CLI). */
function checkReadiness(name: string, verb: string, object: KubeObject): void {
  const unmet = unmetGates(object);
  if (unmet.length === 0) return;
  throw new BadRequestError(
    `cannot ${verb} package revision ${name}: readiness conditions not met: ${unmet
      .map((type) => `condition "${type}" is not True`)
      .join(', ')}; set them in status.conditions (or the Kptfile's status.conditions) while it is a Draft`,
  );
}

export function createPackageRevisionHandler(deps: PackageRevisionDeps): ResourceHandler {
  async function create(namespace: string, body: unknown, request: WriteRequest): Promise<KubeObject> {
    refuseDryRun(request, 'packagerevisions');
    if (!isPlainObject(body) || !isPlainObject(body.metadata))
      throw new BadRequestError('the body must be a PackageRevision');
    const object = body as KubeObject;
    checkLabels(object);
    const spec = specOf(body);
    const lifecycle = text(spec.lifecycle);
    if (lifecycle !== '' && lifecycle !== 'Draft') {
      throw new BadRequestError(
        `invalid value ${JSON.stringify(lifecycle)} for spec.lifecycle: value can be only created as Draft`,
      );
    }
    const tasks = Array.isArray(spec.tasks) ? (spec.tasks as unknown[]) : [];
    if (tasks.length > 1) throw new BadRequestError('task list must not contain more than one task');
    const packagePath = text(spec.packageName);
    const task = (tasks[0] ?? {
      type: 'init',
      init: { description: `${packagePath} description` },
    }) as Record<string, unknown>;
    const { repository, ref } = await deps.repository(namespace, text(spec.repository));
    if (task.type === 'clone') {
      const existing = await deps.index.list(namespace, {
        fieldSelector: `spec.repository=${ref.name},spec.packageName=${packagePath}`,
        limit: 1,
      });
      if (existing.items.length > 0) {
        throw new BadRequestError(
          `\`clone\` cannot create a new revision for package "${packagePath}" that already exists in repo "${ref.name}"; make subsequent revisions using \`copy\``,
        );
      }
    }
    let files = await filesForTask(task, {
      namespace,
      packagePath,
      target: ref,
      revision: (name) => deps.index.get(namespace, name),
      repository: (name) => deps.repository(namespace, name),
      upstream: async ({ secretName, ...request }) =>
        deps.upstreams.read({
          ...request,
          ...(secretName
            ? { credentials: credentialsFromSecret(await deps.secret(namespace, secretName)) }
            : {}),
        }),
    });
    const requested = requestedFieldChanges({ apiVersion: '', kind: '', metadata: {} }, object);
    if (requested) files = applyFieldsToKptfile(files, requested);
    files = (await renderForWrite(deps.renderer, files, object))?.files ?? files;
    const record = await repository.createDraft({
      packagePath,
      workspaceName: text(spec.workspaceName),
      files,
      task,
      message: commitMessageFor(task),
    });
    const indexed = withFields(
      withClientMetadata(packageRevisionObject(ref, record, false), object),
      kptfileFields(files.get(KPTFILE)),
    );
    let stored: KubeObject;
    try {
      stored = await deps.index.create(namespace, indexed, request);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      stored = await deps.index.get(namespace, indexed.metadata.name ?? '');
    }
    await deps.resync(namespace, ref.name, packagePath);
    return stored;
  }

  async function update(
    namespace: string,
    name: string,
    body: unknown,
    request: WriteRequest & { subresource?: string },
  ): Promise<{ object: KubeObject; created: boolean }> {
    refuseDryRun(request, 'packagerevisions');
    if (!isPlainObject(body) || !isPlainObject(body.metadata))
      throw new BadRequestError('the body must be a PackageRevision');
    const object = body as KubeObject;
    const current = await deps.index.get(namespace, name);
    const sentRv = object.metadata.resourceVersion;
    if (!sentRv) throw new BadRequestError('metadata.resourceVersion must be specified for an update');
    if (sentRv !== current.metadata.resourceVersion) {
      throw new ConflictError({ group: 'porch.kpt.dev', resource: 'packagerevisions', name });
    }
    checkLabels(object, current);
    const from = text(specOf(current).lifecycle) as Lifecycle;
    const to = (text(specOf(object).lifecycle) || from) as Lifecycle;
    const approval = request.subresource === 'approval';
    const { repository, ref } = await deps.repository(namespace, text(specOf(current).repository));
    let record = recordFromObject(current);
    let fields = fieldsOf(current);
    const changes = approval ? undefined : requestedFieldChanges(current, object);
    if (changes) {
      if (from !== 'Draft') {
        throw new BadRequestError(
          `cannot change readinessGates, packageMetadata or conditions of a package revision with lifecycle value "${from}"; package must be Draft`,
        );
      }
      const edited = applyFieldsToKptfile(await repository.readResources(record), changes);
      const files = (await renderForWrite(deps.renderer, edited, object))?.files ?? edited;
      record = await repository.updateDraft(record, files, { message: 'Intermediate commit' });
      fields = kptfileFields(files.get(KPTFILE));
    }
    if (from !== to) {
      const transition = (approval ? APPROVAL_TRANSITIONS : MAIN_TRANSITIONS)[`${from}>${to}`];
      if (!transition) {
        throw new BadRequestError(
          approval
            ? `cannot change approval from ${from} to ${to}`
            : from === 'Proposed' && to === 'Published'
              ? 'cannot publish a package revision by updating it: use the approval subresource'
              : `cannot change lifecycle from ${from} to ${to}`,
        );
      }
      if (to === 'Proposed' || (from === 'Proposed' && to === 'Published')) {
        checkReadiness(name, to === 'Proposed' ? 'propose' : 'approve', withFields(current, fields));
      }
      record = await transition(repository, record);
    }
    // The name is derived from repository, package and workspace, which never change: same row.
    // The latest-revision label stays as it is until the resync recomputes it.
    const next = withFields(
      withClientMetadata(packageRevisionObject(ref, record, false), approval ? current : object),
      fields,
    );
    const latest = current.metadata.labels?.[LATEST_REVISION_LABEL];
    const labels = { ...next.metadata.labels, ...(latest ? { [LATEST_REVISION_LABEL]: latest } : {}) };
    const metadata = { ...next.metadata, labels, resourceVersion: current.metadata.resourceVersion };
    const { subresource: _subresource, ...write } = request;
    await deps.index.update(namespace, name, { ...next, metadata }, write);
    await deps.resync(namespace, ref.name, record.packagePath);
    return { object: await deps.index.get(namespace, name), created: false };
  }

  return {
    get: (namespace, name) => deps.index.get(namespace, name),
    list: (namespace, request) => deps.index.list(namespace, request),
    watch: (namespace, request, signal) => deps.index.watch(namespace, request, signal),
    create,
    update,
    async patch(namespace, name, type, patch, request) {
      const current = await deps.index.get(namespace, name);
      let next: unknown;
      if (type === 'merge') next = applyMergePatch(current, patch);
      else if (type === 'json') next = applyJsonPatch(current, patch);
      else
        throw new MethodNotAllowedError(
          `${type} patches of packagerevisions are not supported: use a merge or JSON patch`,
        );
      return update(namespace, name, next, request);
    },
    async delete(namespace, name, options, request) {
      refuseDryRun(request, 'packagerevisions');
      const current = await deps.index.get(namespace, name);
      const lifecycle = text(specOf(current).lifecycle);
      if (lifecycle === 'Published' && recordFromObject(current).revision > 0) {
        throw new ForbiddenError(
          "published PackageRevisions must be proposed for deletion by setting spec.lifecycle to 'DeletionProposed' prior to deletion",
        );
      }
      const repositoryName = text(specOf(current).repository);
      const { repository } = await deps.repository(namespace, repositoryName);
      await repository.delete(recordFromObject(current));
      const result = await deps.index.delete(namespace, name, options, request);
      await deps.resync(namespace, repositoryName, text(specOf(current).packageName));
      return result;
    },
    deleteCollection() {
      throw new MethodNotAllowedError('deletecollection of packagerevisions is not supported');
    },
  };
}
