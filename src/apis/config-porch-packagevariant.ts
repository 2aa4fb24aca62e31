/**
 * `config.porch.kpt.dev/v1alpha1` PackageVariant, as Porch's CRD declares it (controller-gen
 * v0.19): no enums or defaults in the schema — `adoptionPolicy` (adoptNone) and
 * `deletionPolicy` (delete) are defaulted and checked by the controller, which marks an invalid
 * PackageVariant Stalled rather than the API server refusing it.
 */
import { Type, type Static } from 'typebox';
import { MetaConditionSchema, RootTypeMetaFields, ageColumn, type ApiResourceInfo } from './porch-common.js';
import { CONFIG_PORCH_GROUP, CONFIG_PORCH_VERSION } from './config-porch-v1alpha1.js';
import { RenderStatusSchema } from './porch-v1alpha1.js';
import { StringMap } from './schema-helpers.js';

export const ADOPTION_POLICIES = ['adoptNone', 'adoptExisting'] as const;
export type AdoptionPolicy = (typeof ADOPTION_POLICIES)[number];
export const DELETION_POLICIES = ['delete', 'orphan'] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];
export const PACKAGE_VARIANT_FINALIZER = 'config.porch.kpt.dev/packagevariants';
/** Annotation on in-package objects that asks for injection: `required` or `optional`. */
export const CONFIG_INJECTION_ANNOTATION = 'kpt.dev/config-injection';
export const INJECTED_RESOURCE_ANNOTATION = 'kpt.dev/injected-resource';

const SelectorSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the target resources.' })),
    kind: Type.Optional(Type.String({ description: 'Kind of the target resources.' })),
    name: Type.Optional(Type.String({ description: 'Name of the target resources.' })),
    namespace: Type.Optional(Type.String({ description: 'Namespace of the target resources.' })),
    labels: Type.Optional(StringMap({ description: 'Labels on the target resources.' })),
    annotations: Type.Optional(StringMap({ description: 'Annotations on the target resources.' })),
  },
  { description: 'Selector specifies the selection criteria.' },
);

/** A kpt function in a Kptfile pipeline (`kpt.dev/v1` Function), as Porch's CRDs embed it. */
export const KptFunctionFields = {
  image: Type.Optional(Type.String({ description: 'The function container image.' })),
  exec: Type.Optional(Type.String({ description: 'The function executable.' })),
  name: Type.Optional(
    Type.String({ description: 'Identifies the function declaration, for merging with upstream.' }),
  ),
  configPath: Type.Optional(
    Type.String({ description: 'Package-relative path of a file holding the function config.' }),
  ),
  configMap: Type.Optional(StringMap({ description: 'Function config as a ConfigMap data map.' })),
  selectors: Type.Optional(
    Type.Array(SelectorSchema, { description: 'Resources the function runs on; default all.' }),
  ),
  exclude: Type.Optional(
    Type.Array(SelectorSchema, { description: 'Resources the function must not run on.' }),
  ),
};

export const KptFunctionSchema = Type.Object(KptFunctionFields, {
  description: 'Function specifies a KRM function.',
});
export type KptFunction = Static<typeof KptFunctionSchema>;

export const KptPipelineSchema = Type.Object(
  {
    mutators: Type.Optional(
      Type.Array(KptFunctionSchema, { description: 'KRM functions that mutate resources.' }),
    ),
    validators: Type.Optional(
      Type.Array(KptFunctionSchema, { description: 'KRM functions that validate resources.' }),
    ),
  },
  { description: 'Pipeline declares a pipeline of functions used to mutate or validate resources.' },
);
export type KptPipeline = Static<typeof KptPipelineSchema>;

/** Upstream of a PackageVariant(Set). `revision` is ignored: the workspace selects the revision. */
export const PackageVariantUpstreamSchema = Type.Object(
  {
    repo: Type.Optional(Type.String({ description: 'Name of the upstream Repository.' })),
    package: Type.Optional(Type.String({ description: 'Name of the upstream package.' })),
    revision: Type.Optional(Type.Integer({ description: 'Ignored; use `workspaceName`.' })),
    workspaceName: Type.Optional(
      Type.String({ description: 'Workspace of the upstream revision; default `main`.' }),
    ),
  },
  { description: 'The upstream package revision.' },
);
export type PackageVariantUpstream = Static<typeof PackageVariantUpstreamSchema>;

export const PackageContextSchema = Type.Object(
  {
    data: Type.Optional(StringMap({ description: 'Keys to set; `name` and `package-path` are refused.' })),
    removeKeys: Type.Optional(Type.Array(Type.String(), { description: 'Keys to remove.' })),
  },
  { description: 'Data to add to or remove from the kptfile.kpt.dev ConfigMap.' },
);

export const InjectionSelectorSchema = Type.Object(
  {
    group: Type.Optional(Type.String()),
    version: Type.Optional(Type.String()),
    kind: Type.Optional(Type.String()),
    name: Type.String(),
  },
  { description: 'InjectionSelector selects in-cluster objects for resolving injection points.' },
);

export const PackageVariantSpecSchema = Type.Object(
  {
    upstream: Type.Optional(PackageVariantUpstreamSchema),
    downstream: Type.Optional(
      Type.Object(
        {
          repo: Type.Optional(Type.String({ description: 'Name of the downstream Repository.' })),
          package: Type.Optional(Type.String({ description: 'Name of the downstream package.' })),
        },
        { description: 'The downstream package.' },
      ),
    ),
    adoptionPolicy: Type.Optional(Type.String({ description: 'adoptNone (default) or adoptExisting.' })),
    deletionPolicy: Type.Optional(Type.String({ description: 'delete (default) or orphan.' })),
    labels: Type.Optional(StringMap({ description: 'Labels of the downstream PackageRevisions.' })),
    annotations: Type.Optional(StringMap({ description: 'Annotations of the downstream PackageRevisions.' })),
    packageContext: Type.Optional(PackageContextSchema),
    pipeline: Type.Optional(KptPipelineSchema),
    injectors: Type.Optional(Type.Array(InjectionSelectorSchema)),
  },
  { description: 'PackageVariantSpec defines the desired state of PackageVariant.' },
);
export type PackageVariantSpec = Static<typeof PackageVariantSpecSchema>;

export const PackageVariantStatusSchema = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(MetaConditionSchema, { description: 'The reconciliation state of the object.' }),
    ),
    downstreamTargets: Type.Optional(
      Type.Array(
        Type.Object({
          name: Type.Optional(Type.String()),
          renderStatus: Type.Optional(RenderStatusSchema),
        }),
        { description: 'The downstream package revisions the PackageVariant created or adopted.' },
      ),
    ),
  },
  { description: 'PackageVariantStatus defines the observed state of PackageVariant.' },
);

export const PackageVariantSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(PackageVariantSpecSchema),
    status: Type.Optional(PackageVariantStatusSchema),
  },
  { description: 'PackageVariant represents an upstream and downstream porch package pair.' },
);
export type PackageVariant = Static<typeof PackageVariantSchema>;

export const packageVariantInfo: ApiResourceInfo = {
  group: CONFIG_PORCH_GROUP,
  version: CONFIG_PORCH_VERSION,
  versions: [CONFIG_PORCH_VERSION],
  kind: 'PackageVariant',
  listKind: 'PackageVariantList',
  plural: 'packagevariants',
  singular: 'packagevariant',
  shortNames: [],
  namespaced: true,
  subresources: ['status'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  printerColumns: [ageColumn],
  fieldSelectors: [],
  finalizer: PACKAGE_VARIANT_FINALIZER,
};
