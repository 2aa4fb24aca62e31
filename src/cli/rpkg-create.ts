/**
 * `lading rpkg init|clone|copy`: create a Draft PackageRevision with an `init`, `clone` (from a
 * registered revision or a git URL) or `edit` task. Each prints `<name> created`.
 */
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import { createKubeClient, kubeOptions, type KubeClient, type KubeFlags } from './kube-client.js';
import {
  getRevision,
  PORCH_GROUP_VERSION,
  revisionName,
  revisionPath,
  type PackageRevisionObject,
  type SetExit,
} from './rpkg-objects.js';

interface InitFlags extends KubeFlags {
  repository?: string;
  workspace?: string;
  description: string;
  keywords?: string;
  site?: string;
}

interface CloneFlags extends KubeFlags {
  repository?: string;
  workspace: string;
  directory?: string;
  ref?: string;
  secretRef?: string;
  strategy?: string;
}

interface CopyFlags extends KubeFlags {
  workspace?: string;
}

export function registerRpkgCreate(rpkg: Command, setExit: SetExit): void {
  kubeOptions(
    rpkg
      .command('init')
      .argument('<package>', 'package name (a path such as a/b for nested packages)')
      .description('Create a new package revision (Draft) with an init task')
      .option('--repository <name>', 'Repository to create the package in (required)')
      .option('--workspace <name>', 'workspace name of the new revision (required)')
      .option('--description <text>', 'short description of the package', 'sample description')
      .option('--keywords <list>', 'comma-separated keywords')
      .option('--site <url>', 'link to the page with information about the package'),
  ).action((pkg: string, flags: InitFlags) => setExit(init(pkg, flags)));

  kubeOptions(
    rpkg
      .command('clone')
      .argument(
        '<source>',
        'a registered PackageRevision name, or a git URL: REPO.git[/DIRECTORY][@REF] as `kpt pkg get` takes it',
      )
      .argument('<package>', 'name of the new package')
      .description('Create a new package (Draft) as a clone of an existing revision or a git package')
      .option('--repository <name>', 'Repository to create the package in (required)')
      .option('--workspace <name>', 'workspace name of the new revision', 'v1')
      .option('--directory <dir>', 'directory of the package in the upstream git repository')
      .option('--ref <ref>', 'tag, branch or commit of the upstream git repository (default main)')
      .option('--secret-ref <name>', 'Secret with the credentials of the upstream git repository')
      .option('--strategy <strategy>', 'update strategy recorded with the clone (legacy)'),
  ).action((source: string, pkg: string, flags: CloneFlags) => setExit(clone(source, pkg, flags)));

  kubeOptions(
    rpkg
      .command('copy')
      .alias('edit')
      .argument('<source>', 'the PackageRevision to copy')
      .description('Create a new revision (Draft) of the same package from an existing revision')
      .option('--workspace <name>', 'workspace name of the new revision (required)'),
  ).action((source: string, flags: CopyFlags) => setExit(copy(source, flags)));
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new BadRequestError(`${flag} is required`);
  return value;
}

async function create(
  client: KubeClient,
  packageName: string,
  repository: string,
  workspace: string,
  task: Record<string, unknown>,
): Promise<number> {
  const body: PackageRevisionObject = {
    apiVersion: PORCH_GROUP_VERSION,
    kind: 'PackageRevision',
    metadata: { name: revisionName(repository, packageName, workspace), namespace: client.namespace },
    spec: { packageName, repository, workspaceName: workspace, lifecycle: 'Draft', tasks: [task] },
  };
  const created = await client.request<PackageRevisionObject>('POST', revisionPath(client), { body });
  process.stdout.write(`${created?.metadata?.name ?? body.metadata.name} created\n`);
  return 0;
}

async function init(pkg: string, flags: InitFlags): Promise<number> {
  const repository = required(flags.repository, '--repository');
  const workspace = required(flags.workspace, '--workspace');
  const keywords = (flags.keywords ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  const client = await createKubeClient(flags);
  return create(client, pkg, repository, workspace, {
    type: 'init',
    init: {
      description: flags.description,
      ...(keywords.length > 0 ? { keywords } : {}),
      ...(flags.site !== undefined ? { site: flags.site } : {}),
    },
  });
}

/** True for what porchctl treats as a git or OCI source rather than a revision name. */
export function isUrlSource(source: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || /^[^@\s]+@[^:\s]+:/.test(source) || source.endsWith('.git')
  );
}

/**
 * A git source as `kpt pkg get` reads it: `REPO.git/DIR@REF` records repo `REPO` (kpt drops
 * `.git`), directory `/DIR` and ref `REF`. A URL without `.git` is the repository itself.
 */
export function parseGitSource(source: string): { repo: string; directory: string; ref?: string } {
  // The ref's `@` comes after the host (`user@host` and `git@host:` are not refs).
  const scheme = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.exec(source)?.[0].length;
  const hostEnd = scheme ?? Math.max(source.indexOf(':'), 0);
  const at = source.indexOf('@', hostEnd);
  const [location, ref] = at > 0 ? [source.slice(0, at), source.slice(at + 1)] : [source, undefined];
  const dotGit = /\.git(?=\/|$)/.exec(location);
  const repo = dotGit ? location.slice(0, dotGit.index) : location;
  const directory = dotGit ? location.slice(dotGit.index + '.git'.length) : '';
  return {
    repo,
    directory: directory.startsWith('/') ? directory : `/${directory}`,
    ...(ref ? { ref } : {}),
  };
}

async function clone(source: string, pkg: string, flags: CloneFlags): Promise<number> {
  const repository = required(flags.repository, '--repository');
  let upstreamRef: Record<string, unknown>;
  if (isUrlSource(source)) {
    const parsed = parseGitSource(source);
    upstreamRef = {
      type: 'git',
      git: {
        repo: parsed.repo,
        ref: flags.ref ?? parsed.ref ?? 'main',
        directory: flags.directory ?? parsed.directory,
        ...(flags.secretRef ? { secretRef: { name: flags.secretRef } } : {}),
      },
    };
  } else {
    if (flags.directory !== undefined || flags.ref !== undefined || flags.secretRef !== undefined) {
      throw new BadRequestError('--directory, --ref and --secret-ref apply only to a git URL source');
    }
    upstreamRef = { upstreamRef: { name: source } };
  }
  const client = await createKubeClient(flags);
  return create(client, pkg, repository, flags.workspace, {
    type: 'clone',
    clone: { upstreamRef, ...(flags.strategy ? { strategy: flags.strategy } : {}) },
  });
}

async function copy(source: string, flags: CopyFlags): Promise<number> {
  const workspace = required(flags.workspace, '--workspace');
  const client = await createKubeClient(flags);
  const from = await getRevision(client, source);
  const { packageName, repository } = from.spec;
  if (!packageName || !repository) {
    throw new BadRequestError(`package revision "${source}" names no package or repository`);
  }
  return create(client, packageName, repository, workspace, {
    type: 'edit',
    edit: { sourceRef: { name: source } },
  });
}
