/**
 * `lading repo …`: repositories. `create` makes a git repository Lading hosts; `reg`, `get`,
 * `unreg` and `sync` (repo-porch.ts) are porchctl's verbs against the API.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { createHostedRepository } from '../git/index.js';
import { DEFAULTS } from '../server/index.js';
import { registerRepoPorch } from './repo-porch.js';

export function registerRepo(program: Command, setExit: (run: Promise<number>) => void): void {
  const repo = program.command('repo').description('Manage package repositories');
  repo
    .command('create')
    .argument('<name>', 'repository name (a DNS label)')
    .description('Create a git repository hosted by `lading serve` at /git/<name>.git')
    .option('--data-dir <dir>', 'the data dir of `lading serve`', DEFAULTS.dataDir)
    .action((name: string, flags: { dataDir: string }) => setExit(create(name, flags.dataDir)));
  registerRepoPorch(repo, setExit);
}

async function create(name: string, dataDir: string): Promise<number> {
  await createHostedRepository(dataDir, name);
  const server = (await serverUrl(dataDir)) ?? `http://${DEFAULTS.listen}`;
  process.stdout.write(`repository "${name}" created: ${server}/git/${name}.git\n`);
  return 0;
}

/** The server URL from the kubeconfig `lading serve` wrote, if it has run. */
async function serverUrl(dataDir: string): Promise<string | undefined> {
  try {
    const config = parse(await readFile(join(dataDir, 'kubeconfig'), 'utf8')) as {
      clusters?: { cluster?: { server?: string } }[];
    };
    return config.clusters?.[0]?.cluster?.server;
  } catch {
    return undefined;
  }
}
