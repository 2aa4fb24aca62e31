/**
 * KRM function runtimes (builtin → exec → container → remote), the render pipeline and the
 * function runner. Everything here works on packages in memory; nothing touches git or the store.
 */
export {
  FunctionRunError,
  describeTarget,
  isFailure,
  type FunctionOutcome,
  type FunctionResult,
  type FunctionRunner,
  type FunctionRuntime,
  type FunctionTarget,
  type ResourceListData,
  type ResultSeverity,
  type RunOptions,
} from './function-runtime.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  FUNCTION_RUNNER_DEFAULTS,
  RemoteFunctionNotFoundError,
  createFunctionRunnerServer,
  createRemoteRuntime,
  type FunctionRunnerServer,
  type FunctionRunnerServerOptions,
  type RemoteRuntime,
  type RemoteRuntimeOptions,
} from './runner/index.js';
export { createRuntimeChain, resolveRunner, expandImage, DEFAULT_IMAGE_PREFIX } from './runtime-chain.js';
export { renderPackage, type RenderEvent, type RenderOptions, type RenderResult } from './render.js';
export {
  formatFunctionResultList,
  newFunctionResultList,
  type FunctionResultItem,
  type FunctionResultList,
} from './function-results.js';
export { configMapFunctionConfig, parseKeyValueArgs } from './function-config.js';
export { matchesSelector, selectResources } from './selectors.js';
export { PACKAGE_PATH_ANNOTATION } from './render-output.js';
export { evalFunction, type EvalOptions, type EvalResult } from './eval.js';
export { createExecRuntime, type ExecRuntimeOptions } from './exec-runtime.js';
export { createContainerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';
export {
  DEFAULT_MAX_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_MS,
  splitCommand,
  type ProcessLimits,
} from './process-function.js';
export { CATALOG_REGISTRIES, executableForImage, parseImageReference } from './image-mapping.js';
export { createRenderPrinter, describeRun, type RenderPrinter } from './render-printer.js';
export { createBuiltinRuntime } from './builtin/index.js';
export { FunctionFailedError } from './run-step.js';
