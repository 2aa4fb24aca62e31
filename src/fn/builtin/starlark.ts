/**
 * `starlark` (catalog v0.5): runs the Starlark program of a `StarlarkRun` (`source`, optional
 * `params`) or of a ConfigMap (`data.source`, the other keys as parameters) against the resources,
 * with Lading's own interpreter (`./starlark/`). The program sees `ctx.resource_list` (`items`,
 * `functionConfig`), `ctx.open_api` and `ctx.environment`, may `load()` the catalog's modules, writes
 * with `print` to the function's stderr and fails with `fail()`. A failure, a syntax error or a
 * runtime error leaves the resources alone and becomes one `error` result, as the catalog reports it.
 */
import { isMap } from 'yaml';
import type { ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import { field, stringValue } from './kube-object.js';
import { sdkFailure } from './sdk-runner.js';
import { StarlarkError, execute, newDict, type Limits } from './starlark/index.js';
import { loadModule } from './starlark/libraries.js';
import { openApiDocument } from './starlark/openapi.js';
import { buildResourceList, readResourceList } from './starlark/resource-list.js';
import { StarStruct } from './starlark/values.js';
import { reconcileIdAnnotations } from './starlark/id-annotations.js';

const DEFAULT_PROGRAM_NAME = 'stalark-function-run'; // sic: the catalog function's default

interface Program {
  name: string;
  source: string;
}

class ConfigError extends Error {}

function gvkText(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}, Kind=${kind}`;
}

function readProgram(list: ResourceListData): Program {
  const config = configObject(list.functionConfig);
  let source = '';
  if (config.apiVersion === 'v1' && config.kind === 'ConfigMap') {
    source = configMapData(config).get('source') ?? '';
  } else if (config.apiVersion === 'fn.kpt.dev/v1alpha1' && config.kind === 'StarlarkRun') {
    const node = field(config.root, 'source');
    if (node !== undefined && node !== null && stringValue(node) === undefined && !isMap(node)) {
      throw new ConfigError('`source` must be a string');
    }
    source = stringValue(node) ?? '';
  } else {
    throw new ConfigError(
      `\`functionConfig\` must be either ${gvkText('v1', 'ConfigMap')} or ${gvkText('fn.kpt.dev/v1alpha1', 'StarlarkRun')}, but we got: ${gvkText(config.apiVersion, config.kind)}`,
    );
  }
  if (source === '') throw new ConfigError('`source` must not be empty');
  return { name: config.name || DEFAULT_PROGRAM_NAME, source };
}

export interface StarlarkOptions {
  limits?: Partial<Limits>;
}

/** The starlark function with the given interpreter limits (the registered one uses the defaults). */
export function createStarlark(options: StarlarkOptions = {}): BuiltinFunction {
  return {
    name: 'starlark',
    run(list: ResourceListData): BuiltinOutcome {
      const printed: string[] = [];
      const failure = (message: string): BuiltinOutcome => {
        list.results = [result(message, { severity: 'error' })];
        const sdk = sdkFailure();
        return { exitCode: sdk.exitCode, stderr: [...printed, sdk.stderr ?? ''].join('\n') };
      };
      let program: Program;
      try {
        program = readProgram(list);
      } catch (err) {
        if (err instanceof ConfigError) return failure(err.message);
        throw err;
      }
      const input = buildResourceList(list.items, list.functionConfig);
      const ctx = new StarStruct(
        'ctx',
        'struct',
        new Map([
          ['resource_list', input.value],
          // Lading does not hand its own environment (credentials) to functions.
          ['environment', newDict()],
        ]),
        new Map([['open_api', openApiDocument]]),
      );
      try {
        execute(program.source, {
          predeclared: new Map([['ctx', ctx]]),
          print: (line) => printed.push(line),
          load: loadModule,
          ...(options.limits ? { limits: options.limits } : {}),
        });
        const items = readResourceList(input);
        reconcileIdAnnotations(items);
        list.items = items;
      } catch (err) {
        if (err instanceof StarlarkError) return failure(err.describe(program.name));
        throw err;
      }
      return printed.length > 0 ? { exitCode: 0, stderr: printed.join('\n') } : { exitCode: 0 };
    },
  };
}

export const starlark: BuiltinFunction = createStarlark();
