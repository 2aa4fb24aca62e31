/**
 * The function runner: serves Porch's `evaluator.FunctionEvaluator/EvaluateFunction` over gRPC
 * (plaintext, as Porch's runner) with any `FunctionRuntime` behind it, plus the standard health
 * service. Every call is bounded: message size in both directions, a concurrency limit with a
 * bounded wait queue, and a per-call timeout. An image no runtime resolves is gRPC `NOT_FOUND`.
 */
import type { Metadata, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { GrpcStatus, loadGrpc } from './grpc-status.js';
import type { Logger } from 'pino';
import { createCallLimiter, LimiterFullError } from './call-limiter.js';
import { HEALTH_SERVICE, createHealthService } from './health.js';
import {
  EVALUATOR_SERVICE,
  ServingStatus,
  decodeEvaluateRequest,
  encodeEvaluateResponse,
} from './messages.js';
import { resourceListFromBytes, resourceListToBytes } from './resource-list-bytes.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  EVALUATOR_SERVICE_DEFINITION,
  EXIT_CODE_TRAILER,
  OUTCOME_HEADER,
  OUTCOME_VERSION,
  formatBytes,
  messageLimitOptions,
} from './wire-protocol.js';
import { FunctionRunError, type FunctionOutcome, type FunctionRuntime } from '../function-runtime.js';

export const FUNCTION_RUNNER_DEFAULTS = {
  listen: '127.0.0.1:9445',
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  concurrency: 8,
  maxQueue: 64,
  callTimeoutMs: 60_000,
  shutdownGraceMs: 10_000,
} as const;

export interface FunctionRunnerServerOptions {
  /** Resolves each call's image; usually the builtin → exec → container chain. */
  runtime: FunctionRuntime;
  /** `host:port` (`[::1]:port` for IPv6); port 0 picks a free port. */
  listen: string;
  /** Largest request and response message; at least 64 MiB by default. */
  maxMessageBytes?: number;
  /** Calls evaluated at once. */
  concurrency?: number;
  /** Calls that may wait for a slot; past that a call is refused with `RESOURCE_EXHAUSTED`. */
  maxQueue?: number;
  /** Each call (waiting included) is answered within this time, `DEADLINE_EXCEEDED` otherwise. */
  callTimeoutMs?: number;
  /** How long `close()` lets running calls finish before cancelling them. */
  shutdownGraceMs?: number;
  /** Aborting it closes the server (as `close()`). */
  signal?: AbortSignal;
  log?: Logger;
}

export interface FunctionRunnerServer {
  /** `host:port` the runner answers on (the port chosen when 0 was asked). */
  readonly address: string;
  readonly port: number;
  /** Calls evaluating now and calls waiting for a slot. */
  readonly running: number;
  readonly waiting: number;
  /** Health turns `NOT_SERVING`, new calls are refused, running ones get the grace period. */
  close(): Promise<void>;
}

/** A call's answer when it is not `OK`. */
class CallStatus extends Error {
  constructor(
    readonly code: GrpcStatus,
    details: string,
  ) {
    super(details);
  }
}

class CallTimeout extends Error {}

/** Porch's runner folds a failed function's results into the status message; so do we. */
function porchFailureMessage(image: string, outcome: FunctionOutcome): string {
  const results = outcome.output.results
    .filter((r) => r.severity === 'error' || r.severity === undefined)
    .map((r) => {
      const ref = r.resourceRef;
      const what = ref
        ? `${ref.apiVersion ?? ''}/${ref.kind ?? ''}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name ?? ''} `
        : '';
      return `[${r.severity ?? 'error'}] ${what}${r.field?.path ? `${r.field.path} ` : ''}${r.message}`;
    });
  return results.length > 0
    ? `failed to evaluate function "${image}" with structured results: ${results.join('\n\n')} and stderr: ${outcome.stderr}`
    : `failed to evaluate function "${image}" (exit code ${outcome.exitCode}) with stderr ${outcome.stderr}`;
}

function rejectWhenAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason as Error);
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  aborted.catch(() => undefined);
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

export async function createFunctionRunnerServer(
  options: FunctionRunnerServerOptions,
): Promise<FunctionRunnerServer> {
  const maxMessageBytes = options.maxMessageBytes ?? FUNCTION_RUNNER_DEFAULTS.maxMessageBytes;
  const callTimeoutMs = options.callTimeoutMs ?? FUNCTION_RUNNER_DEFAULTS.callTimeoutMs;
  const graceMs = options.shutdownGraceMs ?? FUNCTION_RUNNER_DEFAULTS.shutdownGraceMs;
  const limiter = createCallLimiter(
    options.concurrency ?? FUNCTION_RUNNER_DEFAULTS.concurrency,
    options.maxQueue ?? FUNCTION_RUNNER_DEFAULTS.maxQueue,
  );
  const { runtime, log } = options;
  const grpc = await loadGrpc();
  const health = createHealthService([EVALUATOR_SERVICE]);

  /** One call, from request bytes to response bytes; throws `CallStatus` for any other answer. */
  async function evaluate(
    request: Buffer,
    metadata: Metadata,
    signal: AbortSignal,
    deadline: number,
  ): Promise<{ response: Buffer; trailer?: Metadata; image: string; exitCode: number }> {
    let decoded;
    try {
      decoded = decodeEvaluateRequest(request);
    } catch (err) {
      throw new CallStatus(GrpcStatus.INVALID_ARGUMENT, (err as Error).message);
    }
    const { image } = decoded;
    if (image === '')
      throw new CallStatus(GrpcStatus.INVALID_ARGUMENT, '`image` must be set to the function image to run');
    let release;
    try {
      release = await limiter.acquire(signal);
    } catch (err) {
      if (!(err instanceof LimiterFullError)) throw err;
      throw new CallStatus(
        GrpcStatus.RESOURCE_EXHAUSTED,
        `the function runner is busy (${err.message}); retry later, or raise --concurrency or --max-queue`,
      );
    }
    let run: Promise<FunctionOutcome> | undefined;
    try {
      const runner = await runtime.resolve({ image });
      if (!runner) {
        throw new CallStatus(
          GrpcStatus.NOT_FOUND,
          `no runtime of this function runner can run image "${image}" (tried: ${runtime.name})`,
        );
      }
      let input;
      try {
        input = resourceListFromBytes(decoded.resourceList);
      } catch (err) {
        throw new CallStatus(GrpcStatus.INVALID_ARGUMENT, `\`resource_list\`: ${(err as Error).message}`);
      }
      // Parsing a large list is long synchronous work: let other calls' I/O in, and give up if
      // the call's time is over already.
      await new Promise((resolve) => setImmediate(resolve));
      if (performance.now() >= deadline) throw new CallTimeout();
      signal.throwIfAborted();
      run = runner(input, { signal });
      const outcome = await rejectWhenAborted(run, signal);
      await new Promise((resolve) => setImmediate(resolve));
      const wantsOutcome = metadata.get(OUTCOME_HEADER).includes(OUTCOME_VERSION);
      if (outcome.exitCode !== 0 && !wantsOutcome) {
        throw new CallStatus(GrpcStatus.INTERNAL, porchFailureMessage(image, outcome));
      }
      const response = encodeEvaluateResponse({
        resourceList: resourceListToBytes(outcome.output),
        log: Buffer.from(outcome.stderr, 'utf8'),
      });
      if (response.length > maxMessageBytes) {
        throw new CallStatus(
          GrpcStatus.RESOURCE_EXHAUSTED,
          `the output of function "${image}" is ${formatBytes(response.length)}, larger than this function runner's message limit of ${formatBytes(maxMessageBytes)}; raise --max-message-size`,
        );
      }
      if (!wantsOutcome) return { response, image, exitCode: outcome.exitCode };
      const trailer = new grpc.Metadata();
      trailer.set(EXIT_CODE_TRAILER, String(outcome.exitCode));
      return { response, trailer, image, exitCode: outcome.exitCode };
    } finally {
      // The slot is held until the function really stops, even when the call was answered early.
      if (run) run.then(release, release);
      else release();
    }
  }

  function toStatus(err: unknown, image: string, signal: AbortSignal): CallStatus {
    if (err instanceof CallStatus) return err;
    if (err instanceof CallTimeout || signal.reason instanceof CallTimeout) {
      return new CallStatus(
        GrpcStatus.DEADLINE_EXCEEDED,
        `function "${image}" did not finish within the function runner's call timeout of ${callTimeoutMs} ms (--timeout)`,
      );
    }
    if (signal.aborted)
      return new CallStatus(GrpcStatus.CANCELLED, `call cancelled: ${String(signal.reason)}`);
    if (err instanceof FunctionRunError) {
      const stderr = err.stderr ? `\nstderr:\n${err.stderr}` : '';
      return new CallStatus(
        GrpcStatus.INTERNAL,
        `function "${image}" could not run: ${err.message}${stderr}`,
      );
    }
    return new CallStatus(
      GrpcStatus.INTERNAL,
      `function "${image}" failed in the function runner: ${err instanceof Error ? err.message : String(err)}`,
    );
  }

  const implementation = {
    EvaluateFunction(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      const started = performance.now();
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new CallTimeout()), callTimeoutMs);
      const onCancel = (): void => controller.abort(new Error('the client cancelled the call'));
      call.on('cancelled', onCancel);
      const finish = (): void => {
        clearTimeout(timer);
        call.off('cancelled', onCancel);
      };
      let image = '';
      evaluate(call.request, call.metadata, controller.signal, started + callTimeoutMs).then(
        (result) => {
          finish();
          log?.debug(
            { image: result.image, exitCode: result.exitCode, ms: Math.round(performance.now() - started) },
            'function evaluated',
          );
          callback(null, result.response, result.trailer);
        },
        (err: unknown) => {
          finish();
          try {
            image = decodeEvaluateRequest(call.request).image;
          } catch {
            // the request was not decodable; the status says so
          }
          const status = toStatus(err, image, controller.signal);
          const level = status.code === GrpcStatus.INTERNAL ? 'warn' : 'debug';
          log?.[level](
            {
              image,
              code: GrpcStatus[status.code],
              ms: Math.round(performance.now() - started),
              err: status.message,
            },
            'function call failed',
          );
          callback({ code: status.code, details: status.message });
        },
      );
    },
  };

  // A request over the limit is refused by grpc-js itself, before it is buffered:
  // RESOURCE_EXHAUSTED "Received message larger than max (N vs LIMIT)".
  const server = new grpc.Server(messageLimitOptions(maxMessageBytes));
  server.addService(EVALUATOR_SERVICE_DEFINITION, implementation);
  server.addService(HEALTH_SERVICE, health.implementation);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(options.listen, grpc.ServerCredentials.createInsecure(), (err, bound) => {
      if (err)
        reject(
          new Error(`function runner could not listen on ${options.listen}: ${err.message}`, { cause: err }),
        );
      else resolve(bound);
    });
  });
  const host = options.listen.slice(0, options.listen.lastIndexOf(':'));
  const address = `${host}:${port}`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      health.setAll(ServingStatus.NOT_SERVING);
      health.endWatches();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      log?.info({ address }, 'function runner stopped');
    })();
    return closed;
  };
  options.signal?.addEventListener('abort', () => void close(), { once: true });
  if (options.signal?.aborted) await close();

  return {
    address,
    port,
    get running() {
      return limiter.running;
    },
    get waiting() {
      return limiter.waiting;
    },
    close,
  };
}
