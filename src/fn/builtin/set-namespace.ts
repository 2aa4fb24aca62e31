/**
 * `set-namespace` (catalog v0.4): sets the namespace of namespace-scoped resources, the namespace
 * references of a few cluster-scoped kinds (Namespace name, CRD conversion webhook service, APIService
 * service, ClusterRoleBinding subjects) and the namespace of `config.kubernetes.io/depends-on`
 * annotations that point at resources of the list. Without `namespaceMatcher` every namespace
 * changes, which needs a single upstream origin namespace; with it only matching ones change.
 * Local-config resources are left alone.
 */
import { isMap, isSeq } from 'yaml';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import {
  OK,
  configMapData,
  configObject,
  configObjectResult,
  isConfigMap,
  isEmptyConfig,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import {
  DEFAULT_NAMESPACE,
  UNKNOWN_NAMESPACE,
  UPSTREAM_IDENTIFIER,
  apiGroupOf,
  field,
  findPair,
  goList,
  isLocalConfig,
  isNamespaceScoped,
  nested,
  objectInfo,
  setNestedString,
  shortString,
  sortedSet,
  stringValue,
  type ObjectInfo,
} from './kube-object.js';

const DEPENDS_ON = 'config.kubernetes.io/depends-on';
const PACKAGE_CONTEXT_NAME = 'kptfile.kpt.dev';
const DEPENDS_ON_PATTERN = /^([-.\w]*)\/namespaces\/([-.\w]*)\/([-.\w]*)\/([-.\w]*)$/;
const UPSTREAM_PATTERN = /([a-z0-9-.]*)\|([A-Z][a-zA-Z0-9]*)\|([a-z0-9-]{1,63}|~C)\|([a-z0-9-]{1,63})/;

interface Config {
  namespace: string;
  matcher: string;
}

class ConfigError extends Error {}

function readConfig(list: ResourceListData): Config {
  const config = configObject(list.functionConfig);
  if (isEmptyConfig(config)) {
    throw new ConfigError(
      'FunctionConfig is missing. Expect `ConfigMap.v1` or `SetNamespace.v1alpha1.fn.kpt.dev`',
    );
  }
  if (isConfigMap(config)) {
    const data = configMapData(config);
    const matcher = data.get('namespaceMatcher') ?? '';
    const namespace = data.get('namespace') ?? '';
    if (namespace !== '') return { namespace, matcher };
    const name = data.get('name') ?? '';
    if (name !== '' && config.name === PACKAGE_CONTEXT_NAME) return { namespace: name, matcher };
    throw new ConfigError('`data.namespace` should not be empty');
  }
  if (config.apiVersion === 'fn.kpt.dev/v1alpha1' && config.kind === 'SetNamespace') {
    const namespace = stringValue(field(config.root, 'namespace')) ?? '';
    const matcher = stringValue(field(config.root, 'namespaceMatcher')) ?? '';
    if (namespace === '') throw new ConfigError('`namespace` should not be empty');
    return { namespace, matcher };
  }
  throw new ConfigError(
    `unknown functionConfig Kind=${config.kind} ApiVersion=${config.apiVersion}, expect \`ConfigMap.v1\` or \`SetNamespace.v1alpha1.fn.kpt.dev\``,
  );
}

interface Origin {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

function effectiveNamespace(info: ObjectInfo): string {
  if (info.hasNamespace) return info.namespace;
  return isNamespaceScoped(info) ? DEFAULT_NAMESPACE : UNKNOWN_NAMESPACE;
}

function currentId(info: ObjectInfo): Origin {
  return {
    group: apiGroupOf(info.apiVersion),
    kind: info.kind,
    namespace: effectiveNamespace(info),
    name: info.name,
  };
}

/** The upstream origin of a resource (kpt's upstream-identifier annotation), else its current id. */
function originOf(info: ObjectInfo): Origin {
  const annotation = (info.annotations.get(UPSTREAM_IDENTIFIER) ?? '').trim();
  if (annotation === '') return currentId(info);
  const m = UPSTREAM_PATTERN.exec(annotation);
  if (!m) {
    throw new ConfigError(
      `annotation ${UPSTREAM_IDENTIFIER}: ${annotation} is in bad format. expect "<GROUP>|<KIND>|<NAMESPACE>|<NAME>"`,
    );
  }
  return { group: m[1] ?? '', kind: m[2] ?? '', namespace: m[3] ?? '', name: m[4] ?? '' };
}

function dependsOnKey(id: Origin): string {
  return `${id.group}/namespaces/${id.namespace}/${id.kind}/${id.name}`;
}

type Visitor = (origin: string, current: string, id?: string) => string;

interface Walk {
  results: FunctionResult[];
  count: number;
  old: string[];
}

function walkAndReplace(objects: ObjectInfo[], newNs: string, matcher: string): Walk {
  const walk: Walk = { results: [], count: 0, old: [] };
  const visit: Visitor = (origin, currentValue, id) => {
    if (origin === UNKNOWN_NAMESPACE) return currentValue;
    const current = currentValue === '' ? DEFAULT_NAMESPACE : currentValue;
    if (current === newNs) return current;
    let change = matcher === '';
    if (matcher !== '') {
      if (matcher === origin) {
        walk.results.push(result(`[${id ?? ''}] has matching origin ${origin}`, { severity: 'info' }));
      }
      if (matcher === current || matcher === origin) change = true;
    }
    if (!change) return current;
    walk.old.push(current);
    walk.count++;
    return newNs;
  };
  const clusterScoped = objects.filter((o) => !isNamespaceScoped(o));
  for (const o of clusterScoped) visitClusterResource(o, visit);
  for (const o of objects.filter((x) => isNamespaceScoped(x))) {
    const next = visit(originOf(o).namespace, o.namespace, shortString(o));
    setNestedString(o.root, ['metadata', 'namespace'], next);
    o.namespace = next;
    o.hasNamespace = true;
  }
  return walk;
}

function visitServiceNamespace(o: ObjectInfo, servicePath: readonly string[], visit: Visitor): void {
  // Only a service that is there gets its namespace (a URL webhook or no conversion has none).
  const service = nested(o.root, servicePath);
  if (!isMap(service)) return;
  const current = stringValue(field(service, 'namespace')) ?? '';
  setNestedString(o.root, [...servicePath, 'namespace'], visit('', current));
}

function visitClusterResource(o: ObjectInfo, visit: Visitor): void {
  const group = apiGroupOf(o.apiVersion);
  if (o.kind === 'Namespace' && o.apiVersion === 'v1') {
    const next = visit(originOf(o).name, o.name, shortString(o));
    setNestedString(o.root, ['metadata', 'name'], next);
    o.name = next;
  } else if (o.kind === 'CustomResourceDefinition' && o.apiVersion === 'apiextensions.k8s.io/v1') {
    visitServiceNamespace(o, ['spec', 'conversion', 'webhook', 'clientConfig', 'service'], visit);
  } else if (o.kind === 'APIService' && group === 'apiregistration.k8s.io' && o.apiVersion.endsWith('/v1')) {
    visitServiceNamespace(o, ['spec', 'service'], visit);
  } else if (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') {
    const subjects = field(o.root, 'subjects');
    if (!isSeq(subjects)) return;
    for (const s of subjects.items) {
      if (!isMap(s)) continue;
      const pair = findPair(s, 'namespace');
      if (!pair) continue;
      setNestedString(s, ['namespace'], visit('', stringValue(pair.value) ?? ''));
    }
  }
}

function updateDependsOn(
  objects: ObjectInfo[],
  before: Set<string>,
  newNs: string,
  matcher: string,
): { count: number; old: string[] } {
  let count = 0;
  const old: string[] = [];
  for (const o of objects) {
    const value = o.annotations.get(DEPENDS_ON) ?? '';
    if (value === '' || !DEPENDS_ON_PATTERN.test(value) || !before.has(value)) continue;
    const segments = value.split('/');
    const ns = segments[2] ?? '';
    if (ns === newNs) continue;
    if (matcher !== '' && matcher !== ns) continue;
    old.push(ns);
    segments[2] = newNs;
    count++;
    const next = segments.join('/');
    setNestedString(o.root, ['metadata', 'annotations', DEPENDS_ON], next);
    o.annotations.set(DEPENDS_ON, next);
  }
  return { count, old: sortedSet(old) };
}

function transform(list: ResourceListData, config: Config): FunctionResult[] {
  const objects: ObjectInfo[] = [];
  for (const item of list.items) {
    const info = objectInfo(item);
    if (info && !isLocalConfig(info)) objects.push(info);
  }
  const before = new Set<string>();
  for (const o of objects) {
    const id = currentId(o);
    if (id.namespace !== UNKNOWN_NAMESPACE) before.add(dependsOnKey(id));
  }
  const results: FunctionResult[] = [];
  const origins = new Set<string>();
  try {
    for (const o of objects) {
      if (!o.annotations.get(UPSTREAM_IDENTIFIER)) {
        results.push(result(`${shortString(o)} does not have upstream origin.`, { severity: 'warning' }));
        continue;
      }
      const origin = originOf(o);
      if (!isNamespaceScoped(o)) continue;
      if (origin.namespace === UNKNOWN_NAMESPACE) {
        throw new ConfigError(
          `${shortString(o)} is namespace-scoped, but has cluster-scoped or unknown scoepd origin ${origin.group}|${origin.kind}|${origin.namespace}|${origin.name}`,
        );
      }
      origins.add(origin.namespace);
    }
  } catch (err) {
    if (err instanceof ConfigError) return [result(err.message, { severity: 'error' })];
    throw err;
  }
  if (config.matcher === '' && origins.size > 1) {
    return [
      result(
        `unable to use origin \`namespace\` to match. expect a single upstream namespace, found ${goList(sortedSet(origins))}. please switch to use \`namespaceMatcher\`to specify the namespace value you want to change`,
        { severity: 'error' },
      ),
    ];
  }
  const walk = walkAndReplace(objects, config.namespace, config.matcher);
  results.push(...walk.results);
  results.push(
    walk.count === 0
      ? result(`all matching namespaces are already "${config.namespace}". no value changed`, {
          severity: 'info',
        })
      : result(
          `namespace ${goList(sortedSet(walk.old))} updated to "${config.namespace}", ${walk.count} value(s) changed`,
          { severity: 'info' },
        ),
  );
  const deps = updateDependsOn(objects, before, config.namespace, config.matcher);
  results.push(
    deps.count === 0
      ? result('all `depends-on` annotations are up-to-date. no `namespace` changed', { severity: 'info' })
      : result(
          `\`depends-on\` annotation namespace ${goList(deps.old)} updated to "${config.namespace}", ${deps.count} value(s) changed`,
          { severity: 'info' },
        ),
  );
  return results;
}

export const setNamespace: BuiltinFunction = {
  name: 'set-namespace',
  run(list): BuiltinOutcome {
    let config: Config;
    try {
      config = readConfig(list);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      // The catalog reports a bad config as a result and still exits 0.
      list.results.push(configObjectResult(err.message, configObject(list.functionConfig), 'error'));
      return OK;
    }
    list.results.push(...transform(list, config));
    return OK;
  },
};
