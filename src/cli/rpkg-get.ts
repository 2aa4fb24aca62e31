/** `lading rpkg get [NAME]` (alias `list`): PackageRevisions as the server prints them. */
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import { createKubeClient, kubeOptions, resourcePath, type KubeFlags } from './kube-client.js';
import { printTable, type Table } from './table-printer.js';

const GROUP_VERSION = 'porch.kpt.dev/v1alpha1';
const PLURAL = 'packagerevisions';

interface GetFlags extends KubeFlags {
  name?: string;
  revision?: string;
  workspace?: string;
}

export function registerRpkgGet(rpkg: Command, setExit: (run: Promise<number>) => void): void {
  kubeOptions(
    rpkg
      .command('get')
      .alias('list')
      .argument('[name]', 'a PackageRevision name (default: all)')
      .description('List package revisions')
      .option('--name <text>', 'only packages whose name contains this text')
      .option('--revision <number>', 'only this revision number (-1: placeholders; -2: any)')
      .option('--workspace <name>', 'only revisions of this workspace'),
    true,
  ).action((name: string | undefined, flags: GetFlags) => setExit(get(name, flags)));
}

/** The field selector for `--revision` and `--workspace`; undefined when there is none. */
export function fieldSelector(flags: Pick<GetFlags, 'revision' | 'workspace'>): string | undefined {
  const terms: string[] = [];
  if (flags.revision !== undefined) {
    if (!/^-?\d+$/.test(flags.revision)) {
      throw new BadRequestError(`--revision must be an integer, got "${flags.revision}"`);
    }
    if (Number(flags.revision) !== -2) terms.push(`spec.revision=${Number(flags.revision)}`);
  }
  if (flags.workspace !== undefined) terms.push(`spec.workspaceName=${flags.workspace}`);
  return terms.length === 0 ? undefined : terms.join(',');
}

async function get(name: string | undefined, flags: GetFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const all = name === undefined && client.allNamespaces;
  const table = await client.request<Table>(
    'GET',
    resourcePath(GROUP_VERSION, PLURAL, client.namespace, all, name),
    { table: true, query: name === undefined ? { fieldSelector: fieldSelector(flags) } : {} },
  );
  const filter = flags.name;
  if (filter !== undefined && name === undefined) {
    const column = table.columnDefinitions?.findIndex((c) => c.name === 'Package') ?? -1;
    table.rows = (table.rows ?? []).filter((row) => {
      const cell = row.cells?.[column];
      return typeof cell === 'string' && cell.includes(filter);
    });
  }
  printTable(table, { withNamespace: all, ...(all ? {} : { namespace: client.namespace }) });
  return 0;
}
