/**
 * kustomize field specs (`group`, `version`, `kind`, `path`, `create`), as the catalog functions built
 * on kustomize filters use them: a spec applies to objects whose kind/group/version match where the
 * spec sets them; its `/`-separated path (`\/` escapes a slash) walks mappings, and every element of a
 * sequence on the way; `name[]` marks a sequence field. With `create`, missing mappings on the way are
 * appended (and a null value becomes a mapping).
 */
import { isMap, isScalar, isSeq, Pair, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import { findPair, stringNode, stringValue, type ObjectInfo } from './kube-object.js';

export interface FieldSpec {
  group: string;
  version: string;
  kind: string;
  path: string;
  create: boolean;
}

/** Where a walk arrived: the node, how to replace it, and the field names that led there. */
export interface FieldSlot {
  node: Node;
  replace(next: Node): void;
  path: readonly string[];
}

export function fieldSpec(
  path: string,
  options: { kind?: string; group?: string; version?: string; create?: boolean } = {},
): FieldSpec {
  return {
    path,
    kind: options.kind ?? '',
    group: options.group ?? '',
    version: options.version ?? '',
    create: options.create ?? false,
  };
}

/** Field specs from a config list node (`[{path, kind, group, version, create}]`). */
export function parseFieldSpecs(node: unknown): FieldSpec[] {
  if (!isSeq(node)) return [];
  const specs: FieldSpec[] = [];
  for (const item of node.items) {
    if (!isMap(item)) continue;
    const text = (k: string): string => stringValue(findPair(item, k)?.value) ?? '';
    const create = findPair(item, 'create')?.value;
    specs.push({
      path: text('path'),
      kind: text('kind'),
      group: text('group'),
      version: text('version'),
      create: isScalar(create) && (create.value === true || create.value === 'true'),
    });
  }
  return specs;
}

function groupVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function matchesSpec(fs: FieldSpec, info: Pick<ObjectInfo, 'apiVersion' | 'kind'>): boolean {
  if (fs.kind !== '' && fs.kind !== info.kind) return false;
  const { group, version } = groupVersion(info.apiVersion);
  if (fs.group !== '' && fs.group !== group) return false;
  if (fs.version !== '' && fs.version !== version) return false;
  return true;
}

export function splitSpecPath(path: string): string[] {
  const parts = path.split('/');
  const out: string[] = [parts[0] ?? ''];
  for (const p of parts.slice(1)) {
    const last = out.length - 1;
    const prev = out[last] ?? '';
    if (prev.endsWith('\\')) out[last] = `${prev.slice(0, -1)}/${p}`;
    else out.push(p);
  }
  return out;
}

/** The kind of node to create for a missing leaf (`map`), or no creation at the leaf. */
export type CreateKind = 'map' | undefined;

/**
 * Walks `fs.path` from `root`, calling `visit` at every place the path leads to. Throws an Error
 * (kustomize's "expected sequence or mapping node") when the path runs into a scalar.
 */
export function walkFieldSpec(
  root: YAMLMap,
  fs: FieldSpec,
  createKind: CreateKind,
  visit: (slot: FieldSlot) => void,
): void {
  const rootSlot: FieldSlot = { node: root, replace: () => undefined, path: [] };
  walk(rootSlot, splitSpecPath(fs.path), fs, createKind, visit);
}

function walk(
  slot: FieldSlot,
  rest: readonly string[],
  fs: FieldSpec,
  createKind: CreateKind,
  visit: (slot: FieldSlot) => void,
): void {
  if (rest.length === 0) {
    visit(slot);
    return;
  }
  const node = slot.node;
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const itemSlot: FieldSlot = {
        node: item as Node,
        replace: (next) => {
          node.items[i] = next;
        },
        path: slot.path,
      };
      walk(itemSlot, rest, fs, createKind, visit);
    });
    return;
  }
  if (!isMap(node)) throw new Error('expected sequence or mapping node');
  const raw = rest[0] ?? '';
  const isSeqField = raw.endsWith('[]');
  const name = isSeqField ? raw.slice(0, -2) : raw;
  const create = fs.create && createKind !== undefined && !isSeqField;
  let pair = findPair(node, name);
  if (!pair) {
    if (!create) return;
    pair = new Pair(stringNode(name), new YAMLMap());
    node.items.push(pair);
  }
  const target = pair;
  if (target.value === null || (isScalar(target.value) && target.value.value === null)) {
    // kustomize turns a null into the kind it would create (a sequence for `name[]`).
    if (isSeqField) target.value = new YAMLSeq();
    else if (create) target.value = new YAMLMap();
    else if (rest.length > 1) return;
  }
  const child: FieldSlot = {
    node: target.value as Node,
    replace: (next) => {
      target.value = next;
    },
    path: [...slot.path, name],
  };
  walk(child, rest.slice(1), fs, createKind, visit);
}
