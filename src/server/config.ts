/** `lading serve` settings, their defaults, and the checks made before anything starts. */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { BadRequestError } from '../apimachinery/index.js';

export interface ServerConfig {
  /** `host:port`; port 0 picks a free port. */
  listen: string;
  dataDir: string;
  /** `postgres://…`, or unset for SQLite in the data dir. */
  databaseUrl?: string;
  tokenFile?: string;
  /** PEM certificate and key to serve HTTPS with; with a token file and neither, a self-signed one. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** How long the change feed keeps history for watch resume and paging (ms). */
  historyRetentionMs: number;
  /** Interval of watch bookmarks (ms). */
  bookmarkIntervalMs: number;
  /** Watches without a timeout end after between this and twice this (ms). */
  minRequestTimeoutMs: number;
  /** Full sync of every Repository (ms), besides syncs on change. */
  repositorySyncIntervalMs: number;
  /** `host:port` of a function runner (Porch's evaluator.proto), tried after the local runtimes. */
  functionRunner?: string;
}

export const DEFAULTS = {
  listen: '127.0.0.1:7007',
  dataDir: './.lading',
  logLevel: 'info',
  historyRetentionMs: 5 * 60_000,
  bookmarkIntervalMs: 30_000,
  minRequestTimeoutMs: 30 * 60_000,
  repositorySyncIntervalMs: 10 * 60_000,
} as const;

export interface ListenAddress {
  host: string;
  port: number;
}

export function parseListen(listen: string): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!host || !Number.isInteger(port) || port > 65535) {
    throw new BadRequestError(
      `--listen must be host:port (e.g. 127.0.0.1:7007 or [::1]:7007), got ${JSON.stringify(listen)}`,
    );
  }
  return { host, port };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Refuses settings that would be unsafe or cannot work, with what to do instead. */
export function checkConfig(config: ServerConfig): ListenAddress {
  const address = parseListen(config.listen);
  if (!isLoopback(address.host) && config.tokenFile === undefined) {
    throw new BadRequestError(
      `refusing to listen on non-loopback address ${address.host} without authentication: pass --token-file, or listen on 127.0.0.1`,
    );
  }
  if ((config.tlsCertFile === undefined) !== (config.tlsPrivateKeyFile === undefined)) {
    throw new BadRequestError('--tls-cert-file and --tls-private-key-file must be given together');
  }
  if (
    config.databaseUrl !== undefined &&
    !/^postgres(ql)?:\/\//.test(config.databaseUrl) &&
    !config.databaseUrl.startsWith('sqlite:')
  ) {
    throw new BadRequestError(
      `--database-url must start with postgres://, postgresql:// or sqlite:, got ${JSON.stringify(config.databaseUrl)}`,
    );
  }
  return address;
}

export function databaseUrlOf(config: ServerConfig): string {
  return config.databaseUrl ?? `sqlite:${resolve(config.dataDir, 'lading.db')}`;
}

/** TLS is on when certificates are given, or when tokens are (never send tokens in clear text). */
export function servesTls(config: ServerConfig): boolean {
  return config.tlsCertFile !== undefined || config.tokenFile !== undefined;
}
