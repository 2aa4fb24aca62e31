/**
 * The shared `meta.k8s.io/v1` schemas every OpenAPI document references, under Kubernetes'
 * definition names. A field that refers to another definition holds that definition's schema
 * object itself (wrapped in a one-element `allOf` when the field has its own description); the
 * document builders turn those objects into `$ref`s by identity (see `schema-emit.ts`).
 */
import type { JSONSchemaProps } from '../../apimachinery/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const RUNTIME = 'io.k8s.apimachinery.pkg.runtime';

/** `{allOf: [target]}` with the field's own description: emitted as a described `$ref`. */
function refTo(target: JSONSchemaProps, description: string): JSONSchemaProps {
  return { description, allOf: [target] };
}

const str = (description: string): JSONSchemaProps => ({ type: 'string', description });
const int64 = (description: string): JSONSchemaProps => ({ type: 'integer', format: 'int64', description });
const bool = (description: string): JSONSchemaProps => ({ type: 'boolean', description });

const apiVersionField = str(
  'APIVersion defines the versioned schema of this representation of an object. Servers convert recognized schemas to the latest internal value and may reject unrecognized values.',
);
const kindField = str(
  'Kind is a string value representing the REST resource this object represents. Servers may infer it from the endpoint the client submits requests to. In CamelCase.',
);

export const timeSchema: JSONSchemaProps = {
  type: 'string',
  format: 'date-time',
  description:
    'Time is a timestamp in RFC 3339 form, serialized with second precision (e.g. "2024-01-02T15:04:05Z").',
};

export const fieldsV1Schema: JSONSchemaProps = {
  type: 'object',
  description:
    'FieldsV1 stores a set of fields in a trie, in JSON: each key is `.name` (a field), `v:<value>` (a list item by value), `k:<keys>` (a list item by its keys) or `i:<index>`; `.` marks a field that is itself owned.',
};

export const ownerReferenceSchema: JSONSchemaProps = {
  type: 'object',
  description:
    'OwnerReference identifies an object that owns this one. The owner must be in the same namespace as the dependent, or cluster-scoped.',
  required: ['apiVersion', 'kind', 'name', 'uid'],
  properties: {
    apiVersion: str('API version of the referent.'),
    blockOwnerDeletion: bool(
      'If true, and the owner has the "foregroundDeletion" finalizer, the owner cannot be deleted from the key-value store until this reference is removed.',
    ),
    controller: bool(
      'If true, this reference points to the managing controller. At most one owner reference may be a controller.',
    ),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
  },
  'x-kubernetes-map-type': 'atomic',
};

export const managedFieldsEntrySchema: JSONSchemaProps = {
  type: 'object',
  description:
    'ManagedFieldsEntry records which fields a workflow (a field manager) owns, the operation that set them and the version of the resource they are expressed in.',
  properties: {
    apiVersion: str(
      'APIVersion of the resource the fieldset applies to; the fields are expressed in that version.',
    ),
    fieldsType: str('Format of the fields; the only valid value is "FieldsV1".'),
    fieldsV1: refTo(fieldsV1Schema, 'FieldsV1 holds the first JSON version format of the fieldset.'),
    manager: str('Identifier of the workflow managing these fields.'),
    operation: str('Operation that caused this entry: "Apply" or "Update".'),
    subresource: str('Subresource used to update the object, empty for the main resource.'),
    time: refTo(
      timeSchema,
      'Timestamp of when the entry was last changed by an operation that changed a field it owns.',
    ),
  },
};

export const objectMetaSchema: JSONSchemaProps = {
  type: 'object',
  description:
    'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
  properties: {
    annotations: {
      type: 'object',
      description:
        'Unstructured key-value map set by external tools; not queryable. Keys are qualified names.',
      additionalProperties: { type: 'string', default: '' },
    },
    creationTimestamp: refTo(
      timeSchema,
      'Time the server created this object. Set by the system; read-only. Null for lists.',
    ),
    deletionGracePeriodSeconds: int64(
      'Seconds allowed for this object to terminate gracefully before it is removed from the system. Set only when deletionTimestamp is set. Read-only.',
    ),
    deletionTimestamp: refTo(
      timeSchema,
      'Time after which this object will be deleted, set by the server when a graceful deletion is requested. The object stays visible until its finalizers are removed. Read-only.',
    ),
    finalizers: {
      type: 'array',
      description:
        'Must be empty before the object is deleted from the registry. Each entry identifies a component responsible for removing it; the order is not significant.',
      items: { type: 'string', default: '' },
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    generateName: str(
      'Prefix the server uses to generate a unique name when name is not provided; a random suffix is added. Applies only on create.',
    ),
    generation: int64(
      'A sequence number representing a specific generation of the desired state. Set by the system; read-only.',
    ),
    labels: {
      type: 'object',
      description:
        'Map of string keys and values used to organize and select objects. Keys are qualified names.',
      additionalProperties: { type: 'string', default: '' },
    },
    managedFields: {
      type: 'array',
      description:
        'Maps workflow-id and version to the set of fields managed by that workflow. Mostly for internal housekeeping.',
      items: { default: {}, allOf: [managedFieldsEntrySchema] },
      'x-kubernetes-list-type': 'atomic',
    },
    name: str(
      'Name must be unique within a namespace. Required on create unless generateName is used. Cannot be updated.',
    ),
    namespace: str(
      'Namespace defines the space within which each name must be unique. Empty for cluster-scoped objects. Cannot be updated.',
    ),
    ownerReferences: {
      type: 'array',
      description:
        'Objects this object depends on. When all owners are deleted, this object is garbage collected. At most one reference may be a controller.',
      items: { default: {}, allOf: [ownerReferenceSchema] },
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-patch-merge-key': 'uid',
      'x-kubernetes-patch-strategy': 'merge',
    },
    resourceVersion: str(
      'An opaque value representing the internal version of this object, used for optimistic concurrency, change detection and watches. Read-only.',
    ),
    selfLink: str('Deprecated: not set by the server.'),
    uid: str(
      'Unique in time and space for this object. Set by the server on create; cannot be updated. Read-only.',
    ),
  },
};

export const listMetaSchema: JSONSchemaProps = {
  type: 'object',
  description: 'ListMeta describes metadata that synthetic resources (lists) must have.',
  properties: {
    continue: str(
      'Set when the server limited the number of items returned; pass it back as the continue parameter to get the next page of the same consistent snapshot.',
    ),
    remainingItemCount: int64(
      'Number of items left after this page, when the server can tell; an estimate otherwise.',
    ),
    resourceVersion: str(
      'Internal version of the collection at which the list was served; opaque to clients.',
    ),
    selfLink: str('Deprecated: not set by the server.'),
  },
};

export const statusCauseSchema: JSONSchemaProps = {
  type: 'object',
  description: 'StatusCause provides more information about a failure, for example which field was invalid.',
  properties: {
    field: str('Path of the field that caused the error, e.g. "spec.containers[0].name"; may be empty.'),
    message: str('Human-readable description of the cause.'),
    reason: str('Machine-readable cause of the error, e.g. "FieldValueInvalid".'),
  },
};

export const statusDetailsSchema: JSONSchemaProps = {
  type: 'object',
  description: 'StatusDetails carries extended data about a failure; the fields set depend on the reason.',
  properties: {
    causes: {
      type: 'array',
      description: 'Details of the individual causes, e.g. every invalid field.',
      items: { default: {}, allOf: [statusCauseSchema] },
      'x-kubernetes-list-type': 'atomic',
    },
    group: str('Group of the resource the status is about.'),
    kind: str('Kind (plural resource for most errors) of the resource the status is about.'),
    name: str('Name of the resource the status is about, when there is one.'),
    retryAfterSeconds: {
      type: 'integer',
      format: 'int32',
      description: 'Seconds a client should wait before retrying, if set.',
    },
    uid: str('UID of the resource the status is about, when there is one.'),
  },
};

export const statusSchema: JSONSchemaProps = {
  type: 'object',
  description: 'Status is the return value of calls that do not return another object, and of every failure.',
  properties: {
    apiVersion: apiVersionField,
    code: { type: 'integer', format: 'int32', description: 'HTTP status code of this status; 0 if not set.' },
    details: {
      description: 'Extended data about the failure, depending on the reason.',
      allOf: [statusDetailsSchema],
    },
    kind: kindField,
    message: str('Human-readable description of the status of this operation.'),
    metadata: refTo(listMetaSchema, 'Standard list metadata.'),
    reason: str(
      'Machine-readable reason for the "Failure" status, e.g. "NotFound"; empty when no reason applies.',
    ),
    status: str('"Success" or "Failure".'),
  },
  'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
};

export const preconditionsSchema: JSONSchemaProps = {
  type: 'object',
  description: 'Preconditions must be fulfilled before an operation (update, delete) is carried out.',
  properties: {
    resourceVersion: str('The target resourceVersion.'),
    uid: str('The target UID.'),
  },
};

export const deleteOptionsSchema: JSONSchemaProps = {
  type: 'object',
  description: 'DeleteOptions may be provided when deleting an API object.',
  properties: {
    apiVersion: apiVersionField,
    dryRun: {
      type: 'array',
      description: 'When present, modifications are not persisted. The only valid value is "All".',
      items: { type: 'string', default: '' },
      'x-kubernetes-list-type': 'atomic',
    },
    gracePeriodSeconds: int64(
      "Seconds before the object is deleted; 0 means immediately. Defaults to the kind's value when unset.",
    ),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(
      'If true, deletes an object that cannot be read from storage (e.g. undecryptable). Dangerous; requires an extra permission.',
    ),
    kind: kindField,
    orphanDependents: bool('Deprecated: use propagationPolicy. Whether dependents are orphaned.'),
    preconditions: refTo(preconditionsSchema, 'Must be fulfilled before a deletion is carried out.'),
    propagationPolicy: str(
      'Whether and how garbage collection is performed: "Orphan", "Background" or "Foreground".',
    ),
  },
  'x-kubernetes-group-version-kind': [{ group: '', kind: 'DeleteOptions', version: 'v1' }],
};

export const patchSchema: JSONSchemaProps = {
  type: 'object',
  description:
    'Patch is the body of a PATCH request: a JSON patch, merge patch, strategic merge patch or apply configuration.',
};

export const rawExtensionSchema: JSONSchemaProps = {
  type: 'object',
  description: 'RawExtension holds an embedded object of any kind, serialized as JSON.',
};

export const watchEventSchema: JSONSchemaProps = {
  type: 'object',
  description: 'WatchEvent is one event of a watch stream.',
  required: ['type', 'object'],
  properties: {
    object: refTo(
      rawExtensionSchema,
      'The object: for ADDED and MODIFIED its new state, for DELETED its state before deletion, for BOOKMARK only its resourceVersion, for ERROR a Status.',
    ),
    type: str('ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.'),
  },
  'x-kubernetes-group-version-kind': [{ group: '', kind: 'WatchEvent', version: 'v1' }],
};

/** Every shared definition by its Kubernetes definition name. */
export const metaDefinitions: Readonly<Record<string, JSONSchemaProps>> = {
  [`${META}.DeleteOptions`]: deleteOptionsSchema,
  [`${META}.FieldsV1`]: fieldsV1Schema,
  [`${META}.ListMeta`]: listMetaSchema,
  [`${META}.ManagedFieldsEntry`]: managedFieldsEntrySchema,
  [`${META}.ObjectMeta`]: objectMetaSchema,
  [`${META}.OwnerReference`]: ownerReferenceSchema,
  [`${META}.Patch`]: patchSchema,
  [`${META}.Preconditions`]: preconditionsSchema,
  [`${META}.Status`]: statusSchema,
  [`${META}.StatusCause`]: statusCauseSchema,
  [`${META}.StatusDetails`]: statusDetailsSchema,
  [`${META}.Time`]: timeSchema,
  [`${META}.WatchEvent`]: watchEventSchema,
  [`${RUNTIME}.RawExtension`]: rawExtensionSchema,
};

export const typeMetaFields = { apiVersion: apiVersionField, kind: kindField };

export const OBJECT_META_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
export const LIST_META_DESCRIPTION =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Groups of Kubernetes' own APIs whose definitions live under `io.k8s.api.<short name>`. */
const K8S_API_GROUP = /^(?:([a-z0-9-]+)|([a-z0-9-]+)(?:\.[a-z0-9-]+)*\.k8s\.io)$/;

/**
 * The definition name of a kind: `io.k8s.api.core.v1.ConfigMap` for the core group,
 * `io.k8s.api.<name>.<version>.<Kind>` for Kubernetes' own groups (`apps`, `rbac.authorization.k8s.io`),
 * and `<reversed group>.<version>.<Kind>` for everything else (`com.example.v1.Widget`).
 */
export function definitionName(group: string, version: string, kind: string): string {
  if (group === '') return `io.k8s.api.core.${version}.${kind}`;
  if (group === 'apiextensions.k8s.io')
    return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${kind}`;
  if (group === 'apiregistration.k8s.io')
    return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${kind}`;
  const m = K8S_API_GROUP.exec(group);
  if (m && !group.endsWith('.x-k8s.io')) return `io.k8s.api.${m[1] ?? m[2] ?? group}.${version}.${kind}`;
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}
