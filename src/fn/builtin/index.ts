/**
 * The builtin runtime: TypeScript implementations of kpt catalog functions, registered under the
 * catalog image names (`gcr.io/kpt-fn/<name>` and `ghcr.io/kptdev/krm-functions-catalog/<name>`, any
 * tag or digest; a bare `<name>[:tag]` is kpt's short form of the same image). Each gives the same
 * output and results as the catalog function of that name.
 */
import type {
  FunctionOutcome,
  FunctionRunner,
  FunctionRuntime,
  FunctionTarget,
  ResourceListData,
} from '../function-runtime.js';
import type { BuiltinFunction } from './builtin-function.js';
import { applyReplacements } from './apply-replacements.js';
import { applySetters } from './apply-setters.js';
import { createSetters } from './create-setters.js';
import { ensureNameSubstring } from './ensure-name-substring.js';
import { searchReplace } from './search-replace.js';
import { setAnnotations } from './set-annotations.js';
import { setImage } from './set-image.js';
import { setLabels } from './set-labels.js';
import { setNamespace } from './set-namespace.js';
import { starlark } from './starlark.js';
import { upsertResource } from './upsert-resource.js';

/** Registries whose images the builtin runtime answers for. */
export const CATALOG_PREFIXES = ['gcr.io/kpt-fn/', 'ghcr.io/kptdev/krm-functions-catalog/'] as const;

const FUNCTIONS: readonly BuiltinFunction[] = [
  applyReplacements,
  applySetters,
  createSetters,
  ensureNameSubstring,
  searchReplace,
  setAnnotations,
  setImage,
  setLabels,
  setNamespace,
  starlark,
  upsertResource,
];

/** Names of the catalog functions implemented as builtins. */
export const BUILTIN_FUNCTIONS: readonly string[] = FUNCTIONS.map((f) => f.name);

/** The catalog function name of an image (`gcr.io/kpt-fn/set-labels:v0.2` → `set-labels`), if any. */
export function catalogFunctionName(image: string): string | undefined {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) ref = ref.slice(0, colon);
  for (const prefix of CATALOG_PREFIXES) {
    if (ref.startsWith(prefix)) {
      const name = ref.slice(prefix.length);
      return name.includes('/') || name === '' ? undefined : name;
    }
  }
  return ref.includes('/') || ref === '' ? undefined : ref;
}

export interface BuiltinRuntimeOptions {
  /** Restrict the runtime to these function names (all builtins by default). */
  only?: readonly string[];
}

function runner(fn: BuiltinFunction): FunctionRunner {
  return (input: ResourceListData, options = {}): Promise<FunctionOutcome> => {
    options.signal?.throwIfAborted();
    try {
      const outcome = fn.run(input);
      return Promise.resolve({ output: input, stderr: outcome.stderr ?? '', exitCode: outcome.exitCode });
    } catch (err) {
      // A builtin must never crash the pipeline: report what went wrong like a failed function.
      const message = err instanceof Error ? err.message : String(err);
      input.results.push({ message: `${fn.name}: ${message}`, severity: 'error' });
      return Promise.resolve({ output: input, stderr: message, exitCode: 1 });
    }
  };
}

/** The builtin runtime; `resolve` answers `undefined` for images it does not implement. */
export function createBuiltinRuntime(options: BuiltinRuntimeOptions = {}): FunctionRuntime {
  const byName = new Map<string, FunctionRunner>();
  for (const fn of FUNCTIONS) {
    if (options.only && !options.only.includes(fn.name)) continue;
    byName.set(fn.name, runner(fn));
  }
  return {
    name: 'builtin',
    resolve(target: FunctionTarget): Promise<FunctionRunner | undefined> {
      if (target.image === undefined) return Promise.resolve(undefined);
      const name = catalogFunctionName(target.image);
      return Promise.resolve(name === undefined ? undefined : byName.get(name));
    },
  };
}
