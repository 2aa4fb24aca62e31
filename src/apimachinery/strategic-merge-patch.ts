/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), driven by the
 * `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` markers of the kind's schema,
 * with the semantics of `k8s.io/apimachinery/pkg/util/strategicpatch`:
 *
 * - maps merge key by key, `null` deletes; lists without a `merge` strategy are replaced;
 * - lists of maps with strategy `merge` merge items by the merge key, lists of primitives with
 *   strategy `merge` merge as sets; items new to the list come first, items only on the server
 *   keep their relative order (Kubernetes' `normalizeElementOrder`);
 * - directives: `$patch: replace | delete | merge` in a map, `{"$patch": "replace"}` and
 *   `{<key>: …, "$patch": "delete"}` in a merged list, `$retainKeys`,
 *   `$deleteFromPrimitiveList/<field>` and `$setElementOrder/<field>`;
 * - a field with strategy `replace` is replaced as a whole.
 *
 * Deliberate differences: `$patch: delete` on a map removes the field (Kubernetes leaves `{}`);
 * directives in values new to the object are processed rather than stored verbatim;
 * `$setElementOrder` is not checked against the order of the patch list; every malformed patch
 * is a 400 BadRequest (Kubernetes answers 500 for some, e.g. a missing merge key).
 */
import { BadRequestError } from './errors.js';
import { cloneJson, describeJson, jsonEqual, setOwn } from './json-value.js';
import { isPlainObject } from './object.js';
import type { JSONSchemaProps } from './schema.js';
import { itemSchema, objectRootSchema, patchStrategyOf, propertySchema } from './schema-navigation.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList/';
const setElementOrderPrefix = '$setElementOrder/';

type JsonMap = Record<string, unknown>;

/**
 * Applies `patch` to `doc` (a whole object) using `schema` (the kind's schema; `metadata` always
 * uses `objectMetaPatchSchema`). Returns a new object; throws `BadRequestError` for malformed patches.
 */
export function applyStrategicMergePatch(
  doc: unknown,
  patch: unknown,
  schema: JSONSchemaProps | undefined,
): JsonMap {
  if (!isPlainObject(patch))
    throw new BadRequestError('invalid strategic merge patch: the body must be a JSON object');
  const original = isPlainObject(doc) ? cloneJson(doc) : {};
  return mergeMap(original, patch, objectRootSchema(schema), '') ?? {};
}

function bad(message: string, path: string): BadRequestError {
  return new BadRequestError(
    `invalid strategic merge patch at ${path === '' ? 'the object root' : `"${path}"`}: ${message}`,
  );
}

/** Merges `patch` into `original` (owned, modified in place). `undefined` means "delete this map". */
function mergeMap(
  original: JsonMap | undefined,
  patch: JsonMap,
  schema: JSONSchemaProps | undefined,
  path: string,
): JsonMap | undefined {
  if (Object.hasOwn(patch, directiveMarker)) {
    const directive = patch[directiveMarker];
    if (directive === 'delete') return undefined;
    if (directive === 'replace') {
      const { [directiveMarker]: _, ...rest } = patch;
      return mergeMap(undefined, rest, schema, path);
    }
    if (directive !== 'merge') {
      throw bad(
        `unknown patch type ${describeJson(directive)}; "$patch" must be "replace", "delete" or "merge"`,
        path,
      );
    }
  }
  const result = original ?? {};
  applyRetainKeys(result, patch, path);
  const ordered = applySetElementOrder(result, patch, schema, path);
  const deletions: [string, unknown[]][] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (
      key === directiveMarker ||
      key === retainKeysDirective ||
      key.startsWith(setElementOrderPrefix) ||
      ordered.has(key)
    )
      continue;
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      const field = key.slice(deleteFromPrimitiveListPrefix.length);
      if (field === '' || !Array.isArray(value))
        throw bad(`invalid patch format of primitive list in "${key}"`, path);
      deletions.push([field, value]);
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    const merged = mergeValue(current, value, propertySchema(schema, key), `${path}.${key}`);
    if (merged === undefined) delete result[key];
    else setOwn(result, key, merged);
  }
  // Deletions from primitive lists apply after the additions of the same patch.
  for (const [field, remove] of deletions) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = list.filter((item) => !remove.some((r) => jsonEqual(r, item)));
  }
  return result;
}

/** Merges one patch value into the current value of a field. */
function mergeValue(
  current: unknown,
  patch: unknown,
  schema: JSONSchemaProps | undefined,
  path: string,
): unknown {
  const strategy = patchStrategyOf(schema);
  if (isPlainObject(patch)) {
    return mergeMap(isPlainObject(current) && !strategy.replace ? current : undefined, patch, schema, path);
  }
  if (Array.isArray(patch)) {
    if (strategy.merge && !strategy.replace)
      return mergeList(Array.isArray(current) ? current : [], patch, schema, path);
    return cloneJson(patch);
  }
  return patch;
}

/** `$retainKeys`: keys of the original not listed are cleared; the patch may only set listed keys. */
function applyRetainKeys(result: JsonMap, patch: JsonMap, path: string): void {
  if (!Object.hasOwn(patch, retainKeysDirective)) return;
  const keys = patch[retainKeysDirective];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw bad('invalid patch format of retainKeys: "$retainKeys" must be a list of field names', path);
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith('$')) continue;
    if (!keys.includes(key))
      throw bad(`invalid patch format of retainKeys: "${key}" is set but not listed in "$retainKeys"`, path);
  }
  for (const key of Object.keys(result)) {
    if (!keys.includes(key)) delete result[key];
  }
}

/**
 * `$setElementOrder/<field>`: merges the field's list (if patched) and orders the result by the
 * directive, items not named in it keeping their server order. Returns the fields it handled.
 */
function applySetElementOrder(
  result: JsonMap,
  patch: JsonMap,
  schema: JSONSchemaProps | undefined,
  path: string,
): Set<string> {
  const handled = new Set<string>();
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    const field = key.slice(setElementOrderPrefix.length);
    if (field === '' || !Array.isArray(order))
      throw bad(`invalid patch format of setElementOrder list in "${key}"`, path);
    const fieldSchema = propertySchema(schema, field);
    const fieldPath = `${path}.${field}`;
    const current = Object.hasOwn(result, field) ? result[field] : undefined;
    const patched = Object.hasOwn(patch, field) ? patch[field] : undefined;
    if (
      (current !== undefined && !Array.isArray(current)) ||
      (patched !== undefined && patched !== null && !Array.isArray(patched))
    ) {
      throw bad(`"${key}" applies to a field that is not a list`, path);
    }
    if (patched === null || (current === undefined && patched === undefined)) continue;
    const merged =
      patched === undefined
        ? (current as unknown[])
        : (mergeValue(current, patched, fieldSchema, fieldPath) as unknown[]);
    const mergeKey = patchStrategyOf(fieldSchema).mergeKey;
    const keyOf =
      mergeKey !== undefined && merged.every(isPlainObject)
        ? (item: unknown) => (item as JsonMap)[mergeKey]
        : identity;
    result[field] = normalizeOrder(merged, order, (current as unknown[] | undefined) ?? [], keyOf);
    handled.add(field);
  }
  return handled;
}

/** Merges two lists of a field with strategy `merge`: by merge key for maps, as a set for primitives. */
function mergeList(
  original: unknown[],
  patch: unknown[],
  schema: JSONSchemaProps | undefined,
  path: string,
): unknown[] {
  const all = [...original, ...patch];
  if (all.length === 0) return [];
  if (all.some(Array.isArray)) throw bad('lists of lists are not supported', path);
  const maps = all.filter(isPlainObject).length;
  if (maps === 0) {
    const merged: unknown[] = [];
    for (const item of all) if (!merged.some((m) => m === item)) merged.push(item);
    return normalizeOrder(merged, patch, original, identity);
  }
  if (maps !== all.length) throw bad(`list element types are not identical: ${describeJson(all)}`, path);
  const mergeKey = patchStrategyOf(schema).mergeKey;
  if (mergeKey === undefined)
    throw bad('cannot merge a list of maps without "x-kubernetes-patch-merge-key"', path);
  const items = itemSchema(schema);
  const keyOf = (item: unknown): unknown => (item as JsonMap)[mergeKey];
  const itemPath = (item: JsonMap): string => `${path}[${mergeKey}=${describeJson(item[mergeKey])}]`;

  let server = original as JsonMap[];
  const patchItems: JsonMap[] = [];
  let replace = false;
  for (const item of patch as JsonMap[]) {
    if (!Object.hasOwn(item, directiveMarker)) {
      patchItems.push(item);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey))
        throw bad(`map ${describeJson(item)} does not contain declared merge key: ${mergeKey}`, path);
      server = server.filter((s) => !jsonEqual(s[mergeKey], item[mergeKey]));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw bad('merging lists cannot yet be specified in the patch', path);
    } else {
      throw bad(`unknown patch type ${describeJson(directive)} in list item ${describeJson(item)}`, path);
    }
  }
  if (replace) {
    return patchItems.flatMap((item) => mergeMap(undefined, item, items, itemPath(item)) ?? []);
  }
  const merged: JsonMap[] = [...server];
  for (const item of patchItems) {
    if (!Object.hasOwn(item, mergeKey))
      throw bad(`map ${describeJson(item)} does not contain declared merge key: ${mergeKey}`, path);
    const index = merged.findIndex((m) => jsonEqual(m[mergeKey], item[mergeKey]));
    const result = mergeMap(index >= 0 ? merged[index] : undefined, item, items, itemPath(item));
    if (index < 0) {
      if (result !== undefined) merged.push(result);
    } else if (result === undefined) {
      merged.splice(index, 1);
    } else {
      merged[index] = result;
    }
  }
  return normalizeOrder(merged, patchItems, server, keyOf);
}

function identity(value: unknown): unknown {
  return value;
}

/**
 * Kubernetes' `normalizeElementOrder`: items named by `patchOrder` sorted by it, the others by
 * their server order, then interleaved so that a server item goes before a patch item only when
 * both are on the server and it came first there. New items therefore lead the list.
 */
function normalizeOrder(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  keyOf: (item: unknown) => unknown,
): unknown[] {
  const indexIn = (list: unknown[], item: unknown): number => {
    const key = keyOf(item);
    return list.findIndex((candidate) => jsonEqual(keyOf(candidate), key));
  };
  const byOrder = (list: unknown[]) => (a: unknown, b: unknown) =>
    rank(indexIn(list, a)) - rank(indexIn(list, b));
  const patchItems = merged.filter((item) => indexIn(patchOrder, item) >= 0).sort(byOrder(patchOrder));
  const serverOnly = merged.filter((item) => indexIn(patchOrder, item) < 0).sort(byOrder(serverOrder));
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (j >= patchItems.length) {
      out.push(serverOnly[i++]);
    } else if (i >= serverOnly.length) {
      out.push(patchItems[j++]);
    } else {
      const left = indexIn(serverOrder, serverOnly[i]);
      const right = indexIn(serverOrder, patchItems[j]);
      out.push(left >= 0 && right >= 0 && left < right ? serverOnly[i++] : patchItems[j++]);
    }
  }
  return out;
}

/** Items missing from an order list sort after the listed ones, keeping their relative order. */
function rank(index: number): number {
  return index < 0 ? Number.MAX_SAFE_INTEGER : index;
}
