/** `lading serve`: runs the server until SIGTERM/SIGINT, then shuts down gracefully. */
import type { Command } from 'commander';
import { DEFAULTS, startServer, type ServerConfig } from '../server/index.js';
import { parseDuration } from './duration.js';
import { untilTerminated } from './signals.js';

interface ServeFlags {
  listen: string;
  dataDir: string;
  databaseUrl?: string;
  tokenFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  logLevel: ServerConfig['logLevel'];
  historyRetention: string;
  bookmarkInterval: string;
  minRequestTimeout: string;
  repositorySyncInterval: string;
  functionRunner?: string;
}

export function registerServe(program: Command, setExit: (run: Promise<number>) => void): void {
  program
    .command('serve')
    .description('Run the Lading API server and its controllers')
    .option('--listen <host:port>', 'address to listen on', DEFAULTS.listen)
    .option('--data-dir <dir>', 'where Lading keeps its data (SQLite database, kubeconfig)', DEFAULTS.dataDir)
    .option(
      '--database-url <url>',
      'postgres://… to store everything in PostgreSQL (default: SQLite in the data dir)',
    )
    .option(
      '--token-file <file>',
      'bearer tokens, one "token,user,uid[,\\"groups\\"]" per line; required off loopback',
    )
    .option(
      '--tls-cert-file <file>',
      'PEM certificate to serve HTTPS with (default with --token-file: self-signed)',
    )
    .option('--tls-private-key-file <file>', 'PEM private key of --tls-cert-file')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', DEFAULTS.logLevel)
    .option('--history-retention <duration>', 'how long watch history is kept (watch resume, paging)', '5m')
    .option('--bookmark-interval <duration>', 'interval of watch bookmarks', '30s')
    .option(
      '--repository-sync-interval <duration>',
      'full sync of every Repository, besides syncs on change',
      '10m',
    )
    .option(
      '--min-request-timeout <duration>',
      'watches without timeoutSeconds end after between this and twice this',
      '30m',
    )
    .option(
      '--function-runner <host:port>',
      "function runner (Porch's gRPC protocol) for images the local runtimes cannot run",
    )
    .action((flags: ServeFlags) => setExit(serve(flags)));
}

async function serve(flags: ServeFlags): Promise<number> {
  const config: ServerConfig = {
    listen: flags.listen,
    dataDir: flags.dataDir,
    logLevel: flags.logLevel,
    historyRetentionMs: parseDuration(flags.historyRetention, '--history-retention'),
    bookmarkIntervalMs: parseDuration(flags.bookmarkInterval, '--bookmark-interval'),
    minRequestTimeoutMs: parseDuration(flags.minRequestTimeout, '--min-request-timeout'),
    repositorySyncIntervalMs: parseDuration(flags.repositorySyncInterval, '--repository-sync-interval'),
    ...(flags.databaseUrl ? { databaseUrl: flags.databaseUrl } : {}),
    ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
    ...(flags.functionRunner ? { functionRunner: flags.functionRunner } : {}),
    ...(flags.tlsCertFile ? { tlsCertFile: flags.tlsCertFile } : {}),
    ...(flags.tlsPrivateKeyFile ? { tlsPrivateKeyFile: flags.tlsPrivateKeyFile } : {}),
  };
  const server = await startServer(config);
  await untilTerminated();
  await server.close();
  return 0;
}
