/**
 * Reading and editing KRM objects held in `yaml` nodes the way the catalog functions do (kpt's Go
 * function SDK over kyaml): a set value replaces the old node with a fresh string node (so it is
 * written as go-yaml marshals a string: plain unless that would read back as another type) and keeps
 * the old node's line comment; missing mappings on the way are appended at the end of their parent.
 * Everything works on the documents in place; nothing is re-parsed or re-serialized.
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap } from 'yaml';
import type { Document, Node } from 'yaml';
import { getComments, rootMap, scalarString, setComments, type KrmResource } from '../../krm/index.js';

export const LOCAL_CONFIG = 'config.kubernetes.io/local-config';
export const UPSTREAM_IDENTIFIER = 'internal.kpt.dev/upstream-identifier';
export const DEFAULT_NAMESPACE = 'default';
/** The SDK's namespace of a cluster-scoped (or unknown-scope) resource. */
export const UNKNOWN_NAMESPACE = '~C';

/** The key text of a pair. */
export function keyOf(pair: Pair): string | undefined {
  return scalarString(pair.key);
}

export function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  for (const p of map.items as Pair<Node, Node | null>[]) if (keyOf(p) === key) return p;
  return undefined;
}

export function field(node: unknown, key: string): Node | null | undefined {
  return isMap(node) ? findPair(node, key)?.value : undefined;
}

/** The node at `fields` below `node` (mappings only). */
export function nested(node: unknown, fields: readonly string[]): Node | null | undefined {
  let current: unknown = node;
  for (const f of fields) {
    current = field(current, f);
    if (current === undefined || current === null) return current;
  }
  return current as Node;
}

/** A string scalar's value (plain or quoted, `!!str` or untagged); undefined for anything else. */
export function stringValue(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  if (node.tag && node.tag !== 'tag:yaml.org,2002:str' && node.tag !== '!!str') return undefined;
  if (typeof node.value === 'string') return node.value;
  // Untagged plain scalars that YAML 1.2 reads as numbers or booleans are still text to kyaml
  // callers reading "the string value"; null is not.
  if (node.value === null || node.value === undefined) return undefined;
  return scalarString(node);
}

export function nestedString(node: unknown, fields: readonly string[]): string | undefined {
  return stringValue(nested(node, fields));
}

/** A fresh string node, written as go-yaml marshals a Go string. */
export function stringNode(value: string): Scalar<string> {
  return new Scalar(value);
}

/** Replaces the value of `pair` with `value`, keeping the old value's line comment. */
export function replaceValue(pair: Pair, value: Node): void {
  const old = pair.value;
  if (old && typeof old === 'object') {
    const c = getComments(old);
    if (c?.line) setComments(value, { ...(getComments(value) ?? {}), line: c.line });
  }
  pair.value = value;
}

/**
 * Sets `key` of `map` (appended when missing). The SDK keeps the old value's line comment; kyaml's
 * `FieldSetter` (kustomize filters) replaces the whole node, comments included.
 */
export function setField(map: YAMLMap, key: string, value: Node, keepComment = true): void {
  const pair = findPair(map, key);
  if (pair && keepComment) replaceValue(pair, value);
  else if (pair) pair.value = value;
  else map.items.push(new Pair(stringNode(key), value));
}

/**
 * The mapping at `fields`, created (appended) where missing. Returns undefined when something on the
 * way is not a mapping (or is null and `create` is false).
 */
export function ensureMapPath(root: YAMLMap, fields: readonly string[]): YAMLMap | undefined {
  let current = root;
  for (const f of fields) {
    const pair = findPair(current, f);
    if (!pair) {
      const created = new YAMLMap();
      current.items.push(new Pair(stringNode(f), created));
      current = created;
      continue;
    }
    if (isMap(pair.value)) {
      current = pair.value;
      continue;
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) {
      const created = new YAMLMap();
      replaceValue(pair, created);
      current = created;
      continue;
    }
    return undefined;
  }
  return current;
}

/** SDK `SetNestedString`: creates missing mappings, replaces the leaf with a fresh string node. */
export function setNestedString(root: YAMLMap, fields: readonly string[], value: string): boolean {
  const parent = ensureMapPath(root, fields.slice(0, -1));
  const last = fields[fields.length - 1];
  if (!parent || last === undefined) return false;
  setField(parent, last, stringNode(value));
  return true;
}

/** Removes `key` from `map`; returns whether it was there. */
export function deleteField(map: YAMLMap, key: string): boolean {
  const index = map.items.findIndex((p) => keyOf(p) === key);
  if (index < 0) return false;
  map.items.splice(index, 1);
  return true;
}

/** Identity of a resource, read once per function call. */
export interface ObjectInfo {
  resource: KrmResource;
  root: YAMLMap;
  apiVersion: string;
  kind: string;
  name: string;
  /** `metadata.namespace` as a string ('' when absent or not a string). */
  namespace: string;
  hasNamespace: boolean;
  annotations: Map<string, string>;
}

export function objectInfo(resource: KrmResource): ObjectInfo | undefined {
  const root = rootMap(resource.document.doc);
  if (!root) return undefined;
  const metadata = field(root, 'metadata');
  const annotations = new Map<string, string>();
  const annotationsNode = field(metadata, 'annotations');
  if (isMap(annotationsNode)) {
    for (const p of annotationsNode.items) {
      const k = keyOf(p);
      const v = scalarString(p.value);
      if (k !== undefined && v !== undefined) annotations.set(k, v);
    }
  }
  const nsPair = isMap(metadata) ? findPair(metadata, 'namespace') : undefined;
  return {
    resource,
    root,
    apiVersion: nestedString(root, ['apiVersion']) ?? '',
    kind: nestedString(root, ['kind']) ?? '',
    name: nestedString(metadata, ['name']) ?? '',
    namespace: stringValue(nsPair?.value) ?? '',
    hasNamespace: nsPair !== undefined,
    annotations,
  };
}

export function rootOf(doc: Document): YAMLMap | undefined {
  return rootMap(doc);
}

export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function apiVersionOnly(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
}

/** The SDK's `IsLocalConfig`: the annotation is set to anything but "" or "false". */
export function isLocalConfig(info: ObjectInfo): boolean {
  const v = info.annotations.get(LOCAL_CONFIG) ?? '';
  return v !== '' && v !== 'false';
}

/** Scope of the built-in kinds kyaml knows (its precomputed table), `apiVersion kind` → namespaced. */
const SCOPES: Record<string, boolean> = {
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration': false,
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration': false,
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration': false,
  'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration': false,
  'apiextensions.k8s.io/v1 CustomResourceDefinition': false,
  'apiextensions.k8s.io/v1beta1 CustomResourceDefinition': false,
  'apiregistration.k8s.io/v1 APIService': false,
  'apiregistration.k8s.io/v1beta1 APIService': false,
  'apps/v1 ControllerRevision': true,
  'apps/v1 DaemonSet': true,
  'apps/v1 Deployment': true,
  'apps/v1 ReplicaSet': true,
  'apps/v1 StatefulSet': true,
  'autoscaling/v1 HorizontalPodAutoscaler': true,
  'autoscaling/v1 Scale': true,
  'autoscaling/v2beta1 HorizontalPodAutoscaler': true,
  'autoscaling/v2beta2 HorizontalPodAutoscaler': true,
  'batch/v1 CronJob': true,
  'batch/v1 Job': true,
  'batch/v1beta1 CronJob': true,
  'certificates.k8s.io/v1 CertificateSigningRequest': false,
  'certificates.k8s.io/v1beta1 CertificateSigningRequest': false,
  'coordination.k8s.io/v1 Lease': true,
  'coordination.k8s.io/v1beta1 Lease': true,
  'discovery.k8s.io/v1 EndpointSlice': true,
  'discovery.k8s.io/v1beta1 EndpointSlice': true,
  'events.k8s.io/v1 Event': true,
  'events.k8s.io/v1beta1 Event': true,
  'extensions/v1beta1 Ingress': true,
  'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema': false,
  'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration': false,
  'networking.k8s.io/v1 Ingress': true,
  'networking.k8s.io/v1 IngressClass': false,
  'networking.k8s.io/v1 NetworkPolicy': true,
  'networking.k8s.io/v1beta1 Ingress': true,
  'networking.k8s.io/v1beta1 IngressClass': false,
  'node.k8s.io/v1 RuntimeClass': false,
  'node.k8s.io/v1beta1 RuntimeClass': false,
  'policy/v1 PodDisruptionBudget': true,
  'policy/v1beta1 PodDisruptionBudget': true,
  'policy/v1beta1 PodSecurityPolicy': false,
  'rbac.authorization.k8s.io/v1 ClusterRole': false,
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': false,
  'rbac.authorization.k8s.io/v1 Role': true,
  'rbac.authorization.k8s.io/v1 RoleBinding': true,
  'rbac.authorization.k8s.io/v1beta1 ClusterRole': false,
  'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding': false,
  'rbac.authorization.k8s.io/v1beta1 Role': true,
  'rbac.authorization.k8s.io/v1beta1 RoleBinding': true,
  'scheduling.k8s.io/v1 PriorityClass': false,
  'scheduling.k8s.io/v1beta1 PriorityClass': false,
  'storage.k8s.io/v1 CSIDriver': false,
  'storage.k8s.io/v1 CSINode': false,
  'storage.k8s.io/v1 StorageClass': false,
  'storage.k8s.io/v1 VolumeAttachment': false,
  'storage.k8s.io/v1beta1 CSIDriver': false,
  'storage.k8s.io/v1beta1 CSINode': false,
  'storage.k8s.io/v1beta1 CSIStorageCapacity': true,
  'storage.k8s.io/v1beta1 StorageClass': false,
  'storage.k8s.io/v1beta1 VolumeAttachment': false,
  'v1 ComponentStatus': false,
  'v1 ConfigMap': true,
  'v1 Endpoints': true,
  'v1 Event': true,
  'v1 LimitRange': true,
  'v1 Namespace': false,
  'v1 Node': false,
  'v1 NodeProxyOptions': false,
  'v1 PersistentVolume': false,
  'v1 PersistentVolumeClaim': true,
  'v1 Pod': true,
  'v1 PodAttachOptions': true,
  'v1 PodExecOptions': true,
  'v1 PodPortForwardOptions': true,
  'v1 PodProxyOptions': true,
  'v1 PodTemplate': true,
  'v1 ReplicationController': true,
  'v1 ResourceQuota': true,
  'v1 Secret': true,
  'v1 Service': true,
  'v1 ServiceAccount': true,
  'v1 ServiceProxyOptions': true,
};

/** The SDK's `IsNamespaceScoped`: the known scope, else "has `metadata.namespace`". */
export function isNamespaceScoped(info: ObjectInfo): boolean {
  return SCOPES[`${info.apiVersion} ${info.kind}`] ?? info.hasNamespace;
}

/** `Resource(apiVersion=…, kind=…, namespace=…, name=…)`, the SDK's `ShortString`. */
export function shortString(info: ObjectInfo): string {
  return `Resource(apiVersion=${info.apiVersion}, kind=${info.kind}, namespace=${info.namespace}, name=${info.name})`;
}

/** Go's `%v` of a string slice. */
export function goList(values: readonly string[]): string {
  return `[${values.join(' ')}]`;
}

/** A sorted, de-duplicated list (Go's `sets.String.List()`). */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** True for a node that holds no value (null, `~`, or missing). */
export function isNullNode(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function isSeqNode(node: unknown): boolean {
  return isSeq(node);
}
