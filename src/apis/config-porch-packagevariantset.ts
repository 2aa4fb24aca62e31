/**
 * `config.porch.kpt.dev/v1alpha2` PackageVariantSet, the served and storage version of Porch's
 * CRD (its v1alpha1 is declared with `served: false`, so it is not reproduced). A target picks
 * downstream repositories by list, Repository label selector or in-cluster object selector, and
 * its template may compute fields with CEL expressions (`*Expr`).
 */
import { Type, type Static } from 'typebox';
import {
  LabelSelectorFields,
  LabelSelectorSchema,
  MetaConditionSchema,
  RootTypeMetaFields,
  ageColumn,
  type ApiResourceInfo,
} from './porch-common.js';
import { CONFIG_PORCH_GROUP } from './config-porch-v1alpha1.js';
import { KptFunctionFields, PackageVariantUpstreamSchema } from './config-porch-packagevariant.js';
import { StringMap } from './schema-helpers.js';

export const PACKAGE_VARIANT_SET_VERSION = 'v1alpha2';
/** Label on a generated PackageVariant: the UID of its PackageVariantSet. */
export const PACKAGE_VARIANT_SET_LABEL = 'config.porch.kpt.dev/packagevariantset';

/** `{key|keyExpr, value|valueExpr}`: an entry of a map, each side plain or a CEL expression. */
export const MapExprSchema = Type.Object({
  key: Type.Optional(Type.String()),
  keyExpr: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
  valueExpr: Type.Optional(Type.String()),
});
export type MapExpr = Static<typeof MapExprSchema>;

const mapExprs = (description: string) => Type.Optional(Type.Array(MapExprSchema, { description }));

const PipelineTemplateFunctionSchema = Type.Object(
  {
    ...KptFunctionFields,
    configMapExprs: mapExprs('ConfigMap entries computed with CEL; they override `configMap`.'),
  },
  { description: 'A kpt function whose ConfigMap config may be computed.' },
);

export const PackageVariantTemplateSchema = Type.Object(
  {
    downstream: Type.Optional(
      Type.Object(
        {
          repo: Type.Optional(Type.String()),
          repoExpr: Type.Optional(Type.String()),
          package: Type.Optional(Type.String()),
          packageExpr: Type.Optional(Type.String()),
        },
        { description: 'The downstream repository and package, plain or computed.' },
      ),
    ),
    adoptionPolicy: Type.Optional(Type.String({ description: 'adoptNone (default) or adoptExisting.' })),
    deletionPolicy: Type.Optional(Type.String({ description: 'delete (default) or orphan.' })),
    labels: Type.Optional(StringMap()),
    labelExprs: mapExprs('Labels computed with CEL; they override `labels`.'),
    annotations: Type.Optional(StringMap()),
    annotationExprs: mapExprs('Annotations computed with CEL; they override `annotations`.'),
    packageContext: Type.Optional(
      Type.Object(
        {
          data: Type.Optional(StringMap()),
          dataExprs: mapExprs('Data entries computed with CEL.'),
          removeKeys: Type.Optional(Type.Array(Type.String())),
          removeKeyExprs: Type.Optional(Type.Array(Type.String())),
        },
        { description: 'Edits of the kptfile.kpt.dev ConfigMap, plain or computed.' },
      ),
    ),
    pipeline: Type.Optional(
      Type.Object({
        validators: Type.Optional(Type.Array(PipelineTemplateFunctionSchema)),
        mutators: Type.Optional(Type.Array(PipelineTemplateFunctionSchema)),
      }),
    ),
    injectors: Type.Optional(
      Type.Array(
        Type.Object({
          group: Type.Optional(Type.String()),
          version: Type.Optional(Type.String()),
          kind: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
          nameExpr: Type.Optional(Type.String()),
        }),
      ),
    ),
  },
  { description: 'The template of the PackageVariants generated for a target.' },
);

export const PackageVariantSetTargetSchema = Type.Object(
  {
    repositories: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.String({ description: 'Name of the downstream Repository.' }),
          packageNames: Type.Optional(
            Type.Array(Type.String(), { description: 'Downstream package names; default the upstream one.' }),
          ),
        }),
        { description: 'Explicit downstream repositories.' },
      ),
    ),
    repositorySelector: Type.Optional(
      Type.Object(LabelSelectorSchema.properties, {
        description: 'Selects downstream Repositories by label.',
        'x-kubernetes-map-type': 'atomic',
      }),
    ),
    objectSelector: Type.Optional(
      Type.Object(
        {
          ...LabelSelectorFields,
          apiVersion: Type.Optional(Type.String()),
          kind: Type.Optional(Type.String()),
          name: Type.Optional(Type.String()),
        },
        {
          description: 'Selects objects in the namespace; one PackageVariant per object.',
          'x-kubernetes-map-type': 'atomic',
        },
      ),
    ),
    template: Type.Optional(PackageVariantTemplateSchema),
  },
  { description: 'A set of downstream targets: exactly one of the three selectors, and a template.' },
);
export type PackageVariantSetTarget = Static<typeof PackageVariantSetTargetSchema>;

export const PackageVariantSetSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(
      Type.Object(
        {
          upstream: Type.Optional(PackageVariantUpstreamSchema),
          targets: Type.Optional(Type.Array(PackageVariantSetTargetSchema)),
        },
        { description: 'PackageVariantSetSpec defines the desired state of PackageVariantSet.' },
      ),
    ),
    status: Type.Optional(
      Type.Object(
        {
          conditions: Type.Optional(
            Type.Array(MetaConditionSchema, { description: 'The reconciliation state of the object.' }),
          ),
        },
        { description: 'PackageVariantSetStatus defines the observed state of PackageVariantSet.' },
      ),
    ),
  },
  {
    description:
      'PackageVariantSet: an upstream package revision and the downstream targets that get a variant of it.',
  },
);
export type PackageVariantSet = Static<typeof PackageVariantSetSchema>;

export const packageVariantSetInfo: ApiResourceInfo = {
  group: CONFIG_PORCH_GROUP,
  version: PACKAGE_VARIANT_SET_VERSION,
  versions: [PACKAGE_VARIANT_SET_VERSION],
  kind: 'PackageVariantSet',
  listKind: 'PackageVariantSetList',
  plural: 'packagevariantsets',
  singular: 'packagevariantset',
  shortNames: [],
  namespaced: true,
  subresources: ['status'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  printerColumns: [ageColumn],
  fieldSelectors: [],
};
