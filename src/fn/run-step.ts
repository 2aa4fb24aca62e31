/**
 * One function run on a list of resources, the way kpt runs a pipeline step or `fn eval`: select,
 * run (on copies for a validator), then put the output back among the resources that were not
 * selected. A failure is returned, not thrown, so callers can record it; only an abort throws.
 */
import type { Document } from 'yaml';
import { removeAnnotation, setAnnotation, type KrmResource, type Selector } from '../krm/index.js';
import { cloneResource } from './function-config.js';
import { FunctionRunError, type FunctionRuntime, type FunctionTarget } from './function-runtime.js';
import type { FunctionResultItem } from './function-results.js';
import { RESOURCE_ID_ANNOTATION, annotationValue } from './render-output.js';
import { resolveRunner } from './runtime-chain.js';
import { hasSelection, selectResources } from './selectors.js';

export interface StepSpec {
  target: FunctionTarget;
  name?: string | undefined;
  functionConfig?: Document | undefined;
  selectors?: readonly Selector[] | undefined;
  exclude?: readonly Selector[] | undefined;
  /** A validator runs on copies and its output is dropped. */
  validator?: boolean;
}

export interface StepOutcome {
  item: FunctionResultItem;
  /** The resources after the step (the input for a validator); undefined when the step failed. */
  output?: KrmResource[];
  /** How many resources the function saw. */
  selectedCount: number;
  /** Why the step failed (the function's own failure or an execution error). */
  error?: Error;
}

function newItem(spec: StepSpec): FunctionResultItem {
  const item: FunctionResultItem = { exitCode: 0 };
  if (spec.target.image !== undefined) item.image = spec.target.image;
  else item.exec = spec.target.exec ?? '';
  if (spec.name) item.name = spec.name;
  return item;
}

/**
 * kpt's merge after a step with selectors: every input keeps its place, a selected one is replaced
 * by the output item carrying its id (or dropped when the function deleted it), and resources the
 * function created follow at the end.
 */
function mergeWithInput(
  input: readonly KrmResource[],
  selected: readonly KrmResource[],
  output: readonly KrmResource[],
): KrmResource[] {
  const byId = new Map<string, KrmResource>();
  const created: KrmResource[] = [];
  for (const r of output) {
    const id = annotationValue(r.document.doc, RESOURCE_ID_ANNOTATION);
    removeAnnotation(r.document.doc, RESOURCE_ID_ANNOTATION);
    if (id !== undefined && !byId.has(id)) byId.set(id, r);
    else created.push(r);
  }
  const position = new Map(selected.map((r, i) => [r, String(i)]));
  const result: KrmResource[] = [];
  for (const r of input) {
    const id = position.get(r);
    if (id === undefined) result.push(r);
    else {
      const replaced = byId.get(id);
      if (replaced) result.push(replaced);
    }
  }
  return [...result, ...created];
}

export class FunctionFailedError extends Error {
  readonly item: FunctionResultItem;
  constructor(message: string, item: FunctionResultItem) {
    super(message);
    this.name = 'FunctionFailedError';
    this.item = item;
  }
}

export async function runStep(
  runtime: FunctionRuntime,
  spec: StepSpec,
  input: readonly KrmResource[],
  options: { signal?: AbortSignal | undefined; checkOutput?: (items: KrmResource[]) => void } = {},
): Promise<StepOutcome> {
  const item = newItem(spec);
  const selecting = hasSelection(spec.selectors, spec.exclude);
  const selected = selectResources(input, spec.selectors, spec.exclude);
  const what = spec.target.image ?? spec.target.exec ?? '';
  try {
    const runner = await resolveRunner(runtime, spec.target);
    const items = spec.validator ? selected.map(cloneResource) : selected;
    if (selecting) items.forEach((r, i) => setAnnotation(r.document.doc, RESOURCE_ID_ANNOTATION, String(i)));
    const outcome = await runner(
      { items, functionConfig: spec.functionConfig, results: [] },
      options.signal ? { signal: options.signal } : {},
    );
    item.exitCode = outcome.exitCode;
    if (outcome.stderr) item.stderr = outcome.stderr;
    if (outcome.output.results.length > 0) item.results = outcome.output.results;
    // kpt decides on the exit code alone (function SDKs exit non-zero when they report an error).
    if (outcome.exitCode !== 0) {
      if (item.exitCode === 0) item.exitCode = 1;
      const error = new FunctionFailedError(
        `function "${what}" failed with exit code ${item.exitCode}`,
        item,
      );
      return { item, selectedCount: selected.length, error };
    }
    if (spec.validator) return { item, output: [...input], selectedCount: selected.length };
    let output = outcome.output.items;
    if (selecting) output = mergeWithInput(input, selected, output);
    options.checkOutput?.(output);
    return { item, output, selectedCount: selected.length };
  } catch (err) {
    options.signal?.throwIfAborted();
    const error = err instanceof Error ? err : new Error(String(err));
    if (err instanceof FunctionRunError) {
      item.exitCode = err.exitCode ?? 1;
      if (err.stderr) item.stderr = err.stderr;
    } else {
      item.exitCode = 1;
    }
    if (item.exitCode === 0) item.exitCode = 1;
    item.executionError = error.message;
    return { item, selectedCount: selected.length, error };
  }
}
