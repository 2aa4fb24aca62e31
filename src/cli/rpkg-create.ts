/**
 * `lading rpkg init|clone|copy`: create a Draft PackageRevision with an `init`, `clone` (from a
 * registered revision) or `edit` task. Each prints `<name> created`.
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
      .argument('<source>', 'a registered PackageRevision name (git and OCI URLs are not supported yet)')
      .argument('<package>', 'name of the new package')
      .description('Create a new package (Draft) as a clone of an existing revision')
      .option('--repository <name>', 'Repository to create the package in (required)')
      .option('--workspace <name>', 'workspace name of the new revision', 'v1'),
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

async function clone(source: string, pkg: string, flags: CloneFlags): Promise<number> {
  if (isUrlSource(source)) {
    throw new BadRequestError(
      `cloning from "${source}" is not supported by the server yet; clone a registered package revision`,
    );
  }
  const repository = required(flags.repository, '--repository');
  const client = await createKubeClient(flags);
  return create(client, pkg, repository, flags.workspace, {
    type: 'clone',
    clone: { upstreamRef: { upstreamRef: { name: source } } },
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
