/**
 * What a builtin catalog function is, the results it reports (shaped like kpt's Go function SDK
 * writes them: `message`, `severity`, `resourceRef`, `field`, `file`, `tags`, empty parts left out)
 * and how its function config is read.
 */
import { isMap } from 'yaml';
import type { Document, YAMLMap } from 'yaml';
import { rootMap, scalarString, type KrmResource } from '../../krm/index.js';
import type { FunctionResult, ResourceListData, ResultSeverity } from '../function-runtime.js';
import { field, keyOf, nestedString } from './kube-object.js';

export interface BuiltinOutcome {
  /** 0 unless the catalog function exits non-zero in the same situation. */
  exitCode: number;
  /** What the catalog function writes to stderr, if anything. */
  stderr?: string;
}

/**
 * A catalog function implemented in TypeScript: changes `list.items` in place (or replaces the
 * array), appends to `list.results`. It must not throw for bad input; the wrapper turns an
 * unexpected throw into an `error` result anyway.
 */
export interface BuiltinFunction {
  /** The catalog name (`set-namespace`). */
  readonly name: string;
  run(list: ResourceListData): BuiltinOutcome;
}

export const OK: BuiltinOutcome = { exitCode: 0 };

export interface ResultOptions {
  severity?: ResultSeverity;
  resourceRef?: FunctionResult['resourceRef'];
  field?: FunctionResult['field'];
  file?: FunctionResult['file'];
}

/** A result with keys in the SDK's order and empty parts omitted. */
export function result(message: string, options: ResultOptions = {}): FunctionResult {
  const r: FunctionResult = { message };
  if (options.severity) r.severity = options.severity;
  if (options.resourceRef) r.resourceRef = options.resourceRef;
  if (options.field) r.field = options.field;
  if (options.file) r.file = options.file;
  return r;
}

/** `file` of a result about a resource: path, and index unless 0 (Go's `omitempty`). */
export function fileOf(resource: { path: string; index: number }): NonNullable<FunctionResult['file']> {
  const file: NonNullable<FunctionResult['file']> = {};
  if (resource.path !== '') file.path = resource.path;
  if (resource.index !== 0) file.index = resource.index;
  return file;
}

/** `resourceRef` with empty fields omitted. */
export function refOf(meta: {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}): NonNullable<FunctionResult['resourceRef']> {
  const ref: NonNullable<FunctionResult['resourceRef']> = {};
  if (meta.apiVersion) ref.apiVersion = meta.apiVersion;
  if (meta.kind) ref.kind = meta.kind;
  if (meta.name) ref.name = meta.name;
  if (meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

/** The identity of a function config document. */
export interface ConfigObject {
  root: YAMLMap | undefined;
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

export function configObject(doc: Document | undefined): ConfigObject {
  const root = doc ? rootMap(doc) : undefined;
  const metadata = field(root, 'metadata');
  return {
    root,
    apiVersion: nestedString(root, ['apiVersion']) ?? '',
    kind: nestedString(root, ['kind']) ?? '',
    name: nestedString(metadata, ['name']) ?? '',
    namespace: nestedString(metadata, ['namespace']) ?? '',
  };
}

/** The SDK's `IsEmpty`: no config, or a config mapping without fields. */
export function isEmptyConfig(config: ConfigObject): boolean {
  return !config.root || config.root.items.length === 0;
}

export function isConfigMap(config: ConfigObject): boolean {
  return config.kind === 'ConfigMap' && (config.apiVersion === 'v1' || config.apiVersion === '');
}

/** A ConfigMap's `data` as strings (values read as their YAML text), in document order. */
export function configMapData(config: ConfigObject): Map<string, string> {
  const data = new Map<string, string>();
  const node = field(config.root, 'data');
  if (!isMap(node)) return data;
  for (const p of node.items) {
    const k = keyOf(p);
    const v = scalarString(p.value);
    if (k !== undefined) data.set(k, v ?? '');
  }
  return data;
}

/** The `file`/`resourceRef` the SDK puts on a result about the function config object. */
export function configObjectResult(
  message: string,
  config: ConfigObject,
  severity: ResultSeverity,
): FunctionResult {
  return result(message, { severity, resourceRef: refOf(config), file: { index: -1 } });
}

/** Index of the resources by object for results; `KrmResource` carries path and index already. */
export function resourceFile(resource: KrmResource): NonNullable<FunctionResult['file']> {
  return fileOf(resource);
}

/** The SDK's `ConfigObjectResult` for a resource of the list (its identity, file and index). */
export function objectResult(
  message: string,
  object: { apiVersion: string; kind: string; name: string; namespace: string; resource: KrmResource },
  severity: ResultSeverity,
): FunctionResult {
  return result(message, { severity, resourceRef: refOf(object), file: fileOf(object.resource) });
}
