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

/** Registries whose images the builtin runtime answers for. */
export const CATALOG_PREFIXES = ['gcr.io/kpt-fn/', 'ghcr.io/kptdev/krm-functions-catalog/'] as const;

/**
 * The builtins by catalog name, each loaded when a pipeline first uses it: a command such as
 * `lading fn render` then starts without compiling functions it does not run (starlark alone is a
 * language interpreter).
 */
const FUNCTIONS: Readonly<Record<string, () => Promise<BuiltinFunction>>> = {
  'apply-replacements': async () => (await import('./apply-replacements.js')).applyReplacements,
  'apply-setters': async () => (await import('./apply-setters.js')).applySetters,
  'create-setters': async () => (await import('./create-setters.js')).createSetters,
  'ensure-name-substring': async () => (await import('./ensure-name-substring.js')).ensureNameSubstring,
  'search-replace': async () => (await import('./search-replace.js')).searchReplace,
  'set-annotations': async () => (await import('./set-annotations.js')).setAnnotations,
  'set-image': async () => (await import('./set-image.js')).setImage,
  'set-labels': async () => (await import('./set-labels.js')).setLabels,
  'set-namespace': async () => (await import('./set-namespace.js')).setNamespace,
  starlark: async () => (await import('./starlark.js')).starlark,
  'upsert-resource': async () => (await import('./upsert-resource.js')).upsertResource,
};

/** Names of the catalog functions implemented as builtins. */
export const BUILTIN_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

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
  const runners = new Map<string, Promise<FunctionRunner>>();
  return {
    name: 'builtin',
    resolve(target: FunctionTarget): Promise<FunctionRunner | undefined> {
      const name = target.image === undefined ? undefined : catalogFunctionName(target.image);
      const load = name !== undefined && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
      if (!name || !load || (options.only && !options.only.includes(name))) return Promise.resolve(undefined);
      let loaded = runners.get(name);
      if (!loaded) {
        loaded = load().then((fn) => {
          if (fn.name !== name) throw new Error(`builtin "${name}" loaded function "${fn.name}"`);
          return runner(fn);
        });
        runners.set(name, loaded);
      }
      return loaded;
    },
  };
}
