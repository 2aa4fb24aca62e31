/**
 * Walking a `JSONSchemaProps` alongside a value: the schema of a property or list item, and the
 * merge semantics the `x-kubernetes-*` markers give to maps and lists. Shared by strategic merge
 * patch and server-side apply, and usable by anything else that walks objects with their schema.
 *
 * A missing schema (`undefined`) means "nothing known": callers treat maps as granular maps and
 * lists as atomic, which is also how Kubernetes treats fields kept by
 * `x-kubernetes-preserve-unknown-fields`.
 */
import { objectMetaPatchSchema } from './object-meta-schema.js';
import type { JSONSchemaProps } from './schema.js';

/** Stands for any value below `x-kubernetes-preserve-unknown-fields` or `additionalProperties: true`. */
export const unknownSchema: JSONSchemaProps = { 'x-kubernetes-preserve-unknown-fields': true };

const embeddedResourceProperties: Record<string, JSONSchemaProps> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: objectMetaPatchSchema,
};

/**
 * The schema of a whole Kubernetes object: the kind's schema with `metadata` replaced by
 * `objectMetaPatchSchema`, since every object's metadata is an `ObjectMeta`.
 */
export function objectRootSchema(schema: JSONSchemaProps | undefined): JSONSchemaProps {
  return { ...schema, 'x-kubernetes-embedded-resource': true };
}

/** True when `name` is a declared property (a struct field) rather than a map entry. */
export function isDeclaredProperty(schema: JSONSchemaProps | undefined, name: string): boolean {
  if (schema === undefined) return false;
  if (schema['x-kubernetes-embedded-resource'] === true && Object.hasOwn(embeddedResourceProperties, name))
    return true;
  return schema.properties !== undefined && Object.hasOwn(schema.properties, name);
}

/** The schema of property `name`, resolving embedded resources, `additionalProperties` and unknown fields. */
export function propertySchema(
  schema: JSONSchemaProps | undefined,
  name: string,
): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  if (schema['x-kubernetes-embedded-resource'] === true && Object.hasOwn(embeddedResourceProperties, name)) {
    return embeddedResourceProperties[name];
  }
  if (schema.properties !== undefined && Object.hasOwn(schema.properties, name))
    return schema.properties[name];
  const additional = schema.additionalProperties;
  if (typeof additional === 'object') return additional;
  if (additional === true || schema['x-kubernetes-preserve-unknown-fields'] === true) return unknownSchema;
  return undefined;
}

/** The schema of the items of a list. */
export function itemSchema(schema: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  if (schema === undefined) return undefined;
  if (schema.items !== undefined) return schema.items;
  return schema['x-kubernetes-preserve-unknown-fields'] === true ? unknownSchema : undefined;
}

/** True when a map is replaced as a whole (`x-kubernetes-map-type: atomic`). */
export function isAtomicMap(schema: JSONSchemaProps | undefined): boolean {
  return schema?.['x-kubernetes-map-type'] === 'atomic';
}

export interface PatchStrategy {
  /** `merge`: lists merge by `mergeKey` (maps) or as sets (primitives). */
  readonly merge: boolean;
  /** `replace`: the field is replaced as a whole by a strategic merge patch. */
  readonly replace: boolean;
  /** `retainKeys`: the map honours the `$retainKeys` directive. */
  readonly retainKeys: boolean;
  readonly mergeKey: string | undefined;
}

/** Reads `x-kubernetes-patch-strategy` (comma-separated, e.g. `merge,retainKeys`) and the merge key. */
export function patchStrategyOf(schema: JSONSchemaProps | undefined): PatchStrategy {
  const strategies = (schema?.['x-kubernetes-patch-strategy'] ?? '').split(',').map((s) => s.trim());
  return {
    merge: strategies.includes('merge'),
    replace: strategies.includes('replace'),
    retainKeys: strategies.includes('retainKeys'),
    mergeKey: schema?.['x-kubernetes-patch-merge-key'],
  };
}

export type ListSemantics =
  | { readonly type: 'atomic' }
  | { readonly type: 'set' }
  | { readonly type: 'map'; readonly keys: readonly string[] };

/**
 * How server-side apply treats a list. `x-kubernetes-list-type` decides; without it, a list with
 * patch strategy `merge` is a map keyed by its merge key (or a set, for primitives without a key),
 * as Kubernetes derives it for built-in kinds; anything else is atomic.
 */
export function listSemantics(schema: JSONSchemaProps | undefined): ListSemantics {
  const strategy = patchStrategyOf(schema);
  switch (schema?.['x-kubernetes-list-type']) {
    case 'atomic':
      return { type: 'atomic' };
    case 'set':
      return { type: 'set' };
    case 'map': {
      const keys = schema['x-kubernetes-list-map-keys'] ?? (strategy.mergeKey ? [strategy.mergeKey] : []);
      return keys.length > 0 ? { type: 'map', keys } : { type: 'atomic' };
    }
    case undefined:
      break;
  }
  if (!strategy.merge) return { type: 'atomic' };
  if (strategy.mergeKey) return { type: 'map', keys: [strategy.mergeKey] };
  return schema?.items?.type === 'object' ? { type: 'atomic' } : { type: 'set' };
}
