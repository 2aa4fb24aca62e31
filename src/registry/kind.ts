/**
 * A kind served by the API: its names, scope, schema, printer columns and subresources.
 * Built-in kinds are declared in code (`apis/`); custom resource kinds come from CRDs.
 */
import type { JSONSchemaProps, KubeObject, StatusCause } from '../apimachinery/index.js';
import type { Subresource } from './handler.js';

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
  /** Computes the cell instead of `jsonPath` (built-in kinds, e.g. a count of `data` keys). */
  cell?: (object: KubeObject) => unknown;
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
  /**
   * Kind-specific validation beyond the schema; returns field causes (empty = valid). Runs only on
   * objects the schema accepts.
   */
  validate?(object: KubeObject): StatusCause[];
  validateUpdate?(object: KubeObject, old: KubeObject): StatusCause[];
  /** Top-level fields whose values are secret: error messages about them never quote the value. */
  secretFields?: readonly string[];
  /** Top-level or nested field paths that may not change after create, e.g. `['spec', 'type']`. */
  immutableFields?: readonly (readonly string[])[];
  /**
   * Runs after a committed write (not for dry runs) of this process, before the response is sent;
   * used where the next request must already see the effect (a CRD's kind being served).
   */
  afterWrite?(object: KubeObject): void | Promise<void>;
  /**
   * What, besides `metadata.finalizers`, keeps a deleted object from being removed: a Namespace
   * waits for its `spec.finalizers`. Non-empty = only mark the object with `deletionTimestamp`.
   */
  deletionBlockers?(object: KubeObject): readonly string[];
  /** Adjusts an object being marked for deletion (e.g. a Namespace's phase becomes Terminating). */
  prepareForDelete?(object: KubeObject): void;
  /** Field selectors this kind supports beyond `metadata.name` and `metadata.namespace`. */
  fieldSelectors?: Readonly<Record<string, (object: KubeObject) => string | undefined>>;
}

export interface KindDefinition {
  group: string;
  /** Versions served, in order of preference (the first is the preferred version). */
  versions: readonly string[];
  /** The version objects are stored as; default the first of `versions`. */
  storageVersion?: string;
  names: KindNames;
  namespaced: boolean;
  /** Schema of the whole object (apiVersion, kind, metadata, spec, status…). */
  schema: JSONSchemaProps;
  printerColumns: readonly PrinterColumn[];
  /** Whether `status` is a subresource (written only through `/status`). */
  statusSubresource: boolean;
  /** Further subresources the kind's handler serves with get/update/patch (e.g. `approval`). */
  subresources?: readonly Exclude<Subresource, 'status'>[];
  strategy?: Strategy;
  /** Verbs served; default all of get, list, watch, create, update, patch, delete, deletecollection. */
  verbs?: readonly string[];
  /** Which CRD registered this kind, if any (its name). */
  crd?: string;
  description?: string;
}

/** `plural.group`, or `plural` for the core group: the store's resource key and RBAC name. */
export function groupResource(kind: { group: string; names: Pick<KindNames, 'plural'> }): string {
  return kind.group === '' ? kind.names.plural : `${kind.names.plural}.${kind.group}`;
}
