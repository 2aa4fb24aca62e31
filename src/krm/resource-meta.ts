/**
 * Reading and editing the identity and annotations of a KRM object held in a `yaml` Document, with
 * the conventions of kyaml (kpt's library): values are read as their YAML text, a new annotation
 * value is single-quoted, a replaced value keeps the old quoting style and loses its comments.
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap } from 'yaml';
import type { Document, Node } from 'yaml';
import { currentSource } from './scalar-source.js';

/** The identity fields of an object; empty strings where absent. */
export interface ObjectMeta {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** The text of a scalar (its source for parsed nodes), or undefined for other nodes. */
export function scalarString(node: unknown): string | undefined {
  // Plain values appear where the `yaml` API was given them instead of nodes.
  if (typeof node === 'string') return node;
  if (typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (!isScalar(node)) return undefined;
  const source = currentSource(node);
  if (source !== undefined) return source;
  const v: unknown = node.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return undefined;
}

function keyString(node: unknown): string | undefined {
  return scalarString(node);
}

/** The pair of `map` whose key reads `key`. */
export function findPair(map: YAMLMap, key: string): Pair<Node, Node | null> | undefined {
  return (map.items as Pair<Node, Node | null>[]).find((p) => keyString(p.key) === key);
}

export function getField(map: unknown, key: string): Node | null | undefined {
  if (!isMap(map)) return undefined;
  return findPair(map, key)?.value;
}

export function getStringField(map: unknown, key: string): string {
  return scalarString(getField(map, key)) ?? '';
}

function stringMap(node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const k = keyString(pair.key);
    const v = scalarString(pair.value);
    if (k !== undefined && v !== undefined) out[k] = v;
  }
  return out;
}

/** The root mapping of a document, if it is one. */
export function rootMap(doc: Document): YAMLMap | undefined {
  return isMap(doc.contents) ? doc.contents : undefined;
}

export function objectMeta(doc: Document): ObjectMeta {
  const root = rootMap(doc);
  const metadata = getField(root, 'metadata');
  return {
    apiVersion: getStringField(root, 'apiVersion'),
    kind: getStringField(root, 'kind'),
    name: getStringField(metadata, 'name'),
    namespace: getStringField(metadata, 'namespace'),
    labels: stringMap(getField(metadata, 'labels')),
    annotations: stringMap(getField(metadata, 'annotations')),
  };
}

/** The group of an apiVersion (`apps/v1` → `apps`, `v1` → ``). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function isEmptyValue(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  if (isMap(node) || isSeq(node)) return node.items.length === 0;
  return isScalar(node) && node.value === null;
}

/** Removes `key` from `map`; returns whether it was there. */
export function deleteField(map: YAMLMap, key: string): boolean {
  const index = map.items.findIndex((p) => keyString(p.key) === key);
  if (index < 0) return false;
  map.items.splice(index, 1);
  return true;
}

/** The mapping under `key`, created at the end of `map` when missing, empty or null. */
function ensureMap(map: YAMLMap, key: string): YAMLMap {
  const pair = findPair(map, key);
  if (pair && isMap(pair.value) && pair.value.items.length > 0) return pair.value;
  if (pair && isMap(pair.value)) return pair.value;
  if (pair) deleteField(map, key);
  const created = new YAMLMap();
  map.items.push(new Pair(new Scalar(key), created));
  return created;
}

function newStringValue(value: string, like: unknown): Scalar<string> {
  const scalar = new Scalar(value);
  // kyaml single-quotes annotation values; a replaced value keeps the style it had.
  scalar.type = isScalar(like) && like.type ? like.type : Scalar.QUOTE_SINGLE;
  return scalar;
}

/**
 * Sets `metadata.annotations[key]` the way kyaml does: an empty `annotations` is dropped and
 * re-created at the end of `metadata`; an existing value node is replaced (its comments go).
 */
export function setAnnotation(doc: Document, key: string, value: string): void {
  const root = rootMap(doc);
  if (!root) throw new Error('cannot set an annotation on a document that is not a mapping');
  const metadata = ensureMap(root, 'metadata');
  const existing = findPair(metadata, 'annotations');
  if (existing && isEmptyValue(existing.value)) deleteField(metadata, 'annotations');
  const annotations = ensureMap(metadata, 'annotations');
  const pair = findPair(annotations, key);
  if (pair) pair.value = newStringValue(value, pair.value);
  else annotations.items.push(new Pair(new Scalar(key), newStringValue(value, undefined)));
}

/** Removes an annotation; drops `annotations` when it becomes empty. */
export function removeAnnotation(doc: Document, key: string): boolean {
  const metadata = getField(rootMap(doc), 'metadata');
  if (!isMap(metadata)) return false;
  const annotations = getField(metadata, 'annotations');
  if (!isMap(annotations)) return false;
  const removed = deleteField(annotations, key);
  if (removed && annotations.items.length === 0) deleteField(metadata, 'annotations');
  return removed;
}

/**
 * The clean-up kpt's writer does on every document it writes: an empty or null
 * `metadata.annotations` goes, then an empty or null `metadata`.
 */
export function clearEmptyMetadata(doc: Document): void {
  const root = rootMap(doc);
  if (!root) return;
  const metadataPair = findPair(root, 'metadata');
  if (!metadataPair) return;
  const metadata = metadataPair.value;
  if (isMap(metadata)) {
    const annotations = findPair(metadata, 'annotations');
    if (annotations && isEmptyValue(annotations.value)) deleteField(metadata, 'annotations');
  }
  if (isEmptyValue(metadataPair.value)) deleteField(root, 'metadata');
}
