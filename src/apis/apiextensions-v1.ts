/** `apiextensions.k8s.io/v1` CustomResourceDefinition. */
import { Type, type Static } from 'typebox';
import type { JSONSchemaProps } from '../apimachinery/index.js';
import { FreeForm, TypeMetaFields } from './schema-helpers.js';

const NamesSchema = Type.Object({
  plural: Type.String({ description: 'plural is the plural name of the resource to serve.' }),
  singular: Type.Optional(Type.String({ description: 'singular is the singular name of the resource.' })),
  shortNames: Type.Optional(
    Type.Array(Type.String(), { description: 'shortNames are short names for the resource.' }),
  ),
  kind: Type.String({ description: 'kind is the serialized kind of the resource.' }),
  listKind: Type.Optional(
    Type.String({ description: 'listKind is the serialized kind of the list for this resource.' }),
  ),
  categories: Type.Optional(
    Type.Array(Type.String(), { description: 'categories is a list of grouped resources (e.g. `all`).' }),
  ),
});

const PrinterColumnSchema = Type.Object({
  name: Type.String(),
  type: Type.String({ description: 'type is an OpenAPI type definition for this column.' }),
  format: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Integer({ format: 'int32' })),
  jsonPath: Type.String({
    description: 'jsonPath is a simple JSON path evaluated against each custom resource.',
  }),
});

const VersionSchema = Type.Object({
  name: Type.String({ description: 'name is the version name, e.g. "v1", "v2beta1".' }),
  served: Type.Boolean({
    description: 'served is a flag enabling/disabling this version from being served via REST APIs.',
  }),
  storage: Type.Boolean({
    description: 'storage indicates this version should be used when persisting custom resources.',
  }),
  deprecated: Type.Optional(Type.Boolean()),
  deprecationWarning: Type.Optional(Type.String()),
  schema: Type.Optional(
    Type.Object({
      openAPIV3Schema: Type.Optional(
        FreeForm({
          description: 'openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.',
        }),
      ),
    }),
  ),
  subresources: Type.Optional(
    Type.Object({
      status: Type.Optional(
        FreeForm({
          description: 'status indicates the custom resource should serve a `/status` subresource.',
        }),
      ),
      scale: Type.Optional(FreeForm()),
    }),
  ),
  additionalPrinterColumns: Type.Optional(Type.Array(PrinterColumnSchema)),
  selectableFields: Type.Optional(Type.Array(Type.Object({ jsonPath: Type.String() }))),
});

const ConditionSchema = Type.Object({
  type: Type.String(),
  status: Type.String(),
  lastTransitionTime: Type.Optional(Type.String({ format: 'date-time' })),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
});

export const CustomResourceDefinitionSchema = Type.Object(
  {
    ...TypeMetaFields,
    spec: Type.Object(
      {
        group: Type.String({ description: 'group is the API group of the defined custom resource.' }),
        names: NamesSchema,
        scope: Type.String({
          description: 'scope indicates whether the defined custom resource is cluster- or namespace-scoped.',
          enum: ['Cluster', 'Namespaced'],
        }),
        versions: Type.Array(VersionSchema, {
          description: 'versions is the list of all API versions of the defined custom resource.',
        }),
        conversion: Type.Optional(
          FreeForm({ description: 'conversion defines conversion settings for the CRD.' }),
        ),
        preserveUnknownFields: Type.Optional(Type.Boolean()),
      },
      { description: 'spec describes how the user wants the resources to appear' },
    ),
    status: Type.Optional(
      Type.Object({
        conditions: Type.Optional(Type.Array(ConditionSchema)),
        acceptedNames: Type.Optional(Type.Partial(NamesSchema)),
        storedVersions: Type.Optional(Type.Array(Type.String())),
      }),
    ),
  },
  { description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.' },
);

export type CustomResourceDefinition = Static<typeof CustomResourceDefinitionSchema>;
export type CustomResourceDefinitionVersion = Static<typeof VersionSchema>;

/** The version's schema, typed as what it is. */
export function versionSchema(version: CustomResourceDefinitionVersion): JSONSchemaProps | undefined {
  return version.schema?.openAPIV3Schema;
}
