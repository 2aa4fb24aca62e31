/**
 * The files a new Draft starts with, by creation task (porch.md §2.4):
 * - `init`: a new package (`kpt pkg init`).
 * - `clone` from a registered revision (`clone.upstreamRef.upstreamRef.name`) or from a git URL
 *   (`clone.upstreamRef.git`: repo, ref, directory, secretRef): its files with merge keys,
 *   `upstream`/`upstreamLock` as `kpt pkg get` writes them, and a package-context for deployment
 *   repositories. Clones from OCI are refused for now.
 * - `edit` (`edit.sourceRef.name`): a published revision of the same package, copied as is.
 */
import { BadRequestError, NotFoundError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import { clonePackage, deploymentPackagePath, initPackage, upsertPackageContext } from '../krm/index.js';
import { GitAuthenticationError, GitError } from '../git/index.js';
import type { Repository, UpstreamPackage, UpstreamRequest } from '../repository/index.js';
import { recordFromObject, text, type RepositoryRef } from './revision-objects.js';

export interface TaskContext {
  namespace: string;
  packagePath: string;
  target: RepositoryRef;
  /** A PackageRevision of the index by name (NotFoundError when missing). */
  revision: (name: string) => Promise<KubeObject>;
  /** The open repository behind a Repository object, with its description. */
  repository: (name: string) => Promise<{ repository: Repository; ref: RepositoryRef }>;
  /** A package read from a git URL; `secretName` names a Secret of the namespace. */
  upstream: (
    request: Omit<UpstreamRequest, 'credentials'> & { secretName?: string },
  ) => Promise<UpstreamPackage>;
}

const field = (object: unknown, key: string): Record<string, unknown> =>
  isPlainObject(object) && isPlainObject(object[key]) ? object[key] : {};

function specOf(object: KubeObject): Record<string, unknown> {
  return isPlainObject(object.spec) ? object.spec : {};
}

export async function filesForTask(
  task: Record<string, unknown>,
  ctx: TaskContext,
): Promise<Map<string, string>> {
  const name = ctx.packagePath.split('/').pop() ?? ctx.packagePath;
  switch (task.type) {
    case 'init': {
      const init = field(task, 'init');
      return initPackage({
        name,
        description: text(init.description) || `${ctx.packagePath} description`,
        ...(Array.isArray(init.keywords) ? { keywords: init.keywords as string[] } : {}),
        ...(text(init.site) ? { site: text(init.site) } : {}),
      });
    }
    case 'clone':
      return cloneFiles(task, ctx, name);
    case 'edit': {
      const sourceName = text(field(field(task, 'edit'), 'sourceRef').name);
      const source = await sourceRevision(ctx, sourceName, 'edit.sourceRef.name');
      if (
        text(specOf(source).packageName) !== ctx.packagePath ||
        text(specOf(source).repository) !== ctx.target.name
      ) {
        throw new BadRequestError(
          `source revision ${sourceName} must be a revision of the same package and repository`,
        );
      }
      const { repository } = await ctx.repository(text(specOf(source).repository));
      return repository.readResources(recordFromObject(source));
    }
    default:
      throw new BadRequestError(
        `task type ${JSON.stringify(task.type)} is not supported yet: init, clone (from a registered revision) and edit are`,
      );
  }
}

async function sourceRevision(ctx: TaskContext, name: string, path: string): Promise<KubeObject> {
  if (!name) throw new BadRequestError(`${path} must name a PackageRevision`);
  let source: KubeObject;
  try {
    source = await ctx.revision(name);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new BadRequestError(`${path}: package revision "${name}" not found`, { cause: err });
    throw err;
  }
  const lifecycle = text(specOf(source).lifecycle);
  if (lifecycle !== 'Published' && lifecycle !== 'DeletionProposed') {
    throw new BadRequestError(`source revision must be published, but ${name} is ${lifecycle}`);
  }
  if (recordFromObject(source).revision < 0) {
    throw new BadRequestError(
      `${name} is the placeholder of a branch head and cannot be a source; use a published revision`,
    );
  }
  return source;
}

async function cloneFiles(
  task: Record<string, unknown>,
  ctx: TaskContext,
  name: string,
): Promise<Map<string, string>> {
  const upstream = field(field(task, 'clone'), 'upstreamRef');
  const registered = text(field(upstream, 'upstreamRef').name);
  const git = field(upstream, 'git');
  if (!registered && text(git.repo)) return withContext(await gitCloneFiles(git, ctx, name), ctx, name);
  if (!registered) {
    throw new BadRequestError(
      text(upstream.type) === 'oci' || isPlainObject(upstream.oci)
        ? 'clone from an OCI image is not supported yet: clone from a registered revision (clone.upstreamRef.upstreamRef.name) or a git repository (clone.upstreamRef.git)'
        : 'clone.upstreamRef must name a registered revision (upstreamRef.name) or a git repository (git.repo)',
    );
  }
  const source = await sourceRevision(ctx, registered, 'clone.upstreamRef.upstreamRef.name');
  const sourceSpec = specOf(source);
  const { repository, ref } = await ctx.repository(text(sourceSpec.repository));
  const record = recordFromObject(source);
  const files = await repository.readResources(record);
  const cloned = clonePackage(files, {
    name,
    upstream: {
      repo: ref.url,
      directory: [ref.directory, record.packagePath].filter(Boolean).join('/'),
      ref: record.ref,
      commit: record.commit,
    },
  }).files;
  return withContext(cloned, ctx, name, record.packagePath);
}

async function gitCloneFiles(
  git: Record<string, unknown>,
  ctx: TaskContext,
  name: string,
): Promise<Map<string, string>> {
  const repo = text(git.repo);
  const ref = text(git.ref) || 'main';
  const directory = text(git.directory);
  const secretName = text(field(git, 'secretRef').name);
  let upstream: UpstreamPackage;
  try {
    upstream = await ctx.upstream({ repo, ref, directory, ...(secretName ? { secretName } : {}) });
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    const hint =
      err instanceof GitAuthenticationError
        ? secretName
          ? ` (check the credentials in secret "${secretName}")`
          : ' (the repository needs credentials: name a Secret in `clone.upstreamRef.git.secretRef`)'
        : '';
    throw new BadRequestError(`cannot clone from git repository ${repo}: ${err.message}${hint}`, {
      cause: err,
    });
  }
  return clonePackage(upstream.files, {
    name,
    upstream: { repo, directory, ref, commit: upstream.commit },
  }).files;
}

/** Deployment repositories get a package-context (porch.md §2.4). */
function withContext(
  files: Map<string, string>,
  ctx: TaskContext,
  name: string,
  parentPackageName?: string,
): Map<string, string> {
  if (!ctx.target.deployment) return files;
  return upsertPackageContext(files, {
    name,
    packagePath: deploymentPackagePath({
      packageName: ctx.packagePath,
      ...(parentPackageName !== undefined ? { parentPackageName } : {}),
    }),
  });
}
