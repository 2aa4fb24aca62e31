/**
 * What a Lading function runner and a Lading client agree on beyond Porch's proto. Porch's runner
 * answers a function that exits non-zero with gRPC `INTERNAL` (the output is lost, the results and
 * stderr are folded into the message); Porch's server expects that. A Lading client asks for the
 * whole outcome instead with the request header `lading-outcome: v1`: the runner then answers `OK`
 * with the function's output ResourceList (results included), its stderr in `log`, and the exit
 * code in the trailer `lading-exit-code`. Without the header the runner behaves as Porch's.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';
import { EVALUATE_FUNCTION_PATH } from './messages.js';

export const OUTCOME_HEADER = 'lading-outcome';
export const OUTCOME_VERSION = 'v1';
export const EXIT_CODE_TRAILER = 'lading-exit-code';

/** 64 MiB: at least Porch's default request body limit, and what the issue asks as the minimum. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

const identity = (b: Buffer): Buffer => b;

/** Messages cross grpc-js as raw bytes; the handlers decode them (to answer bad input themselves). */
export const EVALUATOR_SERVICE_DEFINITION: ServiceDefinition = {
  EvaluateFunction: {
    path: EVALUATE_FUNCTION_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/** Channel/server options for the message limit in both directions. */
export function messageLimitOptions(maxMessageBytes: number): Record<string, number> {
  return {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  };
}

/** `12.0 MiB (12582912 bytes)`. */
export function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB (${bytes} bytes)`;
}
