/**
 * The `remote` function runtime: runs images on a function runner over gRPC (Lading's
 * `lading fn-runner` or Porch's function runner), speaking Porch's `evaluator.proto`. With a Lading
 * runner the whole outcome comes back (output, results, stderr, exit code); with Porch's, a function
 * that fails arrives as an error carrying its results and stderr in the message.
 *
 * The runner cannot be asked beforehand whether it knows an image, so `resolve` answers a runner
 * for every image; when the runner answers `NOT_FOUND`, the call fails with
 * `RemoteFunctionNotFoundError` and the image is remembered for `notFoundTtlMs`, during which
 * `resolve` answers `undefined` so that a chain falls through to its next runtime.
 */
import type { Client, ServiceError, StatusObject } from '@grpc/grpc-js';
import { GrpcStatus, loadGrpc, type Grpc } from './grpc-status.js';
import { decodeEvaluateResponse, encodeEvaluateRequest, EVALUATE_FUNCTION_PATH } from './messages.js';
import { resourceListFromBytes, resourceListToBytes } from './resource-list-bytes.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  EXIT_CODE_TRAILER,
  OUTCOME_HEADER,
  OUTCOME_VERSION,
  formatBytes,
  messageLimitOptions,
} from './wire-protocol.js';
import {
  FunctionRunError,
  type FunctionOutcome,
  type FunctionRunner,
  type FunctionRuntime,
  type FunctionTarget,
  type ResourceListData,
} from '../function-runtime.js';

export interface RemoteRuntimeOptions {
  /** `host:port` of the function runner (plaintext gRPC, as Porch's). */
  address: string;
  /** Largest request and response message; 64 MiB by default. */
  maxMessageBytes?: number;
  /** Deadline of each call; 60 s by default. */
  timeoutMs?: number;
  /** How long an image the runner answered `NOT_FOUND` for is not offered again; 30 s by default. */
  notFoundTtlMs?: number;
}

export interface RemoteRuntime extends FunctionRuntime {
  readonly address: string;
  /** Closes the connection; calls in flight are cancelled. */
  close(): void;
}

/** The function runner answered `NOT_FOUND`: it has no function for the image. */
export class RemoteFunctionNotFoundError extends FunctionRunError {
  constructor(message: string, options: { target: FunctionTarget; cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteFunctionNotFoundError';
  }
}

const identity = (b: Buffer): Buffer => b;

export function createRemoteRuntime(options: RemoteRuntimeOptions): RemoteRuntime {
  const { address } = options;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const notFoundTtlMs = options.notFoundTtlMs ?? 30_000;
  // grpc-js refuses an empty target when the client is made; the client is made on the first call.
  if (address === '') throw new Error('the function runner address must not be empty; give host:port');
  const notFound = new Map<string, number>();
  let client: Client | undefined;
  let closed = false;

  async function connect(): Promise<{ grpc: Grpc; client: Client }> {
    const grpc = await loadGrpc();
    if (!client) {
      client = new grpc.Client(
        address,
        grpc.credentials.createInsecure(),
        messageLimitOptions(maxMessageBytes),
      );
      if (closed) client.close();
    }
    return { grpc, client };
  }

  async function call(
    request: Buffer,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Buffer; status: StatusObject }> {
    const { grpc, client } = await connect();
    return new Promise((resolve, reject) => {
      const metadata = new grpc.Metadata();
      metadata.set(OUTCOME_HEADER, OUTCOME_VERSION);
      let result: { response?: Buffer; error?: ServiceError } = {};
      const onAbort = (): void => pending.cancel();
      const pending = client.makeUnaryRequest(
        EVALUATE_FUNCTION_PATH,
        identity,
        identity,
        request,
        metadata,
        { deadline: Date.now() + timeoutMs },
        (error, response) => {
          result = error ? { error } : response ? { response } : {};
        },
      );
      // The callback runs before `status`; the trailer (exit code) arrives with the status.
      pending.on('status', (status: StatusObject) => {
        signal?.removeEventListener('abort', onAbort);
        if (result.error || !result.response) reject(result.error ?? statusError(status));
        else resolve({ response: result.response, status });
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  function statusError(status: StatusObject): ServiceError {
    return Object.assign(new Error(`${status.code} ${status.details}`), status);
  }

  /** grpc-js says "Received message larger than max (N vs LIMIT)" on either side of the call. */
  function sizeDetails(details: string): string {
    const m = /^Received message larger than max \((\d+) vs\.? (\d+)\)/.exec(details);
    if (!m) return details;
    return `a message of ${formatBytes(Number(m[1]))} is over a limit of ${formatBytes(Number(m[2]))} (this client allows ${formatBytes(maxMessageBytes)}; the runner's limit is its --max-message-size)`;
  }

  function failure(image: string, err: ServiceError, signal: AbortSignal | undefined): FunctionRunError {
    const target = { image };
    const where = `function runner ${address}`;
    if (err.code === GrpcStatus.NOT_FOUND) {
      notFound.set(image, Date.now() + notFoundTtlMs);
      return new RemoteFunctionNotFoundError(
        `no runtime can run image "${image}": the ${where} does not know it (${err.details})`,
        { target, cause: err },
      );
    }
    if (err.code === GrpcStatus.CANCELLED && signal?.aborted) {
      return new FunctionRunError(`function "${image}" was cancelled`, { target, cause: signal.reason });
    }
    const why: Partial<Record<GrpcStatus, string>> = {
      [GrpcStatus.DEADLINE_EXCEEDED]: `function "${image}" did not finish in time on the ${where} (call timeout ${timeoutMs} ms): ${err.details}`,
      [GrpcStatus.RESOURCE_EXHAUSTED]: `function "${image}" on the ${where}: ${sizeDetails(err.details)}`,
      [GrpcStatus.UNAVAILABLE]: `the ${where} is unavailable (${err.details}); check that it runs and listens on ${address}`,
    };
    const message = why[err.code];
    if (message !== undefined) return new FunctionRunError(message, { target, cause: err });
    // Porch's runner reports a failed function as INTERNAL with its results and stderr here.
    return new FunctionRunError(`function "${image}" failed on the ${where}: ${err.details}`, {
      target,
      stderr: err.details,
      cause: err,
    });
  }

  async function run(image: string, input: ResourceListData, signal?: AbortSignal): Promise<FunctionOutcome> {
    const target = { image };
    const request = encodeEvaluateRequest({ resourceList: resourceListToBytes(input), image });
    if (request.length > maxMessageBytes) {
      throw new FunctionRunError(
        `the ResourceList for function "${image}" is ${formatBytes(request.length)}, larger than the message limit of ${formatBytes(maxMessageBytes)} for the function runner ${address}`,
        { target },
      );
    }
    let answer;
    try {
      answer = await call(request, signal);
    } catch (err) {
      throw failure(image, err as ServiceError, signal);
    }
    try {
      const decoded = decodeEvaluateResponse(answer.response);
      const output = resourceListFromBytes(decoded.resourceList);
      const exitText = answer.status.metadata.get(EXIT_CODE_TRAILER)[0];
      const exitCode = exitText === undefined ? 0 : Number(exitText);
      return {
        output,
        stderr: decoded.log.toString('utf8'),
        exitCode: Number.isInteger(exitCode) ? exitCode : 1,
      };
    } catch (err) {
      throw new FunctionRunError(
        `the function runner ${address} answered function "${image}" with an invalid response: ${(err as Error).message}`,
        { target, cause: err },
      );
    }
  }

  return {
    name: 'remote',
    address,
    resolve(target) {
      const image = target.image;
      if (image === undefined || target.exec !== undefined) return Promise.resolve(undefined);
      const until = notFound.get(image);
      if (until !== undefined) {
        if (until > Date.now()) return Promise.resolve(undefined);
        notFound.delete(image);
      }
      const runner: FunctionRunner = (input, runOptions) => run(image, input, runOptions?.signal);
      return Promise.resolve(runner);
    },
    close() {
      closed = true;
      client?.close();
    },
  };
}
