/**
 * Schema-driven reading and writing of typed objects in `yaml` nodes.
 *
 * - `decodeObject` reads a node strictly (unknown fields and wrong types become causes with field
 *   paths and source lines), as kpt's strict Go decoding does.
 * - `assignObject` writes a typed value into an existing mapping in place: untouched keys keep their
 *   comments and position, changed scalars keep their quoting style, new keys go where kpt's struct
 *   order puts them, keys without a value are removed.
 * - `buildNode` creates fresh nodes the way go-yaml marshals Go values (sorted map keys).
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import { fieldError, type StatusCause } from '../apimachinery/index.js';
import type { FieldSchema, ObjectFields } from './kptfile-schema.js';
import type { LineIndex } from './line-index.js';
import { deleteField, findPair, scalarString } from './resource-meta.js';
import { resolvesToNonString } from './kyaml-resolve.js';

export interface DecodeContext {
  lines: LineIndex | undefined;
  causes: StatusCause[];
}

function at(node: unknown, ctx: DecodeContext): string {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!ctx.lines || !range) return '';
  return ` (line ${ctx.lines.position(range[0]).line + 1})`;
}

function typeName(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return node.value === null ? 'null' : `a ${typeof node.value}`;
  return 'an alias';
}

function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

/** Decodes `node` by `schema`; returns undefined (and records causes) when it does not fit. */
export function decodeValue(
  node: unknown,
  schema: FieldSchema,
  path: string,
  ctx: DecodeContext,
  where: unknown = node,
): unknown {
  if (isNull(node)) return undefined;
  const wrongType = (expected: string): undefined => {
    ctx.causes.push(
      fieldError.typeInvalid(
        path,
        scalarString(node) ?? typeName(node),
        `must be ${expected}${at(where, ctx)}`,
      ),
    );
    return undefined;
  };
  switch (schema.type) {
    case 'string': {
      if (!isScalar(node)) return wrongType('a string');
      const value = scalarString(node) ?? '';
      if (schema.enum && !schema.enum.includes(value)) {
        ctx.causes.push(fieldError.notSupported(path, value, schema.enum));
      }
      return value;
    }
    case 'integer': {
      const text = scalarString(node);
      if (text === undefined || !/^-?\d+$/.test(text)) return wrongType('an integer');
      return Number(text);
    }
    case 'stringMap': {
      if (!isMap(node)) return wrongType('a mapping of strings');
      const out: Record<string, string> = {};
      for (const pair of node.items) {
        const key = scalarString(pair.key) ?? '';
        const value = isNull(pair.value) ? '' : isScalar(pair.value) ? scalarString(pair.value) : undefined;
        if (value === undefined) {
          ctx.causes.push(
            fieldError.typeInvalid(
              `${path}.${key}`,
              typeName(pair.value),
              `must be a string${at(pair.key, ctx)}`,
            ),
          );
          continue;
        }
        out[key] = value;
      }
      return out;
    }
    case 'stringList': {
      if (!isSeq(node)) return wrongType('a list of strings');
      return node.items.map((item, i) => decodeValue(item, { type: 'string' }, `${path}[${i}]`, ctx) ?? '');
    }
    case 'any':
      return (node as Node).toJSON();
    case 'list': {
      if (!isSeq(node)) return wrongType('a list');
      return node.items.map((item, i) => decodeValue(item, schema.items, `${path}[${i}]`, ctx) ?? {});
    }
    case 'object': {
      if (!isMap(node)) return wrongType('a mapping');
      return decodeObject(node, schema.fields, path, ctx);
    }
  }
}

export function decodeObject(
  map: YAMLMap,
  fields: ObjectFields,
  path: string,
  ctx: DecodeContext,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of map.items) {
    const key = scalarString(pair.key) ?? '';
    const fieldPath = path ? `${path}.${key}` : key;
    const schema = fields.find(([name]) => name === key)?.[1];
    if (!schema) {
      ctx.causes.push({
        reason: 'FieldValueNotSupported',
        field: fieldPath,
        message: `unknown field \`${key}\`${at(pair.key, ctx)}`,
      });
      continue;
    }
    const value = decodeValue(pair.value, schema, fieldPath, ctx, pair.key);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

function isEmptyValue(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value === '';
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object') return Object.keys(value).length === 0;
  return false;
}

/** A new scalar for a Go string; the emitter styles it as go-yaml's marshaller would. */
function stringNode(value: string): Scalar<string> {
  return new Scalar(value);
}

/** Fresh nodes for `value`, as go-yaml marshals it (`omitempty` fields dropped, map keys sorted). */
export function buildNode(value: unknown, schema: FieldSchema): Node {
  switch (schema.type) {
    case 'string':
      return stringNode(String(value));
    case 'integer':
      return new Scalar(Number(value));
    case 'stringMap': {
      const map = new YAMLMap();
      const entries = Object.entries(value as Record<string, string>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      for (const [k, v] of entries) map.items.push(new Pair(stringNode(k), stringNode(v)));
      return map;
    }
    case 'stringList': {
      const seq = new YAMLSeq();
      for (const item of value as string[]) seq.items.push(stringNode(item));
      return seq;
    }
    case 'any':
      return buildAny(value);
    case 'list': {
      const seq = new YAMLSeq();
      for (const item of value as unknown[]) seq.items.push(buildNode(item, schema.items));
      return seq;
    }
    case 'object': {
      const map = new YAMLMap();
      const record = value as Record<string, unknown>;
      for (const [name, fieldSchema] of schema.fields) {
        const v = record[name];
        if (isEmptyValue(v)) continue;
        map.items.push(new Pair(stringNode(name), buildNode(v, fieldSchema)));
      }
      return map;
    }
  }
}

function buildAny(value: unknown): Node {
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(buildAny(item));
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = new YAMLMap();
    for (const [k, v] of Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      map.items.push(new Pair(stringNode(k), buildAny(v)));
    }
    return map;
  }
  if (typeof value === 'string') return stringNode(value);
  return new Scalar(value);
}

/** Updates a scalar in place; keeps the node (comments, style) when the text is the same. */
function assignScalar(pair: Pair, value: string | number): void {
  const current = pair.value;
  const text = String(value);
  if (isScalar(current) && scalarString(current) === text) return;
  if (isScalar(current) && typeof value === 'string') {
    const scalar = new Scalar(text);
    // Keep quoting; a plain value that would read back as another type gets double quotes.
    if (current.type !== undefined) {
      scalar.type =
        current.type === Scalar.PLAIN && resolvesToNonString(text) ? Scalar.QUOTE_DOUBLE : current.type;
    }
    pair.value = scalar;
    return;
  }
  pair.value = typeof value === 'string' ? stringNode(value) : new Scalar(value);
}

function insertPair(map: YAMLMap, name: string, node: Node, order: readonly string[]): void {
  const rank = order.indexOf(name);
  const index = map.items.findIndex((p) => {
    const r = order.indexOf(scalarString(p.key) ?? '');
    return rank >= 0 && r > rank;
  });
  const pair = new Pair(stringNode(name), node);
  if (index < 0) map.items.push(pair);
  else map.items.splice(index, 0, pair);
}

/** The mapping under `name`, created (at its place in `order`) when missing or not a mapping. */
export function ensureMapField(map: YAMLMap, name: string, order: readonly string[]): YAMLMap {
  const pair = findPair(map, name);
  if (pair && isMap(pair.value)) return pair.value;
  const created = new YAMLMap();
  if (pair) pair.value = created;
  else insertPair(map, name, created, order);
  return created;
}

/** Writes `value` as field `name` of `map` (see the module comment); `undefined` removes it. */
export function assignField(
  map: YAMLMap,
  name: string,
  value: unknown,
  schema: FieldSchema,
  order: readonly string[],
): void {
  const pair = findPair(map, name);
  if (isEmptyValue(value)) {
    if (pair) deleteField(map, name);
    return;
  }
  if (!pair) {
    insertPair(map, name, buildNode(value, schema), order);
    return;
  }
  switch (schema.type) {
    case 'string':
    case 'integer':
      assignScalar(pair, value as string | number);
      return;
    case 'stringMap': {
      if (!isMap(pair.value)) break;
      const record = value as Record<string, string>;
      const target = pair.value;
      for (const existing of [...target.items]) {
        const key = scalarString(existing.key) ?? '';
        if (!(key in record)) deleteField(target, key);
      }
      for (const [k, v] of Object.entries(record)) {
        const p = findPair(target, k);
        if (p) assignScalar(p, v);
        else target.items.push(new Pair(stringNode(k), stringNode(v)));
      }
      return;
    }
    case 'object': {
      if (!isMap(pair.value)) break;
      assignObject(pair.value, value as Record<string, unknown>, schema.fields);
      return;
    }
    case 'stringList':
    case 'list': {
      if (!isSeq(pair.value)) break;
      assignList(pair.value, value as unknown[], schema);
      return;
    }
    case 'any':
      break;
  }
  pair.value = buildNode(value, schema);
}

function itemKey(node: unknown, key: string | undefined): string | undefined {
  if (!key || !isMap(node)) return undefined;
  return scalarString(findPair(node, key)?.value);
}

function assignList(
  seq: YAMLSeq,
  values: unknown[],
  schema: FieldSchema & { type: 'list' | 'stringList' },
): void {
  const itemSchema: FieldSchema = schema.type === 'list' ? schema.items : { type: 'string' };
  const key = schema.type === 'list' ? schema.key : undefined;
  const old = [...(seq.items as Node[])];
  const used = new Set<Node>();
  const result: Node[] = values.map((value, i) => {
    // Reuse the node of the same item (by key when the list has one, else by position).
    const wantedKey = key ? (value as Record<string, unknown>)[key] : undefined;
    const match = key
      ? old.find((n) => !used.has(n) && itemKey(n, key) === wantedKey)
      : old[i] !== undefined && !used.has(old[i])
        ? old[i]
        : undefined;
    if (match !== undefined) {
      used.add(match);
      if (itemSchema.type === 'object' && isMap(match)) {
        assignObject(match, value as Record<string, unknown>, itemSchema.fields);
        return match;
      }
      if ((itemSchema.type === 'string' || itemSchema.type === 'integer') && isScalar(match)) {
        const holder = new Pair(new Scalar('item'), match);
        assignScalar(holder, value as string | number);
        return holder.value as Node;
      }
    }
    return buildNode(value, itemSchema);
  });
  seq.items = result;
}

/** Writes every field of `value` into `map` (fields not in `value` are removed). */
export function assignObject(map: YAMLMap, value: Record<string, unknown>, fields: ObjectFields): void {
  const order = fields.map(([n]) => n);
  for (const [name, schema] of fields) assignField(map, name, value[name], schema, order);
}
