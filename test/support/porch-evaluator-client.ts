/**
 * A client of the function runner built the way a Porch server is: from Porch's `evaluator.proto`
 * (and the standard `grpc.health.v1` proto) compiled by protobufjs, over a generic grpc-js client.
 * It shares no code with Lading's own codec, so tests with it prove wire compatibility.
 */
import { Client, credentials, Metadata, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package evaluator;
message EvaluateFunctionRequest { bytes resource_list = 1; string image = 2; }
message ConfigMap { map<string, string> data = 1; }
message EvaluateFunctionResponse { bytes resource_list = 1; bytes log = 2; }
`;
const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
`;

const evaluator = protobuf.parse(PROTO).root;
const health = protobuf.parse(HEALTH_PROTO).root;
const Request = evaluator.lookupType('evaluator.EvaluateFunctionRequest');
const Response = evaluator.lookupType('evaluator.EvaluateFunctionResponse');
const HealthRequest = health.lookupType('grpc.health.v1.HealthCheckRequest');
const HealthResponse = health.lookupType('grpc.health.v1.HealthCheckResponse');

export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

export interface EvaluateResult {
  resourceList: Buffer;
  log: Buffer;
  trailer: Metadata;
}

export interface PorchEvaluatorClient {
  evaluate(
    image: string,
    resourceList: Buffer | string,
    options?: { deadlineMs?: number; metadata?: Record<string, string> },
  ): Promise<EvaluateResult>;
  /** The health status name (`SERVING`…) of a service; rejects with the gRPC error. */
  check(service?: string): Promise<string>;
  /** Health status names as the server streams them. */
  watch(service?: string): ClientReadableStream<string>;
  close(): void;
}

export function createPorchEvaluatorClient(
  address: string,
  maxMessageBytes = 256 * 1024 * 1024,
): PorchEvaluatorClient {
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxMessageBytes,
    'grpc.max_send_message_length': maxMessageBytes,
  });
  const encode =
    (type: protobuf.Type) =>
    (value: Record<string, unknown>): Buffer =>
      Buffer.from(type.encode(type.fromObject(value)).finish());
  const decode =
    (type: protobuf.Type) =>
    (buf: Buffer): Record<string, unknown> =>
      type.toObject(type.decode(buf), { bytes: Buffer, defaults: true, enums: String });

  return {
    evaluate(image, resourceList, options = {}) {
      const metadata = new Metadata();
      for (const [k, v] of Object.entries(options.metadata ?? {})) metadata.set(k, v);
      return new Promise((resolve, reject) => {
        let response: Record<string, unknown> | undefined;
        let error: ServiceError | null = null;
        const call = client.makeUnaryRequest(
          '/evaluator.FunctionEvaluator/EvaluateFunction',
          encode(Request),
          decode(Response),
          { resourceList: Buffer.from(resourceList), image },
          metadata,
          { deadline: Date.now() + (options.deadlineMs ?? 120_000) },
          (err, value) => {
            error = err;
            response = value;
          },
        );
        call.on('status', (status) => {
          if (error || !response) reject(error ?? new Error(`no response: ${status.details}`));
          else {
            resolve({
              resourceList: response.resourceList as Buffer,
              log: response.log as Buffer,
              trailer: status.metadata,
            });
          }
        });
      });
    },
    check(service = '') {
      return new Promise((resolve, reject) => {
        client.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          encode(HealthRequest),
          decode(HealthResponse),
          { service },
          new Metadata(),
          { deadline: Date.now() + 10_000 },
          (err, value) => {
            if (err) reject(err);
            else resolve(String(value?.status));
          },
        );
      });
    },
    watch(service = '') {
      return client.makeServerStreamRequest(
        '/grpc.health.v1.Health/Watch',
        encode(HealthRequest),
        (buf: Buffer) => String(decode(HealthResponse)(buf).status),
        { service },
        new Metadata(),
        {},
      );
    },
    close() {
      client.close();
    },
  };
}
