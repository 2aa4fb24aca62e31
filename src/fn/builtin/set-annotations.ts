/**
 * `set-annotations` (catalog v0.1, kustomize's annotations transformer): sets the given annotations
 * in `metadata.annotations` and in the pod/job templates of the workload kinds (kustomize's
 * `commonAnnotations` field specs), plus any `additionalAnnotationFields` (`fieldSpecs` in the legacy
 * `SetAnnotationConfig`). Local-config resources are included. One result per annotations field set.
 */
import { isMap, isSeq, Scalar } from 'yaml';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import {
  OK,
  configMapData,
  configObject,
  fileOf,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import { fieldSpec, parseFieldSpecs, walkFieldSpec, type FieldSpec, matchesSpec } from './field-spec.js';
import { field, objectInfo, setField, stringValue, keyOf } from './kube-object.js';

const API_VERSION = 'fn.kpt.dev/v1alpha1';

/** kustomize's `commonAnnotations` field specs. */
const COMMON_ANNOTATIONS: readonly FieldSpec[] = [
  fieldSpec('metadata/annotations', { create: true }),
  fieldSpec('spec/template/metadata/annotations', {
    create: true,
    version: 'v1',
    kind: 'ReplicationController',
  }),
  fieldSpec('spec/template/metadata/annotations', { create: true, kind: 'Deployment' }),
  fieldSpec('spec/template/metadata/annotations', { create: true, kind: 'ReplicaSet' }),
  fieldSpec('spec/template/metadata/annotations', { create: true, kind: 'DaemonSet' }),
  fieldSpec('spec/template/metadata/annotations', { create: true, kind: 'StatefulSet' }),
  fieldSpec('spec/template/metadata/annotations', { create: true, group: 'batch', kind: 'Job' }),
  fieldSpec('spec/jobTemplate/metadata/annotations', { create: true, group: 'batch', kind: 'CronJob' }),
  fieldSpec('spec/jobTemplate/spec/template/metadata/annotations', {
    create: true,
    group: 'batch',
    kind: 'CronJob',
  }),
];

interface Config {
  annotations: Map<string, string>;
  specs: FieldSpec[];
}

class ConfigError extends Error {}

function stringMapOf(node: unknown, what: string): Map<string, string> {
  const out = new Map<string, string>();
  if (node === undefined || node === null) return out;
  if (!isMap(node)) {
    throw new ConfigError(`failed to unmarshal config: \`${what}\` must be a map of strings`);
  }
  for (const p of node.items) {
    const k = keyOf(p);
    const v = stringValue(p.value);
    if (k === undefined || v === undefined) {
      throw new ConfigError(`failed to unmarshal config: \`${what}\` must be a map of strings`);
    }
    out.set(k, v);
  }
  return out;
}

function readConfig(list: ResourceListData): Config {
  const config = configObject(list.functionConfig);
  let annotations: Map<string, string>;
  let specs: FieldSpec[] = [];
  if (config.apiVersion === 'v1' && config.kind === 'ConfigMap') {
    annotations = configMapData(config);
  } else if (
    config.apiVersion === API_VERSION &&
    (config.kind === 'SetAnnotations' || config.kind === 'SetAnnotationConfig')
  ) {
    annotations = stringMapOf(field(config.root, 'annotations'), 'annotations');
    const additional = field(config.root, 'additionalAnnotationFields');
    const legacy = field(config.root, 'fieldSpecs');
    const hasAdditional = isSeq(additional) && additional.items.length > 0;
    const hasLegacy = isSeq(legacy) && legacy.items.length > 0;
    if (hasAdditional && hasLegacy) {
      throw new ConfigError(
        '`fieldSpecs` has been deprecated, please rename it to `additionalAnnotationFields`',
      );
    }
    specs = parseFieldSpecs(hasAdditional ? additional : legacy);
  } else {
    throw new ConfigError('`functionConfig` must be a `ConfigMap` or `SetAnnotations`');
  }
  if (annotations.size === 0) throw new ConfigError('input annotation list cannot be empty');
  return { annotations, specs: [...specs, ...COMMON_ANNOTATIONS] };
}

interface Applied {
  path: string;
  index: number;
  fieldPath: string;
  values: Map<string, string>;
}

function transform(list: ResourceListData, config: Config): FunctionResult[] {
  const keys = [...config.annotations.keys()].sort();
  const applied = new Map<string, Applied>();
  for (const item of list.items) {
    const info = objectInfo(item);
    if (!info) continue;
    for (const key of keys) {
      const value = config.annotations.get(key) ?? '';
      for (const fs of config.specs) {
        if (!matchesSpec(fs, info)) continue;
        walkFieldSpec(info.root, fs, 'map', (slot) => {
          if (!isMap(slot.node)) throw new Error('wrong node kind: expected MappingNode');
          // A fresh `!!str` node: plain, or double-quoted where YAML (1.1 too) would read another
          // type (kustomize's SetEntry); the old value's comments go with it.
          setField(slot.node, key, new Scalar(value), false);
          const fieldPath = slot.path.join('.');
          const id = `${item.path}\u0000${item.index}\u0000${fieldPath}`;
          const entry = applied.get(id) ?? {
            path: item.path,
            index: item.index,
            fieldPath,
            values: new Map(),
          };
          entry.values.set(key, value);
          applied.set(id, entry);
        });
      }
    }
  }
  if (applied.size === 0) return [result('no annotations applied')];
  const entries = [...applied.values()].sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.index - b.index ||
      (a.fieldPath < b.fieldPath ? -1 : a.fieldPath > b.fieldPath ? 1 : 0),
  );
  return entries.map((e) => {
    const json = JSON.stringify(
      Object.fromEntries([...e.values].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    );
    return result(`set annotations: ${json}`, { field: { path: e.fieldPath }, file: fileOf(e) });
  });
}

export const setAnnotations: BuiltinFunction = {
  name: 'set-annotations',
  run(list): BuiltinOutcome {
    let message: string;
    try {
      const config = readConfig(list);
      try {
        list.results.push(...transform(list, config));
        return OK;
      } catch (err) {
        message = `failed to run function: failed to run transformer: ${err instanceof Error ? err.message : String(err)}`;
      }
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      message = `failed to configure function: ${err.message}`;
    }
    list.results.push(result(message, { severity: 'error' }));
    return { exitCode: 1, stderr: `[error]: ${message}` };
  },
};
