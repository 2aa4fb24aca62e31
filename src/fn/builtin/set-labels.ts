/**
 * `set-labels` (catalog v0.2, Go SDK runner): sets the given labels on `metadata.labels` of every
 * resource that is not local config, and on the selectors and templates of the kinds that have them:
 * Service/ReplicationController `spec.selector`; `spec.selector.matchLabels` of Deployment, ReplicaSet,
 * DaemonSet, StatefulSet (created) and Job, PodDisruptionBudget (only when there); pod templates
 * (metadata labels, topology spread and affinity selectors); CronJob job templates; StatefulSet volume
 * claim templates; NetworkPolicy pod selectors and ingress/egress peers. Keys go in sorted order; an
 * existing key is updated in place, a new one is appended.
 */
import { isMap, isSeq, type YAMLMap } from 'yaml';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  isEmptyConfig,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
  type ConfigObject,
} from './builtin-function.js';
import {
  ensureMapPath,
  field,
  isLocalConfig,
  keyOf,
  nested,
  objectInfo,
  setField,
  stringNode,
  stringValue,
  type ObjectInfo,
} from './kube-object.js';
import { goTypeName, isGVK, sdkFailure } from './sdk-runner.js';

interface Config {
  labels: Map<string, string>;
}

class ConfigError extends Error {}

function decodeLabels(config: ConfigObject): Map<string, string> {
  const node = field(config.root, 'labels');
  const labels = new Map<string, string>();
  if (node === undefined || node === null) return labels;
  const fail = (got: string, type: string): never => {
    throw new ConfigError(
      `unable to convert object to *setlabels.SetLabels with error: json: cannot unmarshal ${got} into Go struct field SetLabels.labels of type ${type}`,
    );
  };
  if (!isMap(node)) return fail(goTypeName(node), 'map[string]string');
  for (const p of node.items) {
    const k = keyOf(p);
    const type = goTypeName(p.value);
    if (type !== 'string' && type !== 'null') fail(type, 'string');
    if (k !== undefined) labels.set(k, type === 'null' ? '' : String((p.value as { value: unknown }).value));
  }
  return labels;
}

function readConfig(config: ConfigObject): Config {
  if (config.kind === 'ConfigMap' && !config.apiVersion.includes('/')) {
    return { labels: configMapData(config) };
  }
  if (config.kind === 'SetLabels' && config.apiVersion.startsWith('fn.kpt.dev/')) {
    return { labels: decodeLabels(config) };
  }
  const group = config.apiVersion.includes('/')
    ? config.apiVersion.slice(0, config.apiVersion.indexOf('/'))
    : '';
  const gk = group === '' ? config.kind : `${config.kind}.${group}`;
  throw new ConfigError(
    `unknown FunctionConfig \`${gk}\`, expect \`SetLabels.fn.kpt.dev\` or \`ConfigMap.v1\``,
  );
}

/** kpt's placeholder config (`function-input` ConfigMap without data, or `{}`). */
function isPlaceholder(config: ConfigObject): boolean {
  if (config.kind === 'ConfigMap' && config.name === 'function-input') {
    return configMapData(config).size === 0;
  }
  return config.kind === '' && config.name === '';
}

class Labeler {
  count = 0;
  errors: FunctionResult[] = [];
  private readonly keys: string[];

  constructor(private readonly labels: Map<string, string>) {
    this.keys = [...labels.keys()].sort();
  }

  /** Sets the labels at `path` below `map` (created when `create`); counts every key, as the catalog. */
  update(map: unknown, path: readonly string[], create: boolean): void {
    if (!isMap(map)) return;
    for (const key of this.keys) {
      const value = this.labels.get(key) ?? '';
      const parent = nested(map, path);
      const existing = isMap(parent) ? field(parent, key) : undefined;
      const exists = existing !== undefined;
      const old = stringValue(existing) ?? '';
      if ((exists && old !== value) || (!exists && create)) {
        const target = isMap(parent) ? parent : ensureMapPath(map, path);
        if (target) setField(target, key, stringNode(value));
      }
      this.count++;
    }
  }

  meta(obj: unknown): void {
    this.update(obj, ['metadata', 'labels'], true);
  }

  pod(template: unknown): void {
    if (!isMap(template)) return;
    this.meta(template);
    const spec = field(template, 'spec');
    if (!isMap(spec)) return;
    const spread = field(spec, 'topologySpreadConstraints');
    if (isSeq(spread)) for (const c of spread.items) this.update(c, ['labelSelector', 'matchLabels'], false);
    const affinity = field(spec, 'affinity');
    if (!isMap(affinity)) return;
    for (const kind of ['podAffinity', 'podAntiAffinity']) {
      if (!isMap(field(affinity, kind))) continue;
      // The catalog looks for the terms directly under `affinity` (not under the pod affinity).
      const preferred = field(affinity, 'preferredDuringSchedulingIgnoredDuringExecution');
      if (isSeq(preferred)) {
        for (const t of preferred.items)
          this.update(field(t, 'podAffinityTerm'), ['labelSelector', 'matchLabels'], false);
      }
      const required = field(affinity, 'requiredDuringSchedulingIgnoredDuringExecution');
      if (isSeq(required))
        for (const t of required.items) this.update(t, ['labelSelector', 'matchLabels'], false);
    }
  }

  object(o: ObjectInfo): void {
    const root: YAMLMap = o.root;
    this.meta(root);
    if (isGVK(o, '', 'v1', 'Service') || isGVK(o, '', 'v1', 'ReplicationController')) {
      this.update(root, ['spec', 'selector'], true);
    }
    const workload =
      isGVK(o, '', '', 'Deployment') ||
      isGVK(o, '', '', 'ReplicaSet') ||
      isGVK(o, '', '', 'DaemonSet') ||
      isGVK(o, 'apps', '', 'StatefulSet');
    const optional = isGVK(o, 'batch', '', 'Job') || isGVK(o, 'policy', '', 'PodDisruptionBudget');
    if (workload || optional) this.update(root, ['spec', 'selector', 'matchLabels'], workload);
    const networkPolicy = isGVK(o, 'networking.k8s.io', '', 'NetworkPolicy');
    if (networkPolicy) this.update(root, ['spec', 'podSelector', 'matchLabels'], false);
    const spec = field(root, 'spec');
    if (!isMap(spec)) return;
    if (workload || isGVK(o, '', 'v1', 'ReplicationController') || isGVK(o, 'batch', '', 'Job')) {
      this.pod(field(spec, 'template'));
    }
    if (isGVK(o, 'batch', '', 'CronJob')) {
      const job = field(spec, 'jobTemplate');
      if (isMap(job)) {
        this.meta(job);
        const jobSpec = field(job, 'spec');
        this.update(jobSpec, ['selector', 'matchLabels'], false);
        if (isMap(jobSpec)) this.pod(field(jobSpec, 'template'));
      }
    }
    if (isGVK(o, 'apps', '', 'StatefulSet')) {
      const volumes = field(spec, 'volumeClaimTemplates');
      if (isSeq(volumes)) {
        for (const v of volumes.items) {
          this.meta(v);
          this.update(v, ['selector', 'matchLabels'], false);
        }
      }
    }
    if (networkPolicy) {
      for (const [rules, peers] of [
        ['ingress', 'from'],
        ['egress', 'to'],
      ] as const) {
        const list = field(spec, rules);
        if (!isSeq(list)) continue;
        for (const rule of list.items) {
          const peerList = field(rule, peers);
          if (isSeq(peerList))
            for (const p of peerList.items) this.update(p, ['podSelector', 'matchLabels'], false);
        }
      }
    }
  }
}

export const setLabels: BuiltinFunction = {
  name: 'set-labels',
  run(list: ResourceListData): BuiltinOutcome {
    const config = configObject(list.functionConfig);
    let labels = new Map<string, string>();
    const placeholderWithData = isPlaceholder(config) && field(config.root, 'data') !== undefined;
    if (isEmptyConfig(config) || placeholderWithData) {
      list.results.push(result('`FunctionConfig` is not given', { severity: 'info' }));
    } else {
      try {
        labels = readConfig(config).labels;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        list.results.push(result(err.message, { severity: 'error' }));
        return sdkFailure();
      }
    }
    const objects = list.items
      .map(objectInfo)
      .filter((o): o is ObjectInfo => o !== undefined && !isLocalConfig(o));
    if (objects.length === 0) {
      list.results.push(result('no input resources', { severity: 'info' }));
      return { exitCode: 0 };
    }
    if (isPlaceholder(config)) return sdkFailure();
    if (labels.size === 0) {
      list.results.push(result('no `labels` arguments are given in FunctionConfig', { severity: 'warning' }));
      return { exitCode: 0 };
    }
    const labeler = new Labeler(labels);
    for (const o of objects) labeler.object(o);
    list.results.push(result(`set ${labeler.count} labels in total`, { severity: 'info' }));
    return { exitCode: 0 };
  },
};
