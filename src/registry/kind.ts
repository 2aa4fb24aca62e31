/**
 * A kind served by the API: its names, scope, schema, printer columns and subresources.
 * Built-in kinds are declared in code (`apis/`); custom resource kinds come from CRDs.
 */
import type { JSONSchemaProps, KubeObject, StatusCause } from '../apimachinery/index.js';

export interface PrinterColumn {
  name: string;
  /** OpenAPI type of the cell: `string`, `integer`, `number`, `boolean` or `date`. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** Simple JSONPath into the object, e.g. `.spec.replicas` or `.metadata.creationTimestamp`. */
  jsonPath: string;
  description?: string;
  format?: string;
  /** 0 = shown by default; > 0 only with `-o wide`. */
  priority?: number;
}

export interface KindNames {
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames?: string[];
  categories?: string[];
}

/** Hooks that give a kind its behaviour on write. All optional; all may throw ApiErrors. */
export interface Strategy {
  /** Sets defaults and clears fields users may not set, on create. */
  prepareForCreate?(object: KubeObject): void;
  /** The same on update; `old` is the stored object. */
  prepareForUpdate?(object: KubeObject, old: KubeObject): void;
  /** Kind-specific validation beyond the schema; returns field causes (empty = valid). */
  validate?(object: KubeObject): StatusCause[];
  validateUpdate?(object: KubeObject, old: KubeObject): StatusCause[];
  /** Top-level or nested field paths that may not change after create, e.g. `['spec', 'type']`. */
  immutableFields?: readonly (readonly string[])[];
  /** Field selectors this kind supports beyond `metadata.name` and `metadata.namespace`. */
  fieldSelectors?: Readonly<Record<string, (object: KubeObject) => string | undefined>>;
}

export interface KindDefinition {
  group: string;
  /** Versions served, in order of preference; the first is the storage version. */
  versions: readonly string[];
  names: KindNames;
  namespaced: boolean;
  /** Schema of the whole object (apiVersion, kind, metadata, spec, status…). */
  schema: JSONSchemaProps;
  printerColumns: readonly PrinterColumn[];
  /** Whether `status` is a subresource (written only through `/status`). */
  statusSubresource: boolean;
  strategy?: Strategy;
  /** Verbs served; default all of get, list, watch, create, update, patch, delete, deletecollection. */
  verbs?: readonly string[];
  /** Which CRD registered this kind, if any (its name). */
  crd?: string;
  description?: string;
}

/** `plural.group`, or `plural` for the core group: the store's resource key and RBAC name. */
export function groupResource(kind: Pick<KindDefinition, 'group' | 'names'>): string {
  return kind.group === '' ? kind.names.plural : `${kind.names.plural}.${kind.group}`;
}
