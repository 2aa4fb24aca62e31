/**
 * The messages and method paths of Porch's function runner (`evaluator.proto`, package `evaluator`)
 * and of the standard gRPC health service (`grpc.health.v1`), encoded by hand: four tiny messages do
 * not justify shipping `.proto` files and a loader. Field numbers are the protocol; keep them.
 *
 *   message EvaluateFunctionRequest  { bytes resource_list = 1; string image = 2; }
 *   message EvaluateFunctionResponse { bytes resource_list = 1; bytes log = 2; }
 *   message HealthCheckRequest  { string service = 1; }
 *   message HealthCheckResponse { ServingStatus status = 1; }
 */
import { decodeString, readFields, writeFields } from './protobuf-wire.js';

export const EVALUATE_FUNCTION_PATH = '/evaluator.FunctionEvaluator/EvaluateFunction';
export const EVALUATOR_SERVICE = 'evaluator.FunctionEvaluator';
export const HEALTH_CHECK_PATH = '/grpc.health.v1.Health/Check';
export const HEALTH_WATCH_PATH = '/grpc.health.v1.Health/Watch';

export interface EvaluateFunctionRequest {
  resourceList: Buffer;
  image: string;
}

export interface EvaluateFunctionResponse {
  resourceList: Buffer;
  log: Buffer;
}

export function encodeEvaluateRequest(message: EvaluateFunctionRequest): Buffer {
  return writeFields([
    { field: 1, bytes: message.resourceList },
    { field: 2, bytes: message.image },
  ]);
}

export function decodeEvaluateRequest(buf: Buffer): EvaluateFunctionRequest {
  let resourceList: Buffer = Buffer.alloc(0);
  let image = '';
  readFields(buf, (field, v) => {
    if (v.wireType !== 2) return;
    if (field === 1) resourceList = v.value;
    else if (field === 2) image = decodeString(v.value, '`image`');
  });
  return { resourceList, image };
}

export function encodeEvaluateResponse(message: EvaluateFunctionResponse): Buffer {
  return writeFields([
    { field: 1, bytes: message.resourceList },
    { field: 2, bytes: message.log },
  ]);
}

export function decodeEvaluateResponse(buf: Buffer): EvaluateFunctionResponse {
  let resourceList: Buffer = Buffer.alloc(0);
  let log: Buffer = Buffer.alloc(0);
  readFields(buf, (field, v) => {
    if (v.wireType !== 2) return;
    if (field === 1) resourceList = v.value;
    else if (field === 2) log = v.value;
  });
  return { resourceList, log };
}

/** `grpc.health.v1.HealthCheckResponse.ServingStatus`. */
export const ServingStatus = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
} as const;
export type ServingStatus = (typeof ServingStatus)[keyof typeof ServingStatus];

export function encodeHealthRequest(service: string): Buffer {
  return writeFields([{ field: 1, bytes: service }]);
}

export function decodeHealthRequest(buf: Buffer): string {
  let service = '';
  readFields(buf, (field, v) => {
    if (field === 1 && v.wireType === 2) service = decodeString(v.value, '`service`');
  });
  return service;
}

export function encodeHealthResponse(status: ServingStatus): Buffer {
  return writeFields([{ field: 1, varint: status }]);
}

/** Unknown enum values are kept as numbers, as proto3 does for open enums. */
export function decodeHealthResponse(buf: Buffer): number {
  let status = 0;
  readFields(buf, (field, v) => {
    if (field === 1 && v.wireType === 0) status = v.value;
  });
  return status;
}
