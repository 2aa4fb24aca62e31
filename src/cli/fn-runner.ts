/**
 * `lading fn-runner`: serves Porch's function runner protocol (`evaluator.proto` over plaintext
 * gRPC, plus gRPC health) until SIGTERM/SIGINT, running functions with Lading's runtimes.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { destination, pino, type Logger } from 'pino';
import { BadRequestError } from '../apimachinery/index.js';
import type { FunctionConfig } from '../apis/index.js';
import {
  FUNCTION_RUNNER_DEFAULTS,
  createBuiltinRuntime,
  createContainerRuntime,
  createExecRuntime,
  createFunctionRunnerServer,
  createRuntimeChain,
  type FunctionRuntime,
} from '../fn/index.js';
import { parseYamlFile } from '../krm/index.js';
import { isLoopback, parseListen } from '../server/index.js';
import { parseDuration } from './duration.js';
import { untilTerminated } from './signals.js';

interface FnRunnerFlags {
  listen: string;
  maxMessageSize: string;
  concurrency: string;
  maxQueue: string;
  timeout: string;
  logLevel: string;
  allowUnauthenticated?: boolean;
  functionConfig: string[];
  containerRuntime?: boolean;
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
 * FunctionConfig objects (`config.porch.kpt.dev/v1alpha1`) of a YAML file; only those with a
 * `binaryExecutor` matter here. A relative `path` is relative to the file.
 */
export async function loadFunctionConfigs(file: string): Promise<FunctionConfig[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new BadRequestError(`--function-config ${file}: ${(err as Error).message}`, { cause: err });
  }
  const configs: FunctionConfig[] = [];
  for (const [i, doc] of parseYamlFile(file, text).documents.entries()) {
    const value = doc.doc.toJS() as Partial<FunctionConfig> | null;
    if (value?.kind !== 'FunctionConfig') continue;
    const spec = value.spec;
    const where = `--function-config ${file}: document ${i} (${value.metadata?.name ?? 'unnamed'})`;
    if (typeof spec?.image !== 'string' || spec.image === '') {
      throw new BadRequestError(`${where}: \`spec.image\` must be the function's image name`);
    }
    const executor = spec.binaryExecutor;
    if (executor === undefined) continue;
    if (typeof executor.path !== 'string' || executor.path === '') {
      throw new BadRequestError(`${where}: \`spec.binaryExecutor.path\` must name an executable`);
    }
    const path = isAbsolute(executor.path) ? executor.path : resolve(dirname(file), executor.path);
    configs.push({ ...value, spec: { ...spec, binaryExecutor: { ...executor, path } } });
  }
  return configs;
}

/**
 * The runtimes the runner offers, in order: builtin catalog functions; images mapped to
 * executables by FunctionConfigs; containers (docker/podman) only when asked for, since any caller
 * could then run any image on this host. A caller cannot name an executable, only an image.
 */
async function runnerRuntime(flags: FnRunnerFlags, callTimeoutMs: number): Promise<FunctionRuntime> {
  const functionConfigs = (await Promise.all(flags.functionConfig.map(loadFunctionConfigs))).flat();
  return createRuntimeChain([
    createBuiltinRuntime(),
    ...(functionConfigs.length > 0
      ? [createExecRuntime({ allowExec: false, functionConfigs, timeoutMs: callTimeoutMs })]
      : []),
    ...(flags.containerRuntime ? [createContainerRuntime({ timeoutMs: callTimeoutMs })] : []),
  ]);
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
      '--function-config <file>',
      'YAML with FunctionConfig objects (config.porch.kpt.dev/v1alpha1) mapping images to executables (binaryExecutor); repeatable',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--container-runtime', 'run other images with docker or podman when one is installed')
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
  const runtime = await runnerRuntime(flags, callTimeoutMs);
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
  await untilTerminated();
  await server.close();
  log.flush();
  return 0;
}
