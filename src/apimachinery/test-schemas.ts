/**
 * Test fixture: a trimmed `apps/v1` Deployment schema carrying the same patch and list markers as
 * Kubernetes' published OpenAPI. Used by the patch and apply tests only.
 */
import type { JSONSchemaProps } from './schema.js';

const string: JSONSchemaProps = { type: 'string' };
const integer: JSONSchemaProps = { type: 'integer' };

const containerSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    name: string,
    image: string,
    args: { type: 'array', items: string },
    ports: {
      type: 'array',
      items: {
        type: 'object',
        properties: { containerPort: integer, protocol: { ...string, default: 'TCP' }, name: string },
      },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
    },
    env: {
      type: 'array',
      items: { type: 'object', properties: { name: string, value: string } },
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
    },
    resources: {
      type: 'object',
      properties: { limits: { type: 'object', additionalProperties: string } },
    },
  },
};

export const deploymentSchema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: string,
    kind: string,
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      properties: {
        replicas: integer,
        paused: { type: 'boolean' },
        selector: {
          type: 'object',
          properties: { matchLabels: { type: 'object', additionalProperties: string } },
          'x-kubernetes-map-type': 'atomic',
        },
        strategy: {
          type: 'object',
          properties: {
            type: string,
            rollingUpdate: { type: 'object', properties: { maxSurge: string, maxUnavailable: string } },
          },
          'x-kubernetes-patch-strategy': 'retainKeys',
        },
        template: {
          type: 'object',
          properties: {
            metadata: {
              type: 'object',
              properties: { labels: { type: 'object', additionalProperties: string } },
            },
            spec: {
              type: 'object',
              properties: {
                containers: {
                  type: 'array',
                  items: containerSchema,
                  'x-kubernetes-list-type': 'map',
                  'x-kubernetes-list-map-keys': ['name'],
                  'x-kubernetes-patch-strategy': 'merge',
                  'x-kubernetes-patch-merge-key': 'name',
                },
                tolerations: {
                  type: 'array',
                  items: { type: 'object', properties: { key: string, effect: string } },
                  'x-kubernetes-list-type': 'atomic',
                },
                nodeSelector: {
                  type: 'object',
                  additionalProperties: string,
                  'x-kubernetes-map-type': 'atomic',
                },
                hostAliases: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { ip: string, hostnames: { type: 'array', items: string } },
                  },
                  'x-kubernetes-patch-strategy': 'replace',
                },
              },
            },
          },
        },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
    status: {
      type: 'object',
      properties: { readyReplicas: integer },
    },
  },
};
