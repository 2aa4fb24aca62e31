/**
 * `kpt fn render` on a package held in memory. Packages render depth first: a package's pipeline
 * sees the rendered output of its subpackages followed by its own resources; mutators run in order,
 * then validators (on copies: they cannot change resources). Any failure stops the render and the
 * package comes back unchanged, with the results of every function that ran. On success every file
 * holding resources is written in kpt's format and the root Kptfile records the `Rendered`
 * condition (and `renderStatus`, as newer kpt does) unless `kptfileStatus` is false.
 */
import { posix } from 'node:path';
import type { Document } from 'yaml';
import {
  setAnnotation,
  toFileMap,
  validatePackagePath,
  type KptFunction,
  type KrmResource,
  type PackageFiles,
  type PackageResources,
  type YamlLimits,
} from '../krm/index.js';
import { configMapFunctionConfig, cloneDocument, functionConfigFromText } from './function-config.js';
import type { FunctionRuntime, FunctionTarget } from './function-runtime.js';
import {
  newFunctionResultList,
  type FunctionResultItem,
  type FunctionResultList,
} from './function-results.js';
import {
  displayPackage,
  joinPackagePath,
  packageTree,
  readLocalResources,
  type PackageNode,
} from './package-tree.js';
import { PACKAGE_PATH_ANNOTATION, annotationOf, writeRenderedFiles } from './render-output.js';
import { renderCondition, writeKptfileStatus, type StepRecord } from './render-status.js';
import { runStep } from './run-step.js';
import { expandImage } from './runtime-chain.js';

/** Progress of a render, for printing (the CLI prints kpt's lines from these). */
export type RenderEvent =
  | { type: 'package'; dir: string }
  | { type: 'start'; dir: string; item: FunctionResultItem }
  | {
      type: 'end';
      dir: string;
      item: FunctionResultItem;
      ok: boolean;
      durationMs: number;
      /** Set when the step has selectors or exclusions (kpt then prints the count). */
      resourceCount?: number;
    };

export interface RenderOptions {
  runtime: FunctionRuntime;
  signal?: AbortSignal;
  /** Record `status.conditions[Rendered]` and `status.renderStatus` in the root Kptfile; true by default. */
  kptfileStatus?: boolean;
  /** Refuse `exec` steps (kpt without `--allow-exec`); exec steps are allowed by default. */
  allowExec?: boolean;
  /**
   * Base of the `internal.config.kubernetes.io/package-path` annotation functions see (kpt uses
   * the package's absolute directory); `.` by default.
   */
  packagePath?: string;
  limits?: YamlLimits;
  onEvent?: (event: RenderEvent) => void;
}

export interface RenderResult {
  ok: boolean;
  /** The rendered package, or the input unchanged when the render failed. */
  files: Map<string, string>;
  results: FunctionResultList;
  /** The `Rendered` condition for the root Kptfile. */
  condition: { type: 'Rendered'; status: 'True' | 'False'; reason: string; message?: string };
  /** Why the render failed. */
  error?: Error;
}

interface Context {
  options: RenderOptions;
  files: Map<string, string>;
  steps: StepRecord[];
  results: FunctionResultList;
  /** Local resources read per package directory. */
  read: Map<string, PackageResources>;
  annotationToDir: Map<string, string>;
}

class RenderFailure extends Error {
  readonly dir: string;
  constructor(dir: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'RenderFailure';
    this.dir = dir;
  }
}

function packagePathValue(ctx: Context, dir: string): string {
  return posix.join(ctx.options.packagePath ?? '.', dir);
}

function targetOf(fn: KptFunction): FunctionTarget {
  return fn.image !== undefined ? { image: expandImage(fn.image) } : { exec: fn.exec ?? '' };
}

/** The functionConfig of a step; `current` is the package's resources now (kpt re-reads configPath). */
function stepConfig(
  ctx: Context,
  pkg: PackageNode,
  fn: KptFunction,
  current: readonly KrmResource[] | undefined,
): Document | undefined {
  if (fn.configPath) {
    const owner = packagePathValue(ctx, pkg.dir);
    const live = current?.find(
      (r) => r.path === fn.configPath && annotationOf(r, PACKAGE_PATH_ANNOTATION) === owner,
    );
    if (live) return cloneDocument(live.document.doc);
    const path = joinPackagePath(pkg.dir, posix.normalize(fn.configPath));
    const text = ctx.files.get(path);
    if (text === undefined) {
      throw new Error(
        `missing function config "${fn.configPath}": no such file in package ${displayPackage(pkg.dir)}`,
      );
    }
    return functionConfigFromText(fn.configPath, text);
  }
  if (fn.configMap && Object.keys(fn.configMap).length > 0) return configMapFunctionConfig(fn.configMap);
  return undefined;
}

/** Output checks kpt applies: paths stay in their package, no two resources share a path and index. */
function checkOutput(ctx: Context, pkg: PackageNode, items: KrmResource[]): void {
  const seen = new Set<string>();
  const current = packagePathValue(ctx, pkg.dir);
  for (const r of items) {
    const owner = annotationOf(r, PACKAGE_PATH_ANNOTATION);
    if (owner === undefined) setAnnotation(r.document.doc, PACKAGE_PATH_ANNOTATION, current);
    else if (!ctx.annotationToDir.has(owner)) {
      throw new Error(`function must not change the \`${PACKAGE_PATH_ANNOTATION}\` annotation: "${owner}"`);
    }
    const normalized = posix.normalize(r.path);
    if (normalized.startsWith('../') || normalized === '..' || posix.isAbsolute(normalized)) {
      throw new Error(`function must not modify resources outside of package: resource has path ${r.path}`);
    }
    const dir = ctx.annotationToDir.get(owner ?? current) ?? pkg.dir;
    const rootPath = joinPackagePath(dir, normalized);
    const problems = validatePackagePath(rootPath);
    if (problems.length > 0) {
      throw new Error(
        `function produced a resource with an invalid path "${r.path}": ${problems[0]?.message ?? ''}`,
      );
    }
    const key = `${dir}\u0000${normalized}\u0000${r.index}`;
    if (seen.has(key)) throw new Error(`resource at path "${r.path}" and index "${r.index}" already exists`);
    seen.add(key);
  }
}

async function runPipeline(ctx: Context, pkg: PackageNode, input: KrmResource[]): Promise<KrmResource[]> {
  const pipeline = pkg.kptfile.pipeline;
  const steps = [
    ...(pipeline?.mutators ?? []).map((fn) => ({ fn, validator: false })),
    ...(pipeline?.validators ?? []).map((fn) => ({ fn, validator: true })),
  ];
  if (steps.length > 0) ctx.options.onEvent?.({ type: 'package', dir: pkg.dir });
  let resources = input;
  for (const { fn, validator } of steps) {
    ctx.options.signal?.throwIfAborted();
    const target = targetOf(fn);
    const record: StepRecord = { validator, item: { exitCode: 0, ...target } };
    if (fn.name) record.item.name = fn.name;
    ctx.steps.push(record);
    if (fn.exec !== undefined && ctx.options.allowExec === false) {
      record.item.exitCode = 1;
      record.item.executionError = 'must run with `--allow-exec` option to allow running function binaries';
      throw new RenderFailure(pkg.dir, record.item.executionError);
    }
    let functionConfig: Document | undefined;
    try {
      functionConfig = stepConfig(ctx, pkg, fn, validator ? undefined : resources);
    } catch (err) {
      record.item.exitCode = 1;
      record.item.executionError = (err as Error).message;
      throw new RenderFailure(pkg.dir, record.item.executionError, err);
    }
    const started = Date.now();
    const selecting = (fn.selectors?.length ?? 0) > 0 || (fn.exclude?.length ?? 0) > 0;
    ctx.options.onEvent?.({ type: 'start', dir: pkg.dir, item: record.item });
    const outcome = await runStep(
      ctx.options.runtime,
      { target, name: fn.name, functionConfig, selectors: fn.selectors, exclude: fn.exclude, validator },
      resources,
      { signal: ctx.options.signal, checkOutput: (items) => checkOutput(ctx, pkg, items) },
    );
    record.item = outcome.item;
    ctx.results.items.push(outcome.item);
    ctx.options.onEvent?.({
      type: 'end',
      dir: pkg.dir,
      item: outcome.item,
      ok: outcome.error === undefined,
      durationMs: Date.now() - started,
      ...(selecting ? { resourceCount: outcome.selectedCount } : {}),
    });
    if (outcome.error || !outcome.output) {
      throw new RenderFailure(pkg.dir, outcome.error?.message ?? 'function failed', outcome.error);
    }
    resources = outcome.output;
  }
  return resources;
}

async function hydrate(ctx: Context, pkg: PackageNode): Promise<KrmResource[]> {
  const input: KrmResource[] = [];
  for (const child of pkg.children) input.push(...(await hydrate(ctx, child)));
  let local: PackageResources;
  try {
    local = readLocalResources(ctx.files, pkg.dir, ctx.options.limits);
  } catch (err) {
    throw new RenderFailure(pkg.dir, (err as Error).message, err);
  }
  ctx.read.set(pkg.dir, local);
  const owner = packagePathValue(ctx, pkg.dir);
  for (const r of local.resources) {
    setAnnotation(r.document.doc, PACKAGE_PATH_ANNOTATION, owner);
    input.push(r);
  }
  return runPipeline(ctx, pkg, input);
}

function collectDirs(pkg: PackageNode, out: string[] = []): string[] {
  out.push(pkg.dir);
  for (const c of pkg.children) collectDirs(c, out);
  return out;
}

/** Renders the package (see the module comment). Throws only when `signal` aborts. */
export async function renderPackage(files: PackageFiles, options: RenderOptions): Promise<RenderResult> {
  const original = toFileMap(files);
  const ctx: Context = {
    options,
    files: original,
    steps: [],
    results: newFunctionResultList(),
    read: new Map(),
    annotationToDir: new Map(),
  };
  try {
    const root = packageTree(original);
    for (const dir of collectDirs(root)) ctx.annotationToDir.set(packagePathValue(ctx, dir), dir);
    const output = await hydrate(ctx, root);
    const condition = renderCondition(undefined);
    if (options.kptfileStatus ?? true) {
      writeKptfileStatus(output, packagePathValue(ctx, ''), condition, ctx.steps);
    }
    const rendered = writeRenderedFiles(original, ctx.read, output, ctx.annotationToDir);
    return { ok: true, files: rendered, results: ctx.results, condition };
  } catch (err) {
    options.signal?.throwIfAborted();
    const error = err instanceof Error ? err : new Error(String(err));
    ctx.results.exitCode = 1;
    const dir = err instanceof RenderFailure ? err.dir : '';
    return {
      ok: false,
      files: original,
      results: ctx.results,
      condition: renderCondition({ dir, message: error.message }),
      error,
    };
  }
}
