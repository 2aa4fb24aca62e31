/**
 * Schema-aware walks that turn values into field sets, with structured-merge-diff's rules:
 *
 * - `toFieldSet` (what an applied configuration owns): scalars and atomic maps/lists are leaves;
 *   granular maps contribute their fields, and map entries that are not declared struct fields
 *   (labels, `additionalProperties`, unknown fields) are members themselves; items of `set` and
 *   `map` lists are members, and so are their children.
 * - `compareValues` (what an update changed): changed leaves are `modified`; a node missing on
 *   one side is `added` or `removed` together with everything below it.
 *
 * Both treat a value without schema the way Kubernetes treats unknown fields: objects are
 * granular maps, lists are atomic.
 */
import { BadRequestError } from './errors.js';
import { FieldSet, formatFieldPath, type FieldPath } from './field-set.js';
import { jsonEqual } from './json-value.js';
import { isPlainObject } from './object.js';
import type { JSONSchemaProps } from './schema.js';
import {
  isAtomicMap,
  isDeclaredProperty,
  itemSchema,
  listSemantics,
  propertySchema,
  type ListSemantics,
} from './schema-navigation.js';

export type NodeKind = 'map' | 'list' | 'leaf';

/** How a node is merged and tracked, from its schema, or from the value when the schema says nothing. */
export function nodeKind(schema: JSONSchemaProps | undefined, value: unknown): NodeKind {
  if (schema?.['x-kubernetes-int-or-string'] === true) return 'leaf';
  const type = schema?.type;
  if (type === 'object' || schema?.properties !== undefined || schema?.additionalProperties !== undefined) {
    return isAtomicMap(schema) ? 'leaf' : 'map';
  }
  if (type === 'array' || schema?.items !== undefined) {
    return listSemantics(schema).type === 'atomic' ? 'leaf' : 'list';
  }
  if (type !== undefined) return 'leaf';
  return isPlainObject(value) ? 'map' : 'leaf';
}

/**
 * The path element of a list item: `k:{…}` with the key fields (missing ones from their schema
 * default) for map lists, `v:<json>` for sets. Throws `BadRequestError` for items without keys.
 */
export function itemElement(
  item: unknown,
  semantics: ListSemantics,
  schema: JSONSchemaProps | undefined,
  path: FieldPath,
  index: number,
): string {
  if (semantics.type !== 'map') return `v:${JSON.stringify(item)}`;
  if (!isPlainObject(item)) {
    throw new BadRequestError(
      `${formatFieldPath(path)}: element ${index}: associative list with keys has an element that is not an object`,
    );
  }
  const key: Record<string, unknown> = {};
  for (const name of [...semantics.keys].sort()) {
    const value = Object.hasOwn(item, name) ? item[name] : itemSchema(schema)?.properties?.[name]?.default;
    if (value === undefined || value === null) {
      throw new BadRequestError(
        `${formatFieldPath(path)}: element ${index}: associative list with keys has an element that omits key field "${name}" (and doesn't have default value)`,
      );
    }
    key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

/**
 * The items of a granular list by path element. Throws `BadRequestError` on duplicate keys,
 * which server-side apply cannot track.
 */
export function listItems(
  list: readonly unknown[],
  schema: JSONSchemaProps | undefined,
  path: FieldPath,
): Map<string, unknown> {
  const semantics = listSemantics(schema);
  const items = new Map<string, unknown>();
  list.forEach((item, index) => {
    const element = itemElement(item, semantics, schema, path, index);
    if (items.has(element)) {
      throw new BadRequestError(
        `${formatFieldPath(path)}: duplicate entries for key ${formatFieldPath([element])}`,
      );
    }
    items.set(element, item);
  });
  return items;
}

/** The fields `value` sets, as owned by whoever applies it. The root itself is never a member. */
export function toFieldSet(value: unknown, schema: JSONSchemaProps | undefined): FieldSet {
  const paths: FieldPath[] = [];
  collect(value, schema, [], paths);
  return FieldSet.of(paths);
}

function collect(
  value: unknown,
  schema: JSONSchemaProps | undefined,
  path: FieldPath,
  out: FieldPath[],
): void {
  const kind = nodeKind(schema, value);
  if (kind === 'map') {
    if (!isPlainObject(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, `f:${key}`];
      collect(child, propertySchema(schema, key), childPath, out);
      if (!isDeclaredProperty(schema, key)) out.push(childPath);
    }
  } else if (kind === 'list') {
    if (!Array.isArray(value)) return;
    for (const [element, item] of listItems(value, schema, path)) {
      const childPath = [...path, element];
      collect(item, itemSchema(schema), childPath, out);
      out.push(childPath);
    }
  } else if (path.length > 0) {
    out.push(path);
  }
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** What changed from `lhs` to `rhs` (`undefined` = absent), path by path. */
export function compareValues(lhs: unknown, rhs: unknown, schema: JSONSchemaProps | undefined): Comparison {
  const out: Changes = { added: [], modified: [], removed: [] };
  compareNode(lhs, rhs, schema, [], out);
  return {
    added: FieldSet.of(out.added),
    modified: FieldSet.of(out.modified),
    removed: FieldSet.of(out.removed),
  };
}

interface Changes {
  added: FieldPath[];
  modified: FieldPath[];
  removed: FieldPath[];
}

/** Whether a value (or its absence) has the shape of a `map` or `list` node. */
function fits(kind: NodeKind, value: unknown): boolean {
  return value === undefined || (kind === 'map' ? isPlainObject(value) : Array.isArray(value));
}

function isEmptyContainer(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0)
  );
}

/** Compares one node; `path` is the walk's stack (copied only when a change is recorded). */
function compareNode(
  lhs: unknown,
  rhs: unknown,
  schema: JSONSchemaProps | undefined,
  path: string[],
  out: Changes,
): void {
  if (lhs === undefined && rhs === undefined) return;
  const kind = nodeKind(schema, rhs ?? lhs);
  // Structure is only walked when both sides have it; empty or null containers compare as leaves.
  const structural =
    kind !== 'leaf' &&
    fits(kind, lhs) &&
    fits(kind, rhs) &&
    !(isEmptyContainer(lhs) && isEmptyContainer(rhs));
  if (!structural) {
    if (path.length === 0) return;
    if (lhs === undefined) out.added.push([...path]);
    else if (rhs === undefined) out.removed.push([...path]);
    else if (!jsonEqual(lhs, rhs)) out.modified.push([...path]);
    return;
  }
  if (kind === 'map') {
    const left = (lhs ?? {}) as Record<string, unknown>;
    const right = (rhs ?? {}) as Record<string, unknown>;
    for (const key of new Set([...Object.keys(left), ...Object.keys(right)])) {
      path.push(`f:${key}`);
      const l = Object.hasOwn(left, key) ? left[key] : undefined;
      const r = Object.hasOwn(right, key) ? right[key] : undefined;
      compareNode(l, r, propertySchema(schema, key), path, out);
      path.pop();
    }
  } else {
    const left = listItems((lhs ?? []) as unknown[], schema, path);
    const right = listItems((rhs ?? []) as unknown[], schema, path);
    for (const element of new Set([...left.keys(), ...right.keys()])) {
      path.push(element);
      compareNode(left.get(element), right.get(element), itemSchema(schema), path, out);
      path.pop();
    }
  }
  if (path.length === 0) return;
  if (lhs === undefined) out.added.push([...path]);
  else if (rhs === undefined) out.removed.push([...path]);
}
