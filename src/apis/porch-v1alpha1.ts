/**
 * `porch.kpt.dev/v1alpha1`: PackageRevision, PackageRevisionResources and PorchPackage, the
 * kinds Porch serves as an aggregated API, and the kpt `FunctionResultList` they embed.
 * Field names, required fields and types follow Porch's Go types and generated OpenAPI
 * (`api/porch/v1alpha1`); Porch declares no enums, defaults or list/map types there, so the
 * lifecycle enum is the only addition (Porch's server rejects other values anyway).
 */
import { Type, type Static } from 'typebox';
import type { KubeObject } from '../apimachinery/index.js';
import {
  DateTime,
  RootTypeMetaFields,
  StringEnum,
  type ApiPrinterColumn,
  type ApiResourceInfo,
} from './porch-common.js';
import { PackageRevisionTaskSchema } from './porch-v1alpha1-tasks.js';
import { FreeForm, StringMap } from './schema-helpers.js';

export const PORCH_GROUP = 'porch.kpt.dev';
export const PORCH_VERSION = 'v1alpha1';
export const PORCH_API_VERSION = `${PORCH_GROUP}/${PORCH_VERSION}`;

/** Label the server computes on the highest published revision of each package. */
export const LATEST_REVISION_LABEL = 'kpt.dev/latest-revision';
/** Annotation on a PackageRevision: store pushed resources even when rendering fails. */
export const PUSH_ON_RENDER_FAILURE_ANNOTATION = 'porch.kpt.dev/push-on-render-failure';

export const PACKAGE_REVISION_LIFECYCLES = ['Draft', 'Proposed', 'Published', 'DeletionProposed'] as const;
export type PackageRevisionLifecycle = (typeof PACKAGE_REVISION_LIFECYCLES)[number];

// ---- FunctionResultList (kpt.dev/v1) -------------------------------------------------------

export const FUNCTION_RESULT_LIST_API_VERSION = 'kpt.dev/v1';
export const FUNCTION_RESULT_LIST_KIND = 'FunctionResultList';

/** One result of a function. Porch narrows kpt's any-typed field values to strings. */
export const FunctionResultItemSchema = Type.Object(
  {
    message: Type.Optional(Type.String({ description: 'Human readable message.' })),
    severity: Type.Optional(Type.String({ description: 'Severity of the result: error, warning or info.' })),
    resourceRef: Type.Optional(
      Type.Object(
        {
          apiVersion: Type.Optional(Type.String()),
          kind: Type.Optional(Type.String()),
          name: Type.Optional(Type.String({ description: 'metadata.name of the resource.' })),
          namespace: Type.Optional(Type.String({ description: 'metadata.namespace of the resource.' })),
        },
        { description: 'The resource this result refers to.' },
      ),
    ),
    field: Type.Optional(
      Type.Object(
        {
          path: Type.Optional(Type.String({ description: 'The field path.' })),
          currentValue: Type.Optional(Type.String({ description: 'The current field value.' })),
          proposedValue: Type.Optional(Type.String({ description: 'The value proposed as a fix.' })),
        },
        { description: 'The field of the resource this result refers to.' },
      ),
    ),
    file: Type.Optional(
      Type.Object(
        {
          path: Type.Optional(Type.String({ description: 'Package-relative path of the file.' })),
          index: Type.Optional(Type.Integer({ description: 'Index of the resource within the file.' })),
        },
        { description: 'The file containing the resource this result refers to.' },
      ),
    ),
    tags: Type.Optional(StringMap({ description: 'Arbitrary key-value metadata set by tools.' })),
  },
  { description: 'ResultItem defines a validation result.' },
);
export type FunctionResultItem = Static<typeof FunctionResultItemSchema>;

export const FunctionResultSchema = Type.Object(
  {
    image: Type.Optional(Type.String({ description: 'Image of the function; exclusive with `exec`.' })),
    exec: Type.Optional(
      Type.String({ description: 'Executable path of the function; exclusive with `image`.' }),
    ),
    stderr: Type.Optional(Type.String({ description: 'The function stderr.' })),
    exitCode: Type.Integer({ description: 'Exit code of the function.' }),
    results: Type.Optional(Type.Array(FunctionResultItemSchema, { description: 'Results of the function.' })),
  },
  { description: 'Result contains the structured result from an individual function.' },
);
export type FunctionResult = Static<typeof FunctionResultSchema>;

/** Embedded (not a top-level resource): its metadata is kept as given. */
export const FunctionResultListSchema = Type.Object(
  {
    apiVersion: Type.Optional(Type.String({ description: 'kpt.dev/v1' })),
    kind: Type.Optional(Type.String({ description: 'FunctionResultList' })),
    metadata: Type.Optional(FreeForm({ description: 'Object metadata (kpt names it `fnresults`).' })),
    exitCode: Type.Integer({ description: 'Exit code of the whole run.' }),
    items: Type.Optional(Type.Array(FunctionResultSchema, { description: 'One result per function run.' })),
  },
  { description: 'ResultList contains aggregated results from multiple functions.' },
);
export type FunctionResultList = Static<typeof FunctionResultListSchema>;

export const RenderStatusSchema = Type.Object(
  {
    result: Type.Optional(FunctionResultListSchema),
    error: Type.String({ description: 'The render error; empty on success.' }),
  },
  { description: 'RenderStatus represents the result of rendering the package resources.' },
);
export type RenderStatus = Static<typeof RenderStatusSchema>;

// ---- PackageRevision -------------------------------------------------------------------------

/** Resolved location of a package (a Kptfile `upstreamLock`). */
export const PorchLocatorSchema = Type.Object(
  {
    type: Type.Optional(Type.String({ description: 'Type is the type of origin.' })),
    git: Type.Optional(
      Type.Object(
        {
          repo: Type.Optional(Type.String({ description: 'The git repository that was fetched.' })),
          directory: Type.Optional(Type.String({ description: 'Subdirectory of the repository fetched.' })),
          ref: Type.Optional(Type.String({ description: 'Branch, tag or commit SHA that was fetched.' })),
          commit: Type.Optional(Type.String({ description: 'Commit SHA of the fetch.' })),
        },
        { description: 'Git is the resolved locator for a package on Git.' },
      ),
    ),
  },
  { description: 'Locator is a resolved locator of a package.' },
);
export type PorchLocator = Static<typeof PorchLocatorSchema>;

/**
 * A condition mirrored from the Kptfile. Porch's v1alpha1 type is `{type, status, reason,
 * message}`; its 2026 releases switched to `metav1.Condition`, whose extra fields are accepted.
 */
export const PackageRevisionConditionSchema = Type.Object({
  type: Type.String(),
  status: Type.String({ description: 'True, False or Unknown.' }),
  reason: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  lastTransitionTime: Type.Optional(DateTime({ nullable: true })),
  observedGeneration: Type.Optional(Type.Integer({ format: 'int64' })),
});
export type PackageRevisionCondition = Static<typeof PackageRevisionConditionSchema>;

export const PackageRevisionSpecSchema = Type.Object(
  {
    packageName: Type.Optional(
      Type.String({ description: 'PackageName identifies the package in the repository.' }),
    ),
    repository: Type.Optional(
      Type.String({ description: 'Name of the Repository object containing this package.' }),
    ),
    workspaceName: Type.Optional(
      Type.String({ description: 'Short, unique description of the changes in this package revision.' }),
    ),
    revision: Type.Optional(
      Type.Integer({ description: 'Revision number: 0 unpublished, 1..N published, -1 the branch head.' }),
    ),
    parent: Type.Optional(
      Type.Object(
        { name: Type.String({ description: 'Name of the parent PackageRevision.' }) },
        { description: 'Deprecated. A package that provides resources to this one.' },
      ),
    ),
    lifecycle: Type.Optional(
      StringEnum(PACKAGE_REVISION_LIFECYCLES, {
        description: 'Draft, Proposed, Published or DeletionProposed; created as Draft.',
      }),
    ),
    tasks: Type.Optional(
      Type.Array(PackageRevisionTaskSchema, {
        description: 'How the revision was created: one creation task (init, clone, edit or upgrade).',
      }),
    ),
    readinessGates: Type.Optional(
      Type.Array(Type.Object({ conditionType: Type.Optional(Type.String()) }), {
        description: 'Condition types that must be True before the revision is proposed or approved.',
      }),
    ),
    packageMetadata: Type.Optional(
      Type.Object(
        {
          labels: Type.Optional(StringMap()),
          annotations: Type.Optional(StringMap()),
        },
        { description: 'Labels and annotations written into the Kptfile metadata.' },
      ),
    ),
  },
  { description: 'PackageRevisionSpec defines the desired state of PackageRevision.' },
);
export type PackageRevisionSpec = Static<typeof PackageRevisionSpecSchema>;

export const PackageRevisionStatusSchema = Type.Object(
  {
    upstreamLock: Type.Optional(
      Type.Object(PorchLocatorSchema.properties, {
        description: 'The upstream this package was cloned from.',
      }),
    ),
    selfLock: Type.Optional(
      Type.Object(PorchLocatorSchema.properties, { description: "The location of this package's data." }),
    ),
    publishedBy: Type.Optional(
      Type.String({ description: 'Identity of the user who approved the revision.' }),
    ),
    // A zero metav1.Time serializes as null: Porch emits `publishTimestamp: null` on drafts.
    publishTimestamp: Type.Optional(
      DateTime({ nullable: true, description: 'When the revision was approved.' }),
    ),
    deployment: Type.Optional(
      Type.Boolean({ description: 'Whether this is a deployment package (in a deployment repository).' }),
    ),
    conditions: Type.Optional(Type.Array(PackageRevisionConditionSchema)),
  },
  { description: 'PackageRevisionStatus defines the observed state of PackageRevision.' },
);
export type PackageRevisionStatus = Static<typeof PackageRevisionStatusSchema>;

export const PackageRevisionSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(PackageRevisionSpecSchema),
    status: Type.Optional(PackageRevisionStatusSchema),
  },
  { description: 'PackageRevision: one revision of a package in a repository.' },
);
export type PackageRevision = Static<typeof PackageRevisionSchema>;

// ---- PackageRevisionResources and PorchPackage ----------------------------------------------

export const PackageRevisionResourcesSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(
      Type.Object(
        {
          packageName: Type.Optional(
            Type.String({ description: 'Identifies the package in the repository.' }),
          ),
          workspaceName: Type.Optional(Type.String({ description: 'The workspace of the package.' })),
          revision: Type.Optional(Type.Integer({ description: 'Revision number of the package.' })),
          repository: Type.Optional(Type.String({ description: 'Name of the Repository object.' })),
          resources: Type.Optional(
            StringMap({ description: 'The package files: package-relative path to file content.' }),
          ),
        },
        { description: 'The files of a PackageRevision.' },
      ),
    ),
    status: Type.Optional(
      Type.Object(
        { renderStatus: Type.Optional(RenderStatusSchema) },
        { description: 'State of the rendered package resources.' },
      ),
    ),
  },
  { description: 'PackageRevisionResources: the files of the PackageRevision of the same name.' },
);
export type PackageRevisionResources = Static<typeof PackageRevisionResourcesSchema>;

export const PorchPackageSchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(
      Type.Object(
        {
          packageName: Type.Optional(
            Type.String({ description: 'Identifies the package in the repository.' }),
          ),
          repository: Type.Optional(Type.String({ description: 'Name of the Repository object.' })),
        },
        { description: 'PackageSpec defines the desired state of Package.' },
      ),
    ),
    status: Type.Optional(
      Type.Object(
        {
          latestRevision: Type.Optional(
            Type.Integer({ description: 'Revision number of the latest published revision.' }),
          ),
        },
        { description: 'PackageStatus defines the observed state of Package.' },
      ),
    ),
  },
  { description: 'Package: a package of a repository, across its revisions.' },
);
export type PorchPackage = Static<typeof PorchPackageSchema>;

// ---- resource tables -------------------------------------------------------------------------

/** Field selectors of PackageRevision (also accepted on PackageRevisionResources). */
export const PACKAGE_REVISION_FIELD_SELECTORS = [
  'spec.revision',
  'spec.packageName',
  'spec.repository',
  'spec.workspaceName',
  'spec.lifecycle',
] as const;
/** Prefix of the 2026 Kptfile-label selector, `spec.packageMetadata.labels[<key>]=<value>`. */
export const PACKAGE_METADATA_LABEL_SELECTOR_PREFIX = 'spec.packageMetadata.labels[';

function isLatest(object: KubeObject): boolean {
  return object.metadata.labels?.[LATEST_REVISION_LABEL] === 'true';
}

function fileCount(object: KubeObject): number {
  const spec = object.spec as { resources?: unknown } | undefined;
  const resources = spec?.resources;
  return resources && typeof resources === 'object' ? Object.keys(resources).length : 0;
}

const column = (name: string, jsonPath: string, type: ApiPrinterColumn['type'] = 'string') => ({
  name,
  type,
  jsonPath,
});

// Porch's tables also start with Name; Porch types Revision and Latest Revision as "int".
export const packageRevisionInfo: ApiResourceInfo = {
  group: PORCH_GROUP,
  version: PORCH_VERSION,
  versions: [PORCH_VERSION],
  kind: 'PackageRevision',
  listKind: 'PackageRevisionList',
  plural: 'packagerevisions',
  singular: 'packagerevision',
  shortNames: [],
  namespaced: true,
  subresources: ['approval'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  printerColumns: [
    column('Package', '.spec.packageName'),
    column('WorkspaceName', '.spec.workspaceName'),
    column('Revision', '.spec.revision', 'integer'),
    { ...column('Latest', `.metadata.labels['${LATEST_REVISION_LABEL}']`, 'boolean'), cell: isLatest },
    column('Lifecycle', '.spec.lifecycle'),
    column('Repository', '.spec.repository'),
  ],
  fieldSelectors: PACKAGE_REVISION_FIELD_SELECTORS,
};

export const packageRevisionResourcesInfo: ApiResourceInfo = {
  group: PORCH_GROUP,
  version: PORCH_VERSION,
  versions: [PORCH_VERSION],
  kind: 'PackageRevisionResources',
  listKind: 'PackageRevisionResourcesList',
  plural: 'packagerevisionresources',
  singular: 'packagerevisionresources',
  shortNames: [],
  namespaced: true,
  subresources: [],
  // No create/delete (they follow the PackageRevision) and no watch (removed in porch#553).
  verbs: ['get', 'list', 'patch', 'update'],
  printerColumns: [
    column('Package', '.spec.packageName'),
    column('WorkspaceName', '.spec.workspaceName'),
    column('Revision', '.spec.revision', 'integer'),
    column('Repository', '.spec.repository'),
    { ...column('Files', '.spec.resources', 'integer'), cell: fileCount },
  ],
  fieldSelectors: PACKAGE_REVISION_FIELD_SELECTORS,
};

export const porchPackageInfo: ApiResourceInfo = {
  group: PORCH_GROUP,
  version: PORCH_VERSION,
  versions: [PORCH_VERSION],
  kind: 'PorchPackage',
  listKind: 'PorchPackageList',
  plural: 'packages',
  singular: 'package',
  shortNames: [],
  namespaced: true,
  subresources: [],
  // Porch serves create/update/delete only to answer 400 "not supported directly over the API".
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update'],
  printerColumns: [
    column('Package', '.spec.packageName'),
    column('Repository', '.spec.repository'),
    column('Latest Revision', '.status.latestRevision', 'integer'),
  ],
  fieldSelectors: ['spec.packageName', 'spec.repository'],
};
