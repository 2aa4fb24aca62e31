/**
 * The function runner over gRPC (Porch's `evaluator.proto`): the server behind `lading fn-runner`
 * and the `remote` runtime that calls one (Lading's or Porch's).
 */
export {
  FUNCTION_RUNNER_DEFAULTS,
  createFunctionRunnerServer,
  type FunctionRunnerServer,
  type FunctionRunnerServerOptions,
} from './server.js';
export {
  RemoteFunctionNotFoundError,
  createRemoteRuntime,
  type RemoteRuntime,
  type RemoteRuntimeOptions,
} from './remote-runtime.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './wire-protocol.js';
