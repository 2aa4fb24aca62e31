/** Flags, output and the local store shared by the `lading pkg …` commands. */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import { createRegistryClient } from '../build/index.js';
import { OciLayoutStore, type RegistryClient } from '../oci/index.js';
import { DEFAULTS } from '../server/index.js';
import { formatTable } from './table-printer.js';

export type Output = 'table' | 'json';

export interface StoreFlags {
  dataDir: string;
  store?: string;
}

export interface RemoteFlags {
  plainHttp: boolean;
  insecure: boolean;
  registryConfig?: string;
  concurrency: string;
}

/** The local store: `--store`, else `<data-dir>/oci`. */
export async function openStore(flags: StoreFlags): Promise<OciLayoutStore> {
  return OciLayoutStore.open(resolve(flags.store ?? join(flags.dataDir, 'oci')));
}

export function checkOutput(value: string): Output {
  if (value !== 'table' && value !== 'json')
    throw new BadRequestError(`--output must be "table" or "json", not "${value}"`);
  return value;
}

export function collectKv(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new BadRequestError(`expected KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function table(columns: string[], rows: unknown[][]): string {
  return formatTable({
    columnDefinitions: columns.map((name) => ({ name })),
    rows: rows.map((cells) => ({ cells })),
  });
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'data dir; the local image store is <data-dir>/oci', DEFAULTS.dataDir)
    .option('--store <dir>', 'local OCI image layout to use instead of <data-dir>/oci');
}

export function remoteOptions(cmd: Command): Command {
  return cmd
    .option('--plain-http', 'reach every registry over plain HTTP (loopback registries always are)', false)
    .option(
      '--insecure',
      'HTTPS without certificate verification, plain HTTP if the registry has no TLS',
      false,
    )
    .option(
      '--registry-config <file>',
      'docker config.json with registry credentials (default $DOCKER_CONFIG/config.json, ~/.docker/config.json, then $REGISTRY_AUTH_FILE)',
    )
    .option('--concurrency <n>', 'blob transfers in flight at once', '6');
}

export function concurrency(flags: RemoteFlags): number {
  const n = Number(flags.concurrency);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new BadRequestError(
      `--concurrency must be a whole number from 1 to 64, not "${flags.concurrency}"`,
    );
  return n;
}

export function registryClient(flags: RemoteFlags): Promise<RegistryClient> {
  return createRegistryClient({
    plainHttp: flags.plainHttp,
    insecure: flags.insecure,
    ...(flags.registryConfig !== undefined ? { dockerConfig: flags.registryConfig } : {}),
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
