/**
 * gRPC status codes without loading gRPC: `@grpc/grpc-js` takes ~70 ms to import, and every
 * `lading` command (a `fn render` too) would pay for it. The runner's modules import gRPC's classes
 * only when a server or a client is made; the codes come from grpc-js's own constants module,
 * which has no dependencies.
 */
import type * as GrpcModule from '@grpc/grpc-js';

export { Status as GrpcStatus } from '@grpc/grpc-js/build/src/constants.js';

/** gRPC itself, loaded on first use. */
export type Grpc = typeof GrpcModule;

let grpc: Promise<Grpc> | undefined;

export function loadGrpc(): Promise<Grpc> {
  grpc ??= import('@grpc/grpc-js');
  return grpc;
}
