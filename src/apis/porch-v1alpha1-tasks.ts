/**
 * `porch.kpt.dev/v1alpha1` PackageRevision tasks. A create request carries exactly one
 * creation task (init, clone, edit or upgrade); Porch records render/push internally. The
 * legacy task types (patch, eval, update) and clone's `strategy` are kept so that YAML from
 * older clients validates and is not pruned; the engine decides what to do with them.
 */
import { Type, type Static } from 'typebox';
import { PorchSecretRefSchema } from './porch-common.js';
import { FreeForm, StringMap } from './schema-helpers.js';

/** Task types a create request may carry; the first task of a Porch-made revision is one of them. */
export const CREATION_TASK_TYPES = ['init', 'clone', 'edit', 'upgrade'] as const;
/** Types Porch writes into its commit trailers itself; never accepted as a creation source. */
export const INTERNAL_TASK_TYPES = ['render', 'push', ''] as const;
/** Types of the append-only task history of older releases (≤ mid-2025). */
export const LEGACY_TASK_TYPES = ['patch', 'eval', 'update'] as const;
export const PORCH_TASK_TYPES = [...CREATION_TASK_TYPES, ...INTERNAL_TASK_TYPES, ...LEGACY_TASK_TYPES];
export type CreationTaskType = (typeof CREATION_TASK_TYPES)[number];
export type PorchTaskType = (typeof PORCH_TASK_TYPES)[number];

/** Upgrade (and legacy clone) strategies; `resource-merge` is the default. */
export const PACKAGE_MERGE_STRATEGIES = [
  'resource-merge',
  'fast-forward',
  'force-delete-replace',
  'copy-merge',
] as const;
export type PackageMergeStrategy = (typeof PACKAGE_MERGE_STRATEGIES)[number];

export function isCreationTaskType(type: string): type is CreationTaskType {
  return (CREATION_TASK_TYPES as readonly string[]).includes(type);
}

const strategyField = Type.Optional(
  Type.String({
    description:
      'Merge strategy: resource-merge (default), fast-forward, force-delete-replace or copy-merge.',
  }),
);

export const PackageRevisionRefSchema = Type.Object(
  { name: Type.String({ description: '`Name` is the name of the referenced PackageRevision resource.' }) },
  { description: 'PackageRevisionRef is a reference to a package revision.' },
);
export type PackageRevisionRef = Static<typeof PackageRevisionRefSchema>;

export const GitPackageSchema = Type.Object(
  {
    repo: Type.String({ description: 'Address of the Git repository.' }),
    ref: Type.String({ description: 'The git ref containing the package: a branch, tag or commit SHA.' }),
    directory: Type.String({ description: 'Directory of the package within the Git repository.' }),
    secretRef: Type.Optional(PorchSecretRefSchema),
  },
  { description: 'Git upstream package. Required if `type` is `git`.' },
);

export const UpstreamPackageSchema = Type.Object(
  {
    type: Type.Optional(
      Type.String({ description: 'Type of the repository (git or oci). If empty, `upstreamRef` is used.' }),
    ),
    git: Type.Optional(GitPackageSchema),
    oci: Type.Optional(
      Type.Object(
        { image: Type.String({ description: 'Image is the address of an OCI image.' }) },
        { description: 'OCI upstream package. Required if `type` is `oci`.' },
      ),
    ),
    upstreamRef: Type.Optional(
      Type.Object(PackageRevisionRefSchema.properties, {
        description: 'Reference to a package revision in a registered repository.',
      }),
    ),
  },
  { description: 'The upstream package: a git or OCI location, or a registered package revision.' },
);
export type UpstreamPackage = Static<typeof UpstreamPackageSchema>;

export const PackageInitTaskSpecSchema = Type.Object(
  {
    subpackage: Type.Optional(
      Type.String({ description: 'Directory path of a subpackage to initialize; default the package.' }),
    ),
    description: Type.Optional(Type.String({ description: 'A short description of the package.' })),
    keywords: Type.Optional(Type.Array(Type.String(), { description: 'Keywords describing the package.' })),
    site: Type.Optional(Type.String({ description: 'Link to a page with information about the package.' })),
  },
  { description: 'Creation task: a new package from scratch.' },
);

export const PackageCloneTaskSpecSchema = Type.Object(
  {
    upstreamRef: Type.Optional(
      Type.Object(UpstreamPackageSchema.properties, {
        description: 'The upstream package to clone.',
      }),
    ),
    strategy: strategyField,
  },
  { description: 'Creation task: a new package cloned from an upstream one. `strategy` is legacy.' },
);

export const PackageEditTaskSpecSchema = Type.Object(
  {
    sourceRef: Type.Optional(
      Type.Object(PackageRevisionRefSchema.properties, {
        description: 'The published revision of the same package to copy.',
      }),
    ),
  },
  { description: 'Creation task: a new revision of a package copied from a published one.' },
);

const revisionRef = (description: string) =>
  Type.Optional(Type.Object(PackageRevisionRefSchema.properties, { description }));

export const PackageUpgradeTaskSpecSchema = Type.Object(
  {
    oldUpstreamRef: revisionRef('The original upstream revision: common ancestor of local and new upstream.'),
    newUpstreamRef: revisionRef('The new upstream revision the local package is upgraded to.'),
    localPackageRevisionRef: revisionRef(
      'The local revision with the changes made on top of the old upstream.',
    ),
    strategy: strategyField,
  },
  { description: 'Creation task: a new revision from a 3-way merge of a local package and upstreams.' },
);

/** Legacy `patch` task. */
export const PackagePatchTaskSpecSchema = Type.Object(
  {
    patches: Type.Optional(
      Type.Array(
        Type.Object({
          file: Type.Optional(Type.String({ description: 'Package-relative file path.' })),
          contents: Type.Optional(Type.String({ description: 'Unified diff, or the file content.' })),
          patchType: Type.Optional(Type.String({ description: 'CreateFile, DeleteFile or PatchFile.' })),
        }),
        { description: 'Patches is a list of individual patch operations.' },
      ),
    ),
  },
  { description: 'Legacy history task: file patches.' },
);

/** Legacy `eval` task (`image: render` meant `kpt fn render`). */
export const FunctionEvalTaskSpecSchema = Type.Object(
  {
    subpackage: Type.Optional(Type.String({ description: 'Subpackage in which to evaluate the function.' })),
    image: Type.Optional(Type.String({ description: 'The function image; `render` meant kpt fn render.' })),
    functionRef: Type.Optional(
      Type.Object(
        { name: Type.String({ description: 'Name of the Function resource.' }) },
        { description: 'The function by reference to a (removed) Function resource.' },
      ),
    ),
    configMap: Type.Optional(StringMap({ description: 'Function config as ConfigMap data.' })),
    config: Type.Optional(
      Type.Unsafe<Record<string, unknown> | null>({
        ...FreeForm({ description: 'Function config, an arbitrary KRM resource.' }),
        nullable: true,
      }),
    ),
    includeMetaResources: Type.Optional(
      Type.Boolean({ description: 'Whether the Kptfile and functionConfig are function input.' }),
    ),
    enableNetwork: Type.Optional(Type.Boolean({ description: 'Whether the function has network access.' })),
    match: Type.Optional(
      Type.Object(
        {
          apiVersion: Type.Optional(Type.String({ description: 'APIVersion of the target resources.' })),
          kind: Type.Optional(Type.String({ description: 'Kind of the target resources.' })),
          name: Type.Optional(Type.String({ description: 'Name of the target resources.' })),
          namespace: Type.Optional(Type.String({ description: 'Namespace of the target resources.' })),
        },
        { description: 'Resources the function is evaluated on (`kpt fn eval --match-*`).' },
      ),
    ),
  },
  { description: 'Legacy history task: a function evaluation.' },
);

/** Legacy `update` task. */
export const PackageUpdateTaskSpecSchema = Type.Object(
  {
    upstreamRef: Type.Optional(
      Type.Object(UpstreamPackageSchema.properties, { description: 'The upstream package to update to.' }),
    ),
  },
  { description: 'Legacy history task: update to a new upstream.' },
);

export const PackageRevisionTaskSchema = Type.Object(
  {
    type: Type.String({
      description:
        'Task type. Creation: init, clone, edit, upgrade. Internal: render, push. Legacy: patch, eval, update.',
    }),
    init: Type.Optional(PackageInitTaskSpecSchema),
    clone: Type.Optional(PackageCloneTaskSpecSchema),
    edit: Type.Optional(PackageEditTaskSpecSchema),
    upgrade: Type.Optional(PackageUpgradeTaskSpecSchema),
    patch: Type.Optional(PackagePatchTaskSpecSchema),
    eval: Type.Optional(FunctionEvalTaskSpecSchema),
    update: Type.Optional(PackageUpdateTaskSpecSchema),
  },
  { description: 'A task: how the package revision was created, or (legacy) one step of its history.' },
);
export type PackageRevisionTask = Static<typeof PackageRevisionTaskSchema>;
