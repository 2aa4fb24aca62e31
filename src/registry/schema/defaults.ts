/**
 * Defaulting as apiextensions does it for structural schemas (`defaulting.Default` after
 * `PruneNonNullableNullsWithoutDefaults`):
 * - a property that is missing, or null while not nullable, gets a deep copy of its `default`;
 * - defaulting then recurses into every value present (including defaults just set), through
 *   `properties`, `additionalProperties` and `items`; `allOf`/`anyOf`/`oneOf`/`not` never default;
 * - a null that is allowed (`nullable: true`) is kept; a null that is neither nullable nor
 *   defaultable is removed, as if it had not been sent.
 */
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import { isPlainObject } from '../../apimachinery/index.js';

function isNull(value: unknown): boolean {
  return value === null || value === undefined;
}

function schemaForKey(schema: JSONSchemaProps | undefined, key: string): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  if (schema.properties && Object.hasOwn(schema.properties, key)) return schema.properties[key];
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function pruneNonNullableNulls(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (Array.isArray(value)) {
    for (const item of value) pruneNonNullableNulls(item, schema?.items);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const sub = schemaForKey(schema, key);
    if (isNull(child) && sub !== undefined && !sub.nullable && sub.default === undefined) delete value[key];
    else pruneNonNullableNulls(child, sub);
  }
}

function needsDefault(value: unknown, schema: JSONSchemaProps | undefined): schema is JSONSchemaProps {
  return isNull(value) && schema !== undefined && !schema.nullable && schema.default !== undefined;
}

function fill(value: unknown, schema: JSONSchemaProps | undefined): void {
  if (schema === undefined) return;
  if (Array.isArray(value)) {
    const items = schema.items;
    value.forEach((item, i) => {
      if (needsDefault(item, items)) value[i] = structuredClone(items.default);
      fill(value[i], items);
    });
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (property.default === undefined) continue;
    if (!Object.hasOwn(value, key) || needsDefault(value[key], property))
      value[key] = structuredClone(property.default);
  }
  for (const key of Object.keys(value)) {
    const sub = schemaForKey(schema, key);
    if (sub === undefined) continue;
    if (needsDefault(value[key], sub)) value[key] = structuredClone(sub.default);
    fill(value[key], sub);
  }
}

/** Applies the schema's defaults to `object` in place (see the module comment for the rules). */
export function applyDefaults(object: unknown, schema: JSONSchemaProps): void {
  pruneNonNullableNulls(object, schema);
  fill(object, schema);
}
