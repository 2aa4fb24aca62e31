/** `v1` kinds served by Lading itself: Namespace, ConfigMap, Secret. */
import { Type, type Static } from 'typebox';
import { StringMap, TypeMetaFields } from './schema-helpers.js';

export const NamespaceSchema = Type.Object(
  {
    ...TypeMetaFields,
    spec: Type.Optional(
      Type.Object(
        {
          finalizers: Type.Optional(
            Type.Array(Type.String(), {
              description:
                'Finalizers is an opaque list of values that must be empty to permanently remove object from storage.',
            }),
          ),
        },
        { description: 'Spec defines the behavior of the Namespace.' },
      ),
    ),
    status: Type.Optional(
      Type.Object(
        {
          phase: Type.Optional(
            Type.String({
              description: 'Phase is the current lifecycle phase of the namespace.',
              enum: ['Active', 'Terminating'],
            }),
          ),
        },
        { description: 'Status describes the current status of a Namespace.' },
      ),
    ),
  },
  { description: 'Namespace provides a scope for Names. Use of multiple namespaces is optional.' },
);
export type Namespace = Static<typeof NamespaceSchema>;

export const ConfigMapSchema = Type.Object(
  {
    ...TypeMetaFields,
    data: Type.Optional(StringMap({ description: 'Data contains the configuration data.' })),
    binaryData: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string', format: 'byte' },
        description: 'BinaryData contains the binary data, base64-encoded.',
      }),
    ),
    immutable: Type.Optional(
      Type.Boolean({
        description:
          'Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.',
      }),
    ),
  },
  { description: 'ConfigMap holds configuration data for pods to consume.' },
);
export type ConfigMap = Static<typeof ConfigMapSchema>;

export const SecretSchema = Type.Object(
  {
    ...TypeMetaFields,
    type: Type.Optional(
      Type.String({ description: 'Used to facilitate programmatic handling of secret data.' }),
    ),
    data: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string', format: 'byte' },
        description: 'Data contains the secret data, base64-encoded.',
      }),
    ),
    stringData: Type.Optional(
      StringMap({
        description: 'stringData allows specifying non-binary secret data in string form. It is write-only.',
      }),
    ),
    immutable: Type.Optional(
      Type.Boolean({
        description: 'Immutable, if set to true, ensures that data stored in the Secret cannot be updated.',
      }),
    ),
  },
  { description: 'Secret holds secret data of a certain type.' },
);
export type Secret = Static<typeof SecretSchema>;
