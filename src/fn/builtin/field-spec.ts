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

export function matchesSpec(fs: FieldSpec, info: Pick<ObjectInfo, 'apiVersion' | 'kind'>): boolean {
  if (fs.kind !== '' && fs.kind !== info.kind) return false;
  if (fs.group === '' && fs.version === '') return true;
  // Called for every object and every spec: compare without splitting `apiVersion` into strings.
  const apiVersion = info.apiVersion;
  const slash = apiVersion.indexOf('/');
  if (fs.group !== '') {
    if (slash !== fs.group.length || !apiVersion.startsWith(fs.group)) return false;
  }
  if (fs.version !== '') {
    const start = slash < 0 ? 0 : slash + 1;
    if (apiVersion.length - start !== fs.version.length || !apiVersion.startsWith(fs.version, start))
      return false;
  }
  return true;
}

const splitCache = new Map<string, readonly string[]>();

/** The fields of a spec path (`\/` escapes a slash); cached, since the same specs walk every object. */
export function splitSpecPath(path: string): readonly string[] {
  const cached = splitCache.get(path);
  if (cached) return cached;
  const parts = path.split('/');
  const out: string[] = [parts[0] ?? ''];
  for (const p of parts.slice(1)) {
    const last = out.length - 1;
    const prev = out[last] ?? '';
    if (prev.endsWith('\\')) out[last] = `${prev.slice(0, -1)}/${p}`;
    else out.push(p);
  }
  if (splitCache.size < 1_000) splitCache.set(path, out);
  return out;
}

/** The kind of node to create for a missing leaf (`map`), or no creation at the leaf. */
export type CreateKind = 'map' | undefined;

/**
 * A place a walk arrived at. A class rather than an object of closures: walks run for every object
 * and every field spec, and most of them end at a missing field.
 */
class WalkSlot implements FieldSlot {
  private fields: readonly string[] | undefined;
  constructor(
    readonly node: Node,
    private readonly parent: WalkSlot | undefined,
    /** The pair holding `node` (a mapping field) or the sequence holding it at `index`. */
    private readonly holder: Pair | YAMLSeq | undefined,
    private readonly index: number,
    /** The field name that led here from `parent` (undefined for a sequence item). */
    private readonly field: string | undefined,
  ) {}

  replace(next: Node): void {
    if (this.holder instanceof Pair) this.holder.value = next;
    else if (this.holder) this.holder.items[this.index] = next;
  }

  get path(): readonly string[] {
    if (!this.fields) {
      const above = this.parent?.path ?? [];
      this.fields = this.field === undefined ? above : [...above, this.field];
    }
    return this.fields;
  }
}

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
  walk(
    new WalkSlot(root, undefined, undefined, 0, undefined),
    splitSpecPath(fs.path),
    0,
    fs,
    createKind,
    visit,
  );
}

function walk(
  slot: WalkSlot,
  fields: readonly string[],
  at: number,
  fs: FieldSpec,
  createKind: CreateKind,
  visit: (slot: FieldSlot) => void,
): void {
  if (at === fields.length) {
    visit(slot);
    return;
  }
  const node = slot.node;
  if (isSeq(node)) {
    // As Array.prototype.forEach: items appended meanwhile are not visited, holes are skipped.
    const length = node.items.length;
    for (let i = 0; i < length; i++) {
      if (!(i in node.items)) continue;
      walk(new WalkSlot(node.items[i] as Node, slot, node, i, undefined), fields, at, fs, createKind, visit);
    }
    return;
  }
  if (!isMap(node)) throw new Error('expected sequence or mapping node');
  const raw = fields[at] ?? '';
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
    else if (fields.length - at > 1) return;
  }
  walk(new WalkSlot(target.value as Node, slot, target, 0, name), fields, at + 1, fs, createKind, visit);
}
