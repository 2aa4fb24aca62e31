/**
 * The value side of server-side apply: merging an applied configuration into the live object,
 * and removing the fields an applier gave up. Which fields those are is decided by
 * `server-side-apply.ts`; this file only edits values.
 */
import type { FieldSet } from './field-set.js';
import { itemElement, listItems, nodeKind } from './field-set-walk.js';
import { cloneJson, setOwn } from './json-value.js';
import { isPlainObject } from './object.js';
import type { JSONSchemaProps } from './schema.js';
import { itemSchema, listSemantics, propertySchema } from './schema-navigation.js';

/**
 * Merges `applied` into `live` (structured-merge-diff's merge with "keep the applied value"):
 * granular maps merge key by key, `set`/`map` lists merge item by item, everything else (scalars,
 * atomic maps and lists) takes the applied value. A `null` in the applied configuration removes
 * a scalar or atomic field and leaves a granular map or list alone. Returns a new value.
 */
export function mergeApplied(
  live: unknown,
  applied: unknown,
  schema: JSONSchemaProps | undefined,
  path: readonly string[] = [],
): unknown {
  if (applied === undefined) return cloneJson(live);
  const kind = nodeKind(schema, applied ?? live);
  if (applied === null) return kind !== 'leaf' && live !== undefined ? cloneJson(live) : undefined;
  if (kind === 'map' && isPlainObject(live) && isPlainObject(applied)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(live), ...Object.keys(applied)])) {
      const merged = mergeApplied(
        Object.hasOwn(live, key) ? live[key] : undefined,
        Object.hasOwn(applied, key) ? applied[key] : undefined,
        propertySchema(schema, key),
        [...path, `f:${key}`],
      );
      if (merged !== undefined) setOwn(out, key, merged);
    }
    return out;
  }
  if (kind === 'list' && Array.isArray(live) && Array.isArray(applied)) {
    return mergeLists(live, applied, schema, path);
  }
  return cloneJson(applied);
}

/**
 * Merges granular lists keeping the applied order for items on both sides, with live-only items
 * staying where they were relative to them (structured-merge-diff's list merge).
 */
function mergeLists(
  live: unknown[],
  applied: unknown[],
  schema: JSONSchemaProps | undefined,
  path: readonly string[],
): unknown[] {
  const liveItems = listItems(live, schema, path);
  const appliedItems = listItems(applied, schema, path);
  const liveOrder = [...liveItems.keys()];
  const appliedOrder = [...appliedItems.keys()];
  const shared = appliedOrder.filter((e) => liveItems.has(e));
  const items = itemSchema(schema);
  const out: unknown[] = [];
  const emit = (element: string): void => {
    const merged = mergeApplied(liveItems.get(element), appliedItems.get(element), items, [...path, element]);
    if (merged !== undefined) out.push(merged);
  };
  let nextShared = 0;
  let l = 0;
  let r = 0;
  while (l < liveOrder.length || r < appliedOrder.length) {
    const left = liveOrder[l];
    const right = appliedOrder[r];
    if (left !== undefined && right !== undefined && left === right) {
      emit(left);
      l++;
      r++;
      nextShared++;
    } else if (left !== undefined && !appliedItems.has(left)) {
      emit(left);
      l++;
    } else if (left !== undefined && (right === undefined || left !== shared[nextShared])) {
      // A shared item the applied order places later: it is emitted when the applied side reaches it.
      l++;
    } else if (right !== undefined) {
      emit(right);
      r++;
      if (right === shared[nextShared]) nextShared++;
    }
  }
  return out;
}

/**
 * Removes from `value` (owned by the caller, edited in place) the members of `toRemove`, except
 * nodes under which `keep` still has members: those stay, losing only the removed children.
 * Key fields of kept list items always stay. Maps and lists emptied by the removal are removed
 * too. Returns the value, or `undefined` when it was emptied.
 */
export function removeFields(
  value: unknown,
  toRemove: FieldSet,
  keep: FieldSet,
  schema: JSONSchemaProps | undefined,
  path: readonly string[] = [],
): unknown {
  if (toRemove.isEmpty()) return value;
  const kind = nodeKind(schema, value);
  if (kind === 'map' && isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      const outcome = removeChild(value[key], `f:${key}`, toRemove, keep, propertySchema(schema, key), path);
      if (outcome === 'delete') delete value[key];
    }
    return Object.keys(value).length === 0 ? undefined : value;
  }
  if (kind === 'list' && Array.isArray(value)) {
    const semantics = listSemantics(schema);
    const items = itemSchema(schema);
    const list = value as unknown[];
    const kept = list.filter((item, index) => {
      const element = itemElement(item, semantics, schema, path, index);
      const keys = semantics.type === 'map' ? semantics.keys : [];
      return removeChild(item, element, toRemove, keep, items, path, keys) !== 'delete';
    });
    list.splice(0, list.length, ...kept);
    return list.length === 0 ? undefined : list;
  }
  return value;
}

function removeChild(
  child: unknown,
  element: string,
  toRemove: FieldSet,
  keep: FieldSet,
  schema: JSONSchemaProps | undefined,
  path: readonly string[],
  keyFields: readonly string[] = [],
): 'keep' | 'delete' {
  const below = toRemove.child(element);
  const keptBelow = keep.child(element);
  if (toRemove.hasMember(element) && keptBelow.isEmpty()) return 'delete';
  if (below.isEmpty()) return 'keep';
  // Key fields identify a kept item; they are never removed from it.
  const protectedBelow = keyFields.reduce((set, key) => set.withoutSubtree([`f:${key}`]), below);
  const result = removeFields(child, protectedBelow, keptBelow, schema, [...path, element]);
  return result === undefined ? 'delete' : 'keep';
}
