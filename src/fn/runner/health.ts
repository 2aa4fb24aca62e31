/**
 * The standard gRPC health service (`grpc.health.v1.Health`), as `grpc_health_probe` and Kubernetes
 * gRPC probes call it: `Check` answers the status of the server (service `""`) or of a named
 * service, and `NOT_FOUND` for a service it does not know; `Watch` streams the status and every
 * change until the caller goes away.
 */
import type {
  sendUnaryData,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { GrpcStatus } from './grpc-status.js';
import {
  HEALTH_CHECK_PATH,
  HEALTH_WATCH_PATH,
  ServingStatus,
  decodeHealthRequest,
  encodeHealthResponse,
} from './messages.js';

const identity = (b: Buffer): Buffer => b;

export const HEALTH_SERVICE: ServiceDefinition = {
  Check: {
    path: HEALTH_CHECK_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  Watch: {
    path: HEALTH_WATCH_PATH,
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export interface HealthService {
  implementation: UntypedServiceImplementation;
  /** Sets the status of every known service (and of the server, `""`). */
  setAll(status: ServingStatus): void;
  /** Ends every `Watch` stream (on shutdown, after the last status was sent). */
  endWatches(): void;
}

/** Health of `services` (plus `""`), all starting as `SERVING`. */
export function createHealthService(services: readonly string[]): HealthService {
  const statuses = new Map<string, ServingStatus>(['', ...services].map((s) => [s, ServingStatus.SERVING]));
  const watchers = new Map<(changed: string) => void, ServerWritableStream<Buffer, Buffer>>();

  const parse = (request: Buffer): string | Error => {
    try {
      return decodeHealthRequest(request);
    } catch (err) {
      return err as Error;
    }
  };

  const implementation: UntypedServiceImplementation = {
    Check(call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>) {
      const service = parse(call.request);
      if (service instanceof Error) {
        callback({ code: GrpcStatus.INVALID_ARGUMENT, details: service.message });
        return;
      }
      const status = statuses.get(service);
      if (status === undefined) {
        callback({ code: GrpcStatus.NOT_FOUND, details: `unknown service ${JSON.stringify(service)}` });
        return;
      }
      callback(null, encodeHealthResponse(status));
    },
    Watch(call: ServerWritableStream<Buffer, Buffer>) {
      const service = parse(call.request);
      if (service instanceof Error) {
        call.emit('error', { code: GrpcStatus.INVALID_ARGUMENT, details: service.message });
        return;
      }
      const send = (): void => {
        call.write(encodeHealthResponse(statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN));
      };
      const onChange = (changed: string): void => {
        if (changed === service) send();
      };
      watchers.set(onChange, call);
      call.on('cancelled', () => watchers.delete(onChange));
      send();
    },
  };

  return {
    implementation,
    setAll(status) {
      for (const service of statuses.keys()) {
        if (statuses.get(service) === status) continue;
        statuses.set(service, status);
        for (const w of watchers.keys()) w(service);
      }
    },
    endWatches() {
      for (const call of watchers.values()) call.end();
      watchers.clear();
    },
  };
}
