/**
 * Pieces shared by the Porch API files (`porch.kpt.dev`, `config.porch.kpt.dev`): the resource
 * table other modules register kinds from, the root type meta Porch's CRDs declare, and the
 * `metav1` Condition and LabelSelector schemas as controller-gen emits them.
 */
import { Type, type TUnsafe } from 'typebox';
import type { KubeObject, ObjectMeta } from '../apimachinery/index.js';
import { StringMap } from './schema-helpers.js';

/** A server-side printer column; `Name` is implicit and always first, as for every kind. */
export interface ApiPrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** Where the cell comes from; Porch's own path where it has one. */
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
  /** Computes the cell where it is not the value at `jsonPath` (a count, a label test…). */
  cell?: (object: KubeObject) => unknown;
}

/** Names, verbs and listing facts of one served resource. */
export interface ApiResourceInfo {
  group: string;
  /** The storage and preferred version. */
  version: string;
  /** Every served version, preferred first. */
  versions: readonly string[];
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
  subresources: readonly string[];
  verbs: readonly string[];
  printerColumns: readonly ApiPrinterColumn[];
  /** Field selectors beyond `metadata.name` and `metadata.namespace`. */
  fieldSelectors: readonly string[];
  /** The finalizer Porch's controller puts on objects of this kind, if any. */
  finalizer?: string;
}

/** `.metadata.creationTimestamp` as `Age`, the column CRDs get when they declare none. */
export const ageColumn: ApiPrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
};

/** A string restricted to `values`, typed as their union. */
export function StringEnum<T extends string>(
  values: readonly T[],
  options: { description?: string; default?: T } = {},
): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** An RFC 3339 time; `nullable` where Go serializes a zero `metav1.Time` as `null`. */
export function DateTime(options: { description?: string; nullable?: boolean } = {}): TUnsafe<string> {
  return Type.Unsafe<string>({ type: 'string', format: 'date-time', ...options });
}

/**
 * apiVersion, kind and metadata of a top-level object, as Porch's CRDs declare them: a
 * structural root may say nothing about `metadata` but `type: object` (ObjectMeta applies).
 */
export const RootTypeMetaFields = {
  apiVersion: Type.Optional(
    Type.String({
      description: 'APIVersion defines the versioned schema of this representation of an object.',
    }),
  ),
  kind: Type.Optional(
    Type.String({
      description: 'Kind is a string value representing the REST resource this object represents.',
    }),
  ),
  metadata: Type.Optional(Type.Unsafe<ObjectMeta>({ type: 'object' })),
};

/** `{name}` reference to a Secret in the same namespace. */
export const PorchSecretRefSchema = Type.Object(
  {
    name: Type.String({
      description: 'Name of the secret, in the namespace of the object holding the reference.',
    }),
  },
  { description: 'Reference to secret containing authentication credentials.' },
);

/** `metav1.Condition`, with the validation controller-gen puts into Porch's CRDs. */
export const MetaConditionSchema = Type.Object(
  {
    type: Type.String({
      description: 'type of condition in CamelCase or in foo.example.com/CamelCase.',
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
    }),
    status: StringEnum(['True', 'False', 'Unknown'], {
      description: 'status of the condition, one of True, False, Unknown.',
    }),
    observedGeneration: Type.Optional(
      Type.Integer({
        format: 'int64',
        minimum: 0,
        description: 'The .metadata.generation that the condition was set based upon.',
      }),
    ),
    lastTransitionTime: DateTime({
      description: 'Last time the condition transitioned from one status to another.',
    }),
    reason: Type.String({
      description: "Programmatic identifier of the condition's last transition, in CamelCase.",
      maxLength: 1024,
      minLength: 1,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
    }),
    message: Type.String({
      description: 'Human readable message indicating details about the transition.',
      maxLength: 32768,
    }),
  },
  { description: 'Condition contains details for one aspect of the current state of this API Resource.' },
);

const LabelSelectorRequirementSchema = Type.Object(
  {
    key: Type.String({ description: 'key is the label key that the selector applies to.' }),
    operator: Type.String({
      description: "operator is a key's relationship to a set of values: In, NotIn, Exists and DoesNotExist.",
    }),
    values: Type.Optional(
      Type.Array(Type.String(), {
        description: 'values is an array of string values; empty for Exists and DoesNotExist.',
        'x-kubernetes-list-type': 'atomic',
      }),
    ),
  },
  { description: 'A label selector requirement: a key, an operator and values.' },
);

/** `metav1.LabelSelector`'s fields, to spread into selector objects (which are atomic maps). */
export const LabelSelectorFields = {
  matchExpressions: Type.Optional(
    Type.Array(LabelSelectorRequirementSchema, {
      description: 'matchExpressions is a list of label selector requirements, ANDed.',
      'x-kubernetes-list-type': 'atomic',
    }),
  ),
  matchLabels: Type.Optional(
    StringMap({ description: 'matchLabels is a map of {key,value} pairs, ANDed with matchExpressions.' }),
  ),
};

export const LabelSelectorSchema = Type.Object(LabelSelectorFields, {
  description: 'A label query over a set of resources; empty selects everything.',
  'x-kubernetes-map-type': 'atomic',
});
