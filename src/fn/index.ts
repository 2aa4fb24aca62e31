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
