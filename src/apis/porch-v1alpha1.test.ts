import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, type JSONSchemaProps, type KubeObject } from '../apimachinery/index.js';
import { checkStructural, pruneUnknownFields, validateValue } from '../registry/schema/index.js';
import {
  CREATION_TASK_TYPES,
  PackageRevisionResourcesSchema,
  PackageRevisionSchema,
  PorchPackageSchema,
  isCreationTaskType,
  packageRevisionInfo,
  packageRevisionResourcesInfo,
  porchPackageInfo,
} from './index.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/kpt');
const schemaOf = (schema: unknown): JSONSchemaProps => schema as JSONSchemaProps;

/** Prunes a copy of `object` and validates it: what was dropped and what is wrong. */
function admit(object: unknown, schema: unknown): { pruned: string[]; errors: string[] } {
  const copy: unknown = structuredClone(object);
  const pruned = pruneUnknownFields(copy, schemaOf(schema));
  const errors = validateValue(copy, schemaOf(schema)).map((c) => `${c.field}: ${c.reason}`);
  return { pruned, errors };
}

describe('porch.kpt.dev/v1alpha1 schemas are structural', () => {
  it.each([
    { name: 'PackageRevision', schema: PackageRevisionSchema },
    { name: 'PackageRevisionResources', schema: PackageRevisionResourcesSchema },
    { name: 'PorchPackage', schema: PorchPackageSchema },
  ])('$name', ({ schema }) => {
    expect(checkStructural(schemaOf(schema), 'spec.validation.openAPIV3Schema')).toEqual([]);
  });
});

const meta = (name: string) => ({ name, namespace: 'default' });
const pr = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'porch.kpt.dev/v1alpha1',
  kind: 'PackageRevision',
  metadata: meta('porch-test.network-function.ws1'),
  spec: { packageName: 'network-function', repository: 'porch-test', workspaceName: 'ws1', ...spec },
  ...(status ? { status } : {}),
});

describe('PackageRevision: Porch YAML validates and nothing is pruned', () => {
  it.each([
    {
      // porchctl guide, "Get Detailed PackageRevision Information" (2025-11).
      name: 'published revision from the porchctl guide',
      object: {
        apiVersion: 'porch.kpt.dev/v1alpha1',
        kind: 'PackageRevision',
        metadata: {
          creationTimestamp: '2025-11-24T13:00:14Z',
          labels: { 'kpt.dev/latest-revision': 'true' },
          name: 'porch-test.my-first-package.v1',
          namespace: 'default',
          resourceVersion: '5778e0e3e9a92d248fec770cef5baf142958aa54',
          uid: 'f9f6507d-20fc-5319-97b2-6b8050c4f9cc',
        },
        spec: {
          lifecycle: 'Published',
          packageName: 'my-first-package',
          repository: 'porch-test',
          revision: 1,
          tasks: [{ init: { description: 'My first Porch package' }, type: 'init' }],
          workspaceName: 'v1',
        },
        status: { publishTimestamp: '2025-11-24T16:38:41Z', upstreamLock: {} },
      },
    },
    {
      // Readiness-gates guide: the legacy eval task as older servers listed it, `config: null`.
      name: 'readiness gates with a legacy eval task (config: null)',
      object: pr(
        {
          readinessGates: [{ conditionType: 'PackagePipelinePassed' }],
          tasks: [
            { init: { description: 'sample description' }, type: 'init' },
            { eval: { config: null, image: 'render', match: {} }, type: 'eval' },
          ],
        },
        {
          conditions: [
            {
              message: 'package pipeline completed successfully',
              reason: 'PipelinePassed',
              status: 'True',
              type: 'PackagePipelinePassed',
            },
          ],
        },
      ),
    },
    {
      // A Draft as the server serializes Go's zero metav1.Time; clone of a registered revision.
      name: 'draft cloned from a registered revision',
      object: pr(
        {
          lifecycle: 'Draft',
          revision: 0,
          tasks: [
            { type: 'clone', clone: { upstreamRef: { upstreamRef: { name: 'blueprints.basens.v1' } } } },
          ],
        },
        {
          publishTimestamp: null,
          upstreamLock: {
            type: 'git',
            git: {
              repo: 'https://github.com/platkrm/test-blueprints.git',
              directory: 'basens',
              ref: 'basens/v1',
              commit: '67f29546028f0a48c6bbb08614934d0e070cdd3a',
            },
          },
          selfLock: {
            type: 'git',
            git: {
              repo: 'http://git.example/deployments.git',
              directory: 'network-function',
              ref: 'drafts/network-function/ws1',
              commit: 'abc',
            },
          },
          deployment: true,
          conditions: [{ type: 'PVOperationsComplete', status: 'False', lastTransitionTime: null }],
        },
      ),
    },
    {
      // Porch's sample script `kubectl apply` of a clone from git (revision → workspaceName).
      name: 'clone from a git URL',
      object: pr({
        tasks: [
          {
            type: 'clone',
            clone: {
              upstreamRef: {
                type: 'git',
                git: {
                  repo: 'https://github.com/justinsb/kpt-samples',
                  ref: 'packages',
                  directory: 'external-secrets',
                  secretRef: { name: 'porch-test-auth' },
                },
              },
            },
          },
        ],
      }),
    },
    {
      name: 'upgrade (porchctl rpkg upgrade)',
      object: pr({
        tasks: [
          {
            type: 'upgrade',
            upgrade: {
              oldUpstreamRef: { name: 'blueprints.basens.v1' },
              newUpstreamRef: { name: 'blueprints.basens.v2' },
              localPackageRevisionRef: { name: 'deployments.basens.v1' },
              strategy: 'resource-merge',
            },
          },
        ],
      }),
    },
    {
      name: 'copy (edit task) with package metadata and readiness gates',
      object: pr({
        tasks: [{ type: 'edit', edit: { sourceRef: { name: 'porch-test.network-function.v1' } } }],
        readinessGates: [{ conditionType: 'config.injection.WorkloadCluster.example' }],
        packageMetadata: { labels: { team: 'net' }, annotations: { owner: 'alice' } },
        parent: { name: 'porch-test.network-function.v1' },
      }),
    },
    {
      // The append-only history older releases kept (porch.md §2.4).
      name: 'legacy task history: clone strategy, patch, eval, update',
      object: pr({
        revision: 2,
        tasks: [
          {
            type: 'clone',
            clone: {
              upstreamRef: { type: 'oci', oci: { image: 'us-docker.pkg.dev/p/r/pkg:v1' } },
              strategy: 'fast-forward',
            },
          },
          {
            type: 'patch',
            patch: { patches: [{ file: 'cm.yaml', contents: '--- a\n+++ b\n', patchType: 'PatchFile' }] },
          },
          {
            type: 'eval',
            eval: {
              image: 'gcr.io/kpt-fn/set-namespace:v0.4.1',
              configMap: { namespace: 'prod' },
              config: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } },
              includeMetaResources: true,
              enableNetwork: false,
              subpackage: 'sub',
              functionRef: { name: 'set-namespace' },
              match: { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'prod' },
            },
          },
          { type: 'update', update: { upstreamRef: { upstreamRef: { name: 'blueprints.basens.v2' } } } },
        ],
      }),
    },
  ])('$name', ({ object }) => {
    expect(admit(object, PackageRevisionSchema)).toEqual({ pruned: [], errors: [] });
  });
});

/** A package directory as Porch's PackageRevisionResources carries it: path → file text. */
function packageFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(dir, path)] = readFileSync(path, 'utf8');
  }
  return files;
}

describe('PackageRevisionResources and PorchPackage: Porch YAML validates', () => {
  const nested = packageFiles(join(FIXTURES, 'porch/test/e2e/cli/test_pkgs/nested-packages'));

  it('read the e2e test package', () => {
    expect(Object.keys(nested)).toContain('parent-pkg/Kptfile');
  });

  it.each([
    {
      name: "Porch's e2e nested package, rendered with results (status as in the functions guide)",
      object: {
        apiVersion: 'porch.kpt.dev/v1alpha1',
        kind: 'PackageRevisionResources',
        metadata: { ...meta('porch-test.nested.ws1'), resourceVersion: 'porch-test.nested.ws1.1728933498' },
        spec: {
          packageName: 'nested',
          workspaceName: 'ws1',
          revision: 0,
          repository: 'porch-test',
          resources: nested,
        },
        status: {
          renderStatus: {
            error: '',
            result: {
              apiVersion: 'kpt.dev/v1',
              kind: 'FunctionResultList',
              metadata: { name: 'fnresults', creationTimestamp: null },
              exitCode: 1,
              items: [
                { image: 'ghcr.io/kptdev/krm-functions-catalog/set-namespace:v0.4.5', exitCode: 0 },
                {
                  image: 'ghcr.io/kptdev/krm-functions-catalog/kubeconform:v0.1.3',
                  exitCode: 1,
                  stderr: 'invalid',
                  results: [
                    {
                      message: 'Invalid resource configuration',
                      severity: 'error',
                      resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'cm', namespace: 'ns' },
                      field: { path: 'data.x', currentValue: '1', proposedValue: '2' },
                      file: { path: 'configmap.yaml', index: 0 },
                      tags: { rule: 'schema' },
                    },
                  ],
                },
              ],
            },
          },
        },
      },
      schema: PackageRevisionResourcesSchema,
    },
    {
      name: 'package',
      object: {
        apiVersion: 'porch.kpt.dev/v1alpha1',
        kind: 'PorchPackage',
        metadata: meta('porch-test.network-function'),
        spec: { packageName: 'network-function', repository: 'porch-test' },
        status: { latestRevision: 3 },
      },
      schema: PorchPackageSchema,
    },
  ])('$name', ({ object, schema }) => {
    expect(admit(object, schema)).toEqual({ pruned: [], errors: [] });
  });
});

describe('PackageRevision: invalid objects give field paths', () => {
  it.each([
    {
      name: 'lifecycle Final (renamed Published)',
      spec: { lifecycle: 'Final' },
      errors: ['spec.lifecycle: FieldValueNotSupported'],
    },
    {
      name: 'legacy string revision',
      spec: { revision: 'v1' },
      errors: ['spec.revision: FieldValueTypeInvalid'],
    },
    {
      name: 'task without a type',
      spec: { tasks: [{ init: {} }] },
      errors: ['spec.tasks[0].type: FieldValueRequired'],
    },
    {
      name: 'clone from git without the repo',
      spec: {
        tasks: [
          { type: 'clone', clone: { upstreamRef: { type: 'git', git: { ref: 'main', directory: '/' } } } },
        ],
      },
      errors: ['spec.tasks[0].clone.upstreamRef.git.repo: FieldValueRequired'],
    },
    {
      name: 'edit without the source name',
      spec: { tasks: [{ type: 'edit', edit: { sourceRef: {} } }] },
      errors: ['spec.tasks[0].edit.sourceRef.name: FieldValueRequired'],
    },
  ])('$name', ({ spec, errors }) => {
    expect(admit(pr(spec), PackageRevisionSchema)).toEqual({ pruned: [], errors });
  });

  it('prunes fields Porch does not have', () => {
    const object = pr({ tasks: [{ type: 'init', init: {}, render: {} }], source: { init: {} } });
    expect(admit(object, PackageRevisionSchema)).toEqual({
      pruned: ['spec.source', 'spec.tasks[0].render'],
      errors: [],
    });
  });
});

describe('resource tables', () => {
  it('names creation tasks', () => {
    expect(CREATION_TASK_TYPES).toEqual(['init', 'clone', 'edit', 'upgrade']);
    expect(['init', 'upgrade', 'eval', 'render', ''].map(isCreationTaskType)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('has the names, field selectors and columns of Porch', () => {
    expect(packageRevisionInfo).toMatchObject({
      plural: 'packagerevisions',
      singular: 'packagerevision',
      shortNames: [],
      subresources: ['approval'],
      fieldSelectors: [
        'spec.revision',
        'spec.packageName',
        'spec.repository',
        'spec.workspaceName',
        'spec.lifecycle',
      ],
    });
    expect(packageRevisionInfo.printerColumns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'Package:string',
      'WorkspaceName:string',
      'Revision:integer',
      'Latest:boolean',
      'Lifecycle:string',
      'Repository:string',
    ]);
    expect(packageRevisionResourcesInfo.printerColumns.map((c) => c.name)).toEqual([
      'Package',
      'WorkspaceName',
      'Revision',
      'Repository',
      'Files',
    ]);
    expect(porchPackageInfo).toMatchObject({ plural: 'packages', singular: 'package', kind: 'PorchPackage' });
    expect(porchPackageInfo.printerColumns.map((c) => c.name)).toEqual([
      'Package',
      'Repository',
      'Latest Revision',
    ]);
  });

  it('computes the cells', () => {
    const object = {
      ...pr({ revision: 3, lifecycle: 'Published' }),
      metadata: { name: 'n', labels: { 'kpt.dev/latest-revision': 'true' } },
    } as KubeObject;
    const cells = packageRevisionInfo.printerColumns.map((c) =>
      c.cell ? c.cell(object) : evaluateJsonPath(object, c.jsonPath)[0],
    );
    expect(cells).toEqual(['network-function', 'ws1', 3, true, 'Published', 'porch-test']);
    expect(evaluateJsonPath(object, packageRevisionInfo.printerColumns[3]!.jsonPath)).toEqual(['true']);

    const files = packageRevisionResourcesInfo.printerColumns.find((c) => c.name === 'Files')!;
    expect(files.cell?.({ ...object, spec: { resources: { Kptfile: '', 'a.yaml': '' } } })).toBe(2);
    expect(files.cell?.({ ...object, spec: {} })).toBe(0);
  });
});
