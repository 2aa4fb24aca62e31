/**
 * The contract every function runtime implements (builtin, exec, container, remote) and the data
 * that crosses it. A runtime *resolves* a pipeline step's target to a runner, or answers `undefined`
 * when it cannot run it so that the chain falls through to the next runtime. A runner takes a
 * ResourceList in memory and returns the function's output ResourceList, its stderr and exit code;
 * a function that ran and failed is an outcome (non-zero `exitCode`, `error` results), not a throw.
 * Runners throw `FunctionRunError` only when the function could not run to completion (timeout,
 * output too large, output not a ResourceList, no runtime for the image…).
 */
import type { Document } from 'yaml';
import type { KrmResource } from '../krm/index.js';

export type ResultSeverity = 'error' | 'warning' | 'info';

/** One entry of a ResourceList's `results` (kpt's `framework.Result`). */
export interface FunctionResult {
  message: string;
  severity?: ResultSeverity;
  resourceRef?: { apiVersion?: string; kind?: string; name?: string; namespace?: string };
  field?: { path?: string; currentValue?: unknown; proposedValue?: unknown };
  file?: { path?: string; index?: number };
  tags?: Record<string, string>;
}

/** What a pipeline step names: a function image, or a local executable. Exactly one is set. */
export interface FunctionTarget {
  image?: string;
  exec?: string;
}

/**
 * A ResourceList in memory: items keep their file path and index (the tracking annotations are
 * applied when the list is serialized for an out-of-process function and read back from its
 * output). Runners may change the given items in place; callers must not reuse the input.
 */
export interface ResourceListData {
  items: KrmResource[];
  functionConfig?: Document | undefined;
  results: FunctionResult[];
}

export interface FunctionOutcome {
  output: ResourceListData;
  /** What the function wrote to stderr (its log); empty for builtins unless they log. */
  stderr: string;
  /**
   * 0 on success. kpt (and Lading's render and eval) fail a function on a non-zero exit code alone;
   * function SDKs exit non-zero when they report an `error` result.
   */
  exitCode: number;
}

export interface RunOptions {
  signal?: AbortSignal;
}

export type FunctionRunner = (input: ResourceListData, options?: RunOptions) => Promise<FunctionOutcome>;

export interface FunctionRuntime {
  /** `builtin`, `exec`, `container` or `remote`: shown in errors and logs. */
  readonly name: string;
  /** A runner for the target, or `undefined` when this runtime cannot run it. */
  resolve(target: FunctionTarget): Promise<FunctionRunner | undefined>;
  /** Optional: why this runtime cannot run `target` (after `resolve` answered undefined), for errors. */
  explainMiss?(target: FunctionTarget): string | undefined;
}

/** The function could not run to completion; `stderr` carries whatever it wrote. */
export class FunctionRunError extends Error {
  readonly target: FunctionTarget;
  readonly stderr: string;
  readonly exitCode: number | undefined;
  constructor(
    message: string,
    options: { target: FunctionTarget; stderr?: string; exitCode?: number; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.name = 'FunctionRunError';
    this.target = options.target;
    this.stderr = options.stderr ?? '';
    this.exitCode = options.exitCode;
  }
}

/** `image` or `exec` of a target, for messages. */
export function describeTarget(target: FunctionTarget): string {
  return target.image ?? target.exec ?? '(no image or exec)';
}

/** True when the outcome has a non-zero exit code or an `error` result (the SDKs' rule). */
export function isFailure(outcome: FunctionOutcome): boolean {
  return outcome.exitCode !== 0 || outcome.output.results.some((r) => r.severity === 'error');
}
