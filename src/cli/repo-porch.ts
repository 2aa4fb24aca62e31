/**
 * porchctl's `repo` verbs against the API: `reg` (Repository + optional basic-auth Secret),
 * `get`, `unreg` and `sync`. Each talks to the server named by the kubeconfig.
 */
import type { Command } from 'commander';
import { ApiError, BadRequestError } from '../apimachinery/index.js';
import { parseDuration } from './duration.js';
import {
  createKubeClient,
  kubeOptions,
  resourcePath,
  type KubeClient,
  type KubeFlags,
} from './kube-client.js';
import { printTable, type Table } from './table-printer.js';

const GROUP_VERSION = 'config.porch.kpt.dev/v1alpha1';
const PLURAL = 'repositories';

type SetExit = (run: Promise<number>) => void;

interface RegFlags extends KubeFlags {
  name?: string;
  description?: string;
  branch: string;
  createBranch?: boolean;
  directory: string;
  deployment?: boolean;
  syncSchedule?: string;
  repoBasicUsername?: string;
  repoBasicPassword?: string;
}

interface RepositoryObject {
  metadata: { name: string; namespace?: string };
  spec?: { git?: { secretRef?: { name?: string } }; oci?: { secretRef?: { name?: string } } };
}

/** Adds `reg`, `get`, `unreg` and `sync` to the `repo` command. */
export function registerRepoPorch(repo: Command, setExit: SetExit): void {
  kubeOptions(
    repo
      .command('reg')
      .alias('register')
      .argument('<url>', 'git repository URL (or oci://registry/path)')
      .description('Register a repository with the server (a Repository, plus a Secret for basic auth)')
      .option('--name <name>', 'Repository name (default: the last URL segment without .git)')
      .option('--description <text>', 'description of the repository')
      .option('--branch <branch>', 'git branch packages live on', 'main')
      .option('--create-branch', 'create the branch if it does not exist')
      .option('--directory <dir>', 'directory of the git repository packages live under', '/')
      .option('--deployment', 'a deployment repository (its packages are ready to deploy)')
      .option('--sync-schedule <cron>', 'cron schedule of full syncs, e.g. "*/10 * * * *"')
      .option('--repo-basic-username <user>', 'user name for basic auth to the repository')
      .option('--repo-basic-password <password>', 'password for basic auth to the repository'),
  ).action((url: string, flags: RegFlags) => setExit(register(url, flags)));

  kubeOptions(
    repo
      .command('get')
      .aliases(['ls', 'list'])
      .argument('[name]', 'a Repository name (default: all)')
      .description('List registered repositories'),
    true,
  ).action((name: string | undefined, flags: KubeFlags) => setExit(get(name, flags)));

  kubeOptions(
    repo
      .command('unreg')
      .alias('unregister')
      .argument('<name>', 'Repository name')
      .description('Unregister a repository (deletes the Repository and its <name>-auth Secret)')
      .option('--keep-auth-secret', 'keep the <name>-auth Secret'),
  ).action((name: string, flags: KubeFlags & { keepAuthSecret?: boolean }) =>
    setExit(unregister(name, flags)),
  );

  kubeOptions(
    repo
      .command('sync')
      .alias('reconcile')
      .argument('[names...]', 'Repository names')
      .description('Sync repositories now (or at --run-once) by setting `spec.sync.runOnceAt`')
      .option('--all', 'sync every repository in the namespace')
      .option('--run-once <when>', 'a delay (10m, 1h30m) or an RFC 3339 time; default: now'),
  ).action((names: string[], flags: KubeFlags & { all?: boolean; runOnce?: string }) =>
    setExit(sync(names, flags)),
  );
}

/** porchctl's default name: the URL's last path segment without `.git`. */
export function defaultRepoName(url: string): string {
  const segment = url.replace(/\/+$/, '').split('/').pop() ?? '';
  return segment.replace(/\.git$/, '');
}

async function register(url: string, flags: RegFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const name = flags.name ?? defaultRepoName(url);
  if (name === '') throw new BadRequestError(`cannot derive a name from "${url}": pass --name`);
  if ((flags.repoBasicUsername === undefined) !== (flags.repoBasicPassword === undefined)) {
    throw new BadRequestError('--repo-basic-username and --repo-basic-password must be given together');
  }
  const namespace = client.namespace;
  const oci = url.startsWith('oci://');
  let secretName: string | undefined;
  if (flags.repoBasicUsername !== undefined && flags.repoBasicPassword !== undefined) {
    secretName = `${name}-auth`;
    await client.request('POST', resourcePath('v1', 'secrets', namespace), {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: secretName, namespace },
        type: 'kubernetes.io/basic-auth',
        stringData: { username: flags.repoBasicUsername, password: flags.repoBasicPassword },
      },
    });
  }
  const secretRef = secretName === undefined ? {} : { secretRef: { name: secretName } };
  const spec: Record<string, unknown> = {
    type: oci ? 'oci' : 'git',
    content: 'Package',
    ...(flags.description !== undefined ? { description: flags.description } : {}),
    ...(flags.deployment ? { deployment: true } : {}),
    ...(flags.syncSchedule !== undefined ? { sync: { schedule: flags.syncSchedule } } : {}),
    ...(oci
      ? { oci: { registry: url.slice('oci://'.length), ...secretRef } }
      : {
          git: {
            repo: url,
            branch: flags.branch,
            directory: flags.directory,
            ...(flags.createBranch ? { createBranch: true } : {}),
            ...secretRef,
          },
        }),
  };
  try {
    await client.request('POST', resourcePath(GROUP_VERSION, PLURAL, namespace), {
      body: { apiVersion: GROUP_VERSION, kind: 'Repository', metadata: { name, namespace }, spec },
    });
  } catch (err) {
    // Do not leave behind a Secret nothing refers to.
    if (secretName !== undefined) await deleteIgnoringNotFound(client, 'secrets', secretName, 'v1');
    throw err;
  }
  process.stdout.write(`repository.config.porch.kpt.dev/${name} created\n`);
  return 0;
}

async function get(name: string | undefined, flags: KubeFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const all = name === undefined && client.allNamespaces;
  const table = await client.request<Table>(
    'GET',
    resourcePath(GROUP_VERSION, PLURAL, client.namespace, all, name),
    { table: true },
  );
  printTable(table, { withNamespace: all, ...(all ? {} : { namespace: client.namespace }) });
  return 0;
}

async function unregister(name: string, flags: KubeFlags & { keepAuthSecret?: boolean }): Promise<number> {
  const client = await createKubeClient(flags);
  const path = resourcePath(GROUP_VERSION, PLURAL, client.namespace, false, name);
  const repository = await client.request<RepositoryObject>('GET', path);
  await client.request('DELETE', path);
  process.stdout.write(`repository.config.porch.kpt.dev/${name} deleted\n`);
  const secret = repository.spec?.git?.secretRef?.name ?? repository.spec?.oci?.secretRef?.name;
  // Only the Secret `reg` created: a secretRef to another Secret may be shared.
  if (!flags.keepAuthSecret && secret === `${name}-auth`) {
    if (await deleteIgnoringNotFound(client, 'secrets', secret, 'v1')) {
      process.stdout.write(`secret/${secret} deleted\n`);
    }
  }
  return 0;
}

/** When `spec.sync.runOnceAt` should be: now, now + a duration, or an RFC 3339 time. */
export function runOnceAt(when: string | undefined, now = Date.now()): string {
  let at = now;
  if (when !== undefined) {
    if (/^\d{4}-\d{2}-\d{2}T/.test(when)) {
      at = Date.parse(when);
      if (Number.isNaN(at))
        throw new BadRequestError(`--run-once must be a duration or an RFC 3339 time, got "${when}"`);
    } else {
      at = now + parseDuration(when, '--run-once');
    }
  }
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function sync(
  names: string[],
  flags: KubeFlags & { all?: boolean; runOnce?: string },
): Promise<number> {
  if (flags.all && names.length > 0) throw new BadRequestError('pass repository names or --all, not both');
  if (!flags.all && names.length === 0) throw new BadRequestError('pass repository names or --all');
  const client = await createKubeClient(flags);
  const at = runOnceAt(flags.runOnce);
  const targets =
    names.length > 0
      ? names
      : ((
          await client.request<{ items?: RepositoryObject[] }>(
            'GET',
            resourcePath(GROUP_VERSION, PLURAL, client.namespace),
          )
        ).items?.map((r) => r.metadata.name) ?? []);
  for (const name of targets) {
    await client.request('PATCH', resourcePath(GROUP_VERSION, PLURAL, client.namespace, false, name), {
      body: { spec: { sync: { runOnceAt: at } } },
    });
    process.stdout.write(`repository.config.porch.kpt.dev/${name} sync scheduled at ${at}\n`);
  }
  return 0;
}

/** Deletes an object; false when it was already gone. */
async function deleteIgnoringNotFound(
  client: KubeClient,
  plural: string,
  name: string,
  groupVersion: string,
): Promise<boolean> {
  try {
    await client.request('DELETE', resourcePath(groupVersion, plural, client.namespace, false, name));
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.code === 404) return false;
    throw err;
  }
}
