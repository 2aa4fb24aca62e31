/**
 * Pruning of fields a structural schema does not specify, as apiextensions' `pruning` package
 * does on every write and read of a custom resource. Returned paths use Kubernetes' notation
 * (`spec.foo`, `spec.items[0].bar`, map keys as `.key`) and are sorted, so callers can report
 * them for `fieldValidation=Strict` (`strict decoding error: unknown field "spec.foo"`) or `Warn`.
 */
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import { isPlainObject } from '../../apimachinery/index.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** `metav1.ObjectMeta`'s fields: anything else in the metadata of a resource is dropped. */
const OBJECT_META_FIELDS = new Set([
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
]);

export interface PruneOptions {
  /**
   * Whether `object` is a whole resource (the default): its apiVersion, kind and metadata are kept
   * whatever the schema says, as for `x-kubernetes-embedded-resource`.
   */
  isResourceRoot?: boolean;
}

function join(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

class Pruner {
  readonly removed: string[] = [];

  /** The fields of a resource's metadata that ObjectMeta does not have. */
  private pruneMetadata(metadata: unknown, path: string): void {
    if (!isPlainObject(metadata)) return;
    for (const key of Object.keys(metadata)) {
      if (OBJECT_META_FIELDS.has(key)) continue;
      delete metadata[key];
      this.removed.push(join(path, key));
    }
  }

  prune(value: unknown, schema: JSONSchemaProps | undefined, path: string, embedded: boolean): void {
    if (schema?.['x-kubernetes-preserve-unknown-fields']) {
      this.skip(value, schema, path, embedded);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => this.prune(item, schema?.items, `${path}[${i}]`, isEmbedded(schema?.items)));
      return;
    }
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      const child = value[key];
      if (embedded && META_FIELDS.has(key)) {
        if (key === 'metadata') this.pruneMetadata(child, join(path, key));
        continue;
      }
      const sub = propertySchema(schema, key);
      if (sub !== undefined) {
        this.prune(child, sub === true ? undefined : sub, join(path, key), sub !== true && isEmbedded(sub));
        continue;
      }
      delete value[key];
      // Kubernetes does not report top-level type and object meta it drops from a non-resource.
      if (!META_FIELDS.has(key) || path !== '') this.removed.push(join(path, key));
    }
  }

  /** Under `x-kubernetes-preserve-unknown-fields`: keep unknown fields, prune inside known ones. */
  private skip(value: unknown, schema: JSONSchemaProps, path: string, embedded: boolean): void {
    if (Array.isArray(value)) {
      const items = schema.items;
      if (items) value.forEach((item, i) => this.skip(item, items, `${path}[${i}]`, isEmbedded(items)));
      return;
    }
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      if (embedded && META_FIELDS.has(key)) {
        if (key === 'metadata') this.pruneMetadata(value[key], join(path, key));
        continue;
      }
      const sub = propertySchema(schema, key);
      if (sub !== undefined && sub !== true) this.prune(value[key], sub, join(path, key), isEmbedded(sub));
    }
  }
}

function isEmbedded(schema: JSONSchemaProps | undefined): boolean {
  return schema?.['x-kubernetes-embedded-resource'] === true;
}

/**
 * The schema of `key` in an object: a property, else `additionalProperties` (`true` = anything,
 * kept as is), else undefined (unknown: pruned).
 */
function propertySchema(
  schema: JSONSchemaProps | undefined,
  key: string,
): JSONSchemaProps | true | undefined {
  if (schema === undefined) return undefined;
  const properties = schema.properties;
  if (properties && Object.hasOwn(properties, key)) return properties[key];
  const additional = schema.additionalProperties;
  if (additional === true) return true;
  if (typeof additional === 'object') return additional;
  return undefined;
}

/**
 * Removes, in place, every field of `object` that `schema` does not specify and returns their
 * paths, sorted. Respects `x-kubernetes-preserve-unknown-fields`, `additionalProperties` and
 * `x-kubernetes-embedded-resource` (whose apiVersion/kind/metadata are kept; unknown metadata
 * fields are removed and reported as `metadata.foo`).
 */
export function pruneUnknownFields(
  object: unknown,
  schema: JSONSchemaProps,
  options: PruneOptions = {},
): string[] {
  const pruner = new Pruner();
  pruner.prune(object, schema, '', options.isResourceRoot !== false || isEmbedded(schema));
  return pruner.removed.sort();
}
