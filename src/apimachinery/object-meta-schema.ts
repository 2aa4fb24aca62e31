/**
 * `ObjectMeta` as a `JSONSchemaProps` fragment with the merge markers Kubernetes publishes for it:
 * `finalizers` merge as a set, `ownerReferences` merge by `uid`, labels and annotations are maps.
 * Patch and apply code uses it for every object's `metadata` (and for embedded resources), so a
 * kind's own schema may leave `metadata` as a bare `type: object`.
 */
import type { JSONSchemaProps } from './schema.js';

const string: JSONSchemaProps = { type: 'string' };
const stringMap: JSONSchemaProps = { type: 'object', additionalProperties: { type: 'string' } };

export const ownerReferenceSchema: JSONSchemaProps = {
  type: 'object',
  required: ['apiVersion', 'kind', 'name', 'uid'],
  properties: {
    apiVersion: string,
    kind: string,
    name: string,
    uid: string,
    controller: { type: 'boolean' },
    blockOwnerDeletion: { type: 'boolean' },
  },
  'x-kubernetes-map-type': 'atomic',
};

export const objectMetaPatchSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: string,
    generateName: string,
    namespace: string,
    selfLink: string,
    uid: string,
    resourceVersion: string,
    generation: { type: 'integer', format: 'int64' },
    creationTimestamp: { type: 'string', format: 'date-time' },
    deletionTimestamp: { type: 'string', format: 'date-time' },
    deletionGracePeriodSeconds: { type: 'integer', format: 'int64' },
    labels: stringMap,
    annotations: stringMap,
    ownerReferences: {
      type: 'array',
      items: ownerReferenceSchema,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'uid',
    },
    finalizers: {
      type: 'array',
      items: string,
      'x-kubernetes-list-type': 'set',
      'x-kubernetes-patch-strategy': 'merge',
    },
    managedFields: {
      type: 'array',
      items: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
};
