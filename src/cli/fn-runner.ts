/**
 * `lading fn-runner`: serves Porch's function runner protocol (`evaluator.proto` over plaintext
 * gRPC, plus gRPC health) until SIGTERM/SIGINT, running functions with Lading's runtimes.
 */
import type { Command } from 'commander';
import { destination, pino, type Logger } from 'pino';
import { BadRequestError } from '../apimachinery/index.js';
import { createBuiltinRuntime } from '../fn/builtin/index.js';
import {
  FUNCTION_RUNNER_DEFAULTS,
  createFunctionRunnerServer,
  createRuntimeChain,
  type FunctionRuntime,
} from '../fn/index.js';
import { isLoopback, parseListen } from '../server/index.js';
import { parseDuration } from './duration.js';

interface FnRunnerFlags {
  listen: string;
  maxMessageSize: string;
  concurrency: string;
  maxQueue: string;
  timeout: string;
  logLevel: string;
  allowUnauthenticated?: boolean;
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  K: 1000,
  KB: 1000,
  M: 1000 ** 2,
  MB: 1000 ** 2,
  G: 1000 ** 3,
  GB: 1000 ** 3,
  Ki: 1024,
  KiB: 1024,
  Mi: 1024 ** 2,
  MiB: 1024 ** 2,
  Gi: 1024 ** 3,
  GiB: 1024 ** 3,
};

/** `67108864`, `64Mi`, `64MiB`, `100M`: a byte count (Kubernetes quantity suffixes, or *B forms). */
export function parseByteSize(text: string, flag: string): number {
  const m = /^(\d+)([KMG]i?B?|B)?$/.exec(text.trim());
  const unit = SIZE_UNITS[m?.[2] ?? ''];
  const value = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  // grpc-js takes a 32-bit signed length.
  if (!Number.isSafeInteger(value) || value < 1 || value > 2 ** 31 - 1) {
    throw new BadRequestError(
      `${flag} must be a size like 64Mi, 128MiB or 67108864 (at most 2Gi - 1 byte), got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

function parseCount(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new BadRequestError(
      `${flag} must be a whole number of at least ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * The runtimes the runner offers: builtin catalog functions first.
 * The exec runtime (image → executable, FunctionConfig) joins the chain once it exists.
 */
function runnerRuntime(): FunctionRuntime {
  return createRuntimeChain([createBuiltinRuntime()]);
}

export function registerFnRunner(program: Command, setExit: (run: Promise<number>) => void): void {
  const d = FUNCTION_RUNNER_DEFAULTS;
  program
    .command('fn-runner')
    .description("Serve KRM functions over Porch's function runner gRPC protocol (evaluator.proto)")
    .option('--listen <host:port>', 'address to listen on (plaintext gRPC, as Porch)', d.listen)
    .option('--max-message-size <size>', 'largest request and response message', '64Mi')
    .option('--concurrency <n>', 'function calls evaluated at once', String(d.concurrency))
    .option(
      '--max-queue <n>',
      'calls that may wait for a slot; more are refused (RESOURCE_EXHAUSTED)',
      String(d.maxQueue),
    )
    .option(
      '--timeout <duration>',
      'each call is answered within this time (DEADLINE_EXCEEDED)',
      `${d.callTimeoutMs / 1000}s`,
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .option(
      '--allow-unauthenticated',
      'allow a non-loopback --listen address: the protocol has no authentication, so protect the port (e.g. a NetworkPolicy)',
    )
    .action((flags: FnRunnerFlags) => setExit(fnRunner(flags)));
}

async function fnRunner(flags: FnRunnerFlags): Promise<number> {
  const address = parseListen(flags.listen);
  if (!isLoopback(address.host) && !flags.allowUnauthenticated) {
    throw new BadRequestError(
      `refusing to listen on non-loopback address ${address.host}: the function runner protocol has no authentication; pass --allow-unauthenticated (and restrict who can reach the port), or listen on 127.0.0.1`,
    );
  }
  const log: Logger = pino({ level: flags.logLevel }, destination({ sync: false }));
  const maxMessageBytes = parseByteSize(flags.maxMessageSize, '--max-message-size');
  const concurrency = parseCount(flags.concurrency, '--concurrency', 1);
  const maxQueue = parseCount(flags.maxQueue, '--max-queue', 0);
  const callTimeoutMs = parseDuration(flags.timeout, '--timeout');
  const runtime = runnerRuntime();
  const server = await createFunctionRunnerServer({
    runtime,
    listen: flags.listen,
    maxMessageBytes,
    concurrency,
    maxQueue,
    callTimeoutMs,
    log,
  });
  log.info(
    {
      address: server.address,
      runtimes: runtime.name,
      maxMessageBytes,
      concurrency,
      maxQueue,
      callTimeoutMs,
    },
    'function runner is serving',
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await server.close();
  log.flush();
  return 0;
}
