/**
 * `config.porch.kpt.dev/v1alpha1` Repository, as Porch's CRD declares it
 * (`api/porchconfig/v1alpha1/repository_types.go`, 2026): defaults, required fields, CEL rules
 * (name and immutability), printer columns. PackageVariant(Set) are in their own files.
 */
import { Type, type Static } from 'typebox';
import type { KubeObject } from '../apimachinery/index.js';
import {
  DateTime,
  MetaConditionSchema,
  PorchSecretRefSchema,
  RootTypeMetaFields,
  StringEnum,
  ageColumn,
  type ApiResourceInfo,
} from './porch-common.js';

export const CONFIG_PORCH_GROUP = 'config.porch.kpt.dev';
export const CONFIG_PORCH_VERSION = 'v1alpha1';
export const CONFIG_PORCH_API_VERSION = `${CONFIG_PORCH_GROUP}/${CONFIG_PORCH_VERSION}`;

export const REPOSITORY_TYPES = ['git', 'oci'] as const;
export type RepositoryType = (typeof REPOSITORY_TYPES)[number];
/** The only valid (and default) value of the deprecated `spec.content`. */
export const REPOSITORY_CONTENT_PACKAGE = 'Package';
export const REPOSITORY_FINALIZER = 'config.porch.kpt.dev/repository';
/** Condition type of a Repository and its reasons. */
export const REPOSITORY_READY_CONDITION = 'Ready';
export const REPOSITORY_CONDITION_REASONS = ['Ready', 'Error', 'Reconciling'] as const;
/** Repository annotation: serve its revisions through the v1alpha2 PackageRevision CRD. */
export const V1ALPHA2_MIGRATION_ANNOTATION = 'porch.kpt.dev/v1alpha2-migration';

export const GitRepositorySchema = Type.Object(
  {
    repo: Type.String({ description: 'Address of the Git repository. Immutable.' }),
    branch: Type.Optional(
      Type.String({
        description: 'Branch containing the packages; published packages are committed to it. Immutable.',
        default: 'main',
        minLength: 1,
      }),
    ),
    createBranch: Type.Optional(
      Type.Boolean({ description: "Whether Porch creates the branch if it doesn't exist." }),
    ),
    directory: Type.Optional(
      Type.String({
        description:
          'Directory holding the packages (subdirectories with a Kptfile); default the root. Immutable.',
      }),
    ),
    secretRef: Type.Optional(PorchSecretRefSchema),
    author: Type.Optional(Type.String({ description: 'Author to use for commits.' })),
    email: Type.Optional(Type.String({ description: 'Email to use for commits.' })),
  },
  { description: 'Git repository details. Required if `type` is `git`.' },
);
export type GitRepository = Static<typeof GitRepositorySchema>;

export const OciRepositorySchema = Type.Object(
  {
    registry: Type.String({ description: 'Address of the OCI registry. Immutable.' }),
    secretRef: Type.Optional(PorchSecretRefSchema),
  },
  { description: 'OCI repository details. Required if `type` is `oci`.' },
);
export type OciRepository = Static<typeof OciRepositorySchema>;

export const RepositorySpecSchema = Type.Object(
  {
    description: Type.Optional(Type.String({ description: 'User-friendly description of the repository.' })),
    deployment: Type.Optional(
      Type.Boolean({ description: 'A deployment repository: its published packages are deployment ready.' }),
    ),
    type: Type.Optional(
      StringEnum(REPOSITORY_TYPES, { description: 'Type of the repository: git or oci. Immutable.' }),
    ),
    content: Type.Optional(
      Type.String({
        description: 'Deprecated. Its only valid value (and the default) is "Package".',
        default: REPOSITORY_CONTENT_PACKAGE,
        'x-kubernetes-validations': [
          {
            rule: "self == '' || self == 'Package'",
            message: "The 'content' field is deprecated, its only valid value is 'Package'",
          },
        ],
      }),
    ),
    sync: Type.Optional(
      Type.Object(
        {
          runOnceAt: Type.Optional(
            DateTime({ description: 'When to sync once, outside the periodic schedule.' }),
          ),
          schedule: Type.Optional(
            Type.String({ description: 'Cron schedule of periodic syncs, e.g. `*/10 * * * *`.' }),
          ),
        },
        { description: 'Repository sync/reconcile details.' },
      ),
    ),
    git: Type.Optional(GitRepositorySchema),
    oci: Type.Optional(OciRepositorySchema),
  },
  { description: 'RepositorySpec defines the desired state of Repository.' },
);
export type RepositorySpec = Static<typeof RepositorySpecSchema>;

export const RepositoryStatusSchema = Type.Object(
  {
    conditions: Type.Optional(
      Type.Array(MetaConditionSchema, { description: 'The reconciliation state of the object.' }),
    ),
    lastFullSyncTime: Type.Optional(DateTime({ description: 'When the last successful full sync ran.' })),
    observedGeneration: Type.Optional(
      Type.Integer({ format: 'int64', description: 'The spec generation last reconciled.' }),
    ),
    observedRunOnceAt: Type.Optional(DateTime({ description: 'The last observed `spec.sync.runOnceAt`.' })),
    packageCount: Type.Optional(
      Type.Integer({ description: 'Number of package revisions discovered in the repository.' }),
    ),
    gitCommitHash: Type.Optional(
      Type.String({ description: 'Commit hash of the configured branch; empty for OCI.' }),
    ),
    nextFullSyncTime: Type.Optional(DateTime({ description: 'When the next full sync is scheduled.' })),
  },
  { description: 'RepositoryStatus defines the observed state of Repository.' },
);
export type RepositoryStatus = Static<typeof RepositoryStatusSchema>;

/** Porch's CRD rules: the name is a DNS label; type, git.{repo,branch,directory}, oci.registry are immutable. */
const repositoryValidations = [
  {
    rule: "self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')",
    message: 'metadata.name must conform to the RFC1123 DNS label standard',
  },
  { rule: 'size(self.metadata.name) <= 63', message: 'metadata.name must be no more than 63 characters' },
  {
    rule: '!has(oldSelf.spec.type) || self.spec.type == oldSelf.spec.type',
    message: 'spec.type is immutable',
  },
  {
    rule: '!has(oldSelf.spec.git) || !has(oldSelf.spec.git.repo) || self.spec.git.repo == oldSelf.spec.git.repo',
    message: 'spec.git.repo is immutable',
  },
  {
    rule: '!has(oldSelf.spec.git) || !has(oldSelf.spec.git.branch) || self.spec.git.branch == oldSelf.spec.git.branch',
    message: 'spec.git.branch is immutable',
  },
  {
    rule: '!has(oldSelf.spec.git) || !has(oldSelf.spec.git.directory) || self.spec.git.directory == oldSelf.spec.git.directory',
    message: 'spec.git.directory is immutable',
  },
  {
    rule: '!has(oldSelf.spec.oci) || !has(oldSelf.spec.oci.registry) || self.spec.oci.registry == oldSelf.spec.oci.registry',
    message: 'spec.oci.registry is immutable',
  },
];

export const RepositorySchema = Type.Object(
  {
    ...RootTypeMetaFields,
    spec: Type.Optional(RepositorySpecSchema),
    status: Type.Optional(RepositoryStatusSchema),
  },
  { description: 'Repository', 'x-kubernetes-validations': repositoryValidations },
);
export type Repository = Static<typeof RepositorySchema>;

/** Paths (under the object) that may not change once set, as the CRD's CEL rules say. */
export const REPOSITORY_IMMUTABLE_FIELDS = [
  ['spec', 'type'],
  ['spec', 'git', 'repo'],
  ['spec', 'git', 'branch'],
  ['spec', 'git', 'directory'],
  ['spec', 'oci', 'registry'],
] as const;

/** The Address column: Porch's JSONPath takes `git.repo` or else `oci.registry`. */
function repositoryAddress(object: KubeObject): unknown {
  const spec = object.spec as { git?: { repo?: unknown }; oci?: { registry?: unknown } } | undefined;
  return spec?.git?.repo ?? spec?.oci?.registry;
}

export const repositoryInfo: ApiResourceInfo = {
  group: CONFIG_PORCH_GROUP,
  version: CONFIG_PORCH_VERSION,
  versions: [CONFIG_PORCH_VERSION],
  kind: 'Repository',
  listKind: 'RepositoryList',
  plural: 'repositories',
  singular: 'repository',
  shortNames: ['repo'],
  namespaced: true,
  subresources: ['status'],
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.spec.type' },
    { name: 'Content', type: 'string', jsonPath: '.spec.content' },
    { name: 'Sync schedule', type: 'string', jsonPath: '.spec.sync.schedule' },
    { name: 'Deployment', type: 'boolean', jsonPath: '.spec.deployment' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    {
      name: 'Address',
      type: 'string',
      jsonPath: ".spec['git','oci']['repo','registry']",
      cell: repositoryAddress,
    },
    { name: 'Branch', type: 'string', jsonPath: '.spec.git.branch' },
    ageColumn,
  ],
  fieldSelectors: [],
  finalizer: REPOSITORY_FINALIZER,
};
