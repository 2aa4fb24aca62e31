/**
 * `kpt fn eval` on a package held in memory: one function runs on every resource of the directory
 * (subpackages included, paths relative to the directory, no Kptfile needed), optionally narrowed
 * by selectors and exclusions. On success every file holding resources is written in kpt's format;
 * on failure the package comes back unchanged with the function's result.
 */
import { posix } from 'node:path';
import type { Document } from 'yaml';
import {
  readPackageResources,
  toFileMap,
  validatePackagePath,
  type KrmResource,
  type PackageFiles,
  type PackageResources,
  type Selector,
  type YamlLimits,
} from '../krm/index.js';
import { configMapFunctionConfig } from './function-config.js';
import type { FunctionRuntime, FunctionTarget } from './function-runtime.js';
import { newFunctionResultList, type FunctionResultList } from './function-results.js';
import { writeRenderedFiles } from './render-output.js';
import { runStep } from './run-step.js';
import { expandImage } from './runtime-chain.js';

export interface EvalOptions {
  runtime: FunctionRuntime;
  /** `{ image }` (short names are catalog images) or `{ exec }`. */
  target: FunctionTarget;
  /** A functionConfig document (`--fn-config`); wins over `args`. */
  functionConfig?: Document;
  /** `key=value` arguments, passed as a ConfigMap functionConfig. */
  args?: Readonly<Record<string, string>>;
  /** Package files left out of the input (the `--fn-config` file when it is in the package). */
  excludePaths?: readonly string[];
  selectors?: readonly Selector[];
  exclude?: readonly Selector[];
  signal?: AbortSignal;
  limits?: YamlLimits;
}

export interface EvalResult {
  ok: boolean;
  /** The package after the function, or the input unchanged when it failed. */
  files: Map<string, string>;
  /** Resources after the function (for `--output stdout|unwrap`); empty on failure. */
  resources: KrmResource[];
  results: FunctionResultList;
  error?: Error;
}

function checkPaths(items: readonly KrmResource[]): void {
  const seen = new Set<string>();
  for (const r of items) {
    const path = posix.normalize(r.path);
    if (path.startsWith('../') || path === '..' || posix.isAbsolute(path)) {
      throw new Error(`function must not modify resources outside of package: resource has path ${r.path}`);
    }
    const problem = validatePackagePath(path)[0];
    if (problem) {
      throw new Error(`function produced a resource with an invalid path "${r.path}": ${problem.message}`);
    }
    const key = `${path}\u0000${r.index}`;
    if (seen.has(key)) throw new Error(`resource at path "${r.path}" and index "${r.index}" already exists`);
    seen.add(key);
  }
}

export async function evalFunction(files: PackageFiles, options: EvalOptions): Promise<EvalResult> {
  const original = toFileMap(files);
  const results = newFunctionResultList();
  const target: FunctionTarget =
    options.target.image !== undefined ? { image: expandImage(options.target.image) } : options.target;
  const fail = (error: Error): EvalResult => {
    results.exitCode = 1;
    return { ok: false, files: original, resources: [], results, error };
  };
  let pkg: PackageResources;
  try {
    const excluded = new Set(options.excludePaths ?? []);
    const input = excluded.size === 0 ? original : new Map([...original].filter(([p]) => !excluded.has(p)));
    pkg = readPackageResources(input, {
      nonKrm: 'error',
      ...(options.limits ? { limits: options.limits } : {}),
    });
  } catch (err) {
    return fail(err as Error);
  }
  const functionConfig =
    options.functionConfig ??
    (options.args && Object.keys(options.args).length > 0
      ? configMapFunctionConfig(options.args)
      : undefined);
  const outcome = await runStep(
    options.runtime,
    { target, functionConfig, selectors: options.selectors, exclude: options.exclude },
    pkg.resources,
    { signal: options.signal, checkOutput: checkPaths },
  );
  results.items.push(outcome.item);
  if (outcome.error || !outcome.output) return fail(outcome.error ?? new Error('function failed'));
  const rendered = writeRenderedFiles(original, new Map([['', pkg]]), outcome.output, new Map());
  return { ok: true, files: rendered, resources: outcome.output, results };
}
