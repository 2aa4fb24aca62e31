import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { evaluateJsonPath, type JSONSchemaProps, type KubeObject } from '../apimachinery/index.js';
import {
  applyDefaults,
  checkStructural,
  pruneUnknownFields,
  validateValue,
} from '../registry/schema/index.js';
import {
  PackageVariantSchema,
  PackageVariantSetSchema,
  RepositorySchema,
  packageVariantInfo,
  packageVariantSetInfo,
  repositoryInfo,
} from './index.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/kpt');
const PORCH_CRDS = join(FIXTURES, 'nephio-catalog/nephio/core/porch');
const schemaOf = (schema: unknown): JSONSchemaProps => schema as JSONSchemaProps;

const SCHEMAS: Record<string, JSONSchemaProps> = {
  Repository: schemaOf(RepositorySchema),
  PackageVariant: schemaOf(PackageVariantSchema),
  PackageVariantSet: schemaOf(PackageVariantSetSchema),
};

function admit(object: unknown, schema: JSONSchemaProps): { pruned: string[]; errors: string[] } {
  const copy: unknown = structuredClone(object);
  const pruned = pruneUnknownFields(copy, schema);
  const errors = validateValue(copy, schema).map((c) => `${c.field}: ${c.reason}`);
  return { pruned, errors };
}

function yamlDocs(file: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as unknown)
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null);
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('config.porch.kpt.dev schemas are structural', () => {
  it.each(Object.entries(SCHEMAS).map(([name, schema]) => ({ name, schema })))('$name', ({ schema }) => {
    expect(checkStructural(schema, 'spec.validation.openAPIV3Schema')).toEqual([]);
  });
});

/** path → what a field is: type, required, default, list/map type. */
function shape(schema: JSONSchemaProps, path = '', out = new Map<string, string>()): Map<string, string> {
  const facts = [
    schema.type ?? '',
    schema.required ? `required=${[...schema.required].sort().join(',')}` : '',
    schema.default !== undefined ? `default=${JSON.stringify(schema.default)}` : '',
    schema['x-kubernetes-list-type'] ? `list=${schema['x-kubernetes-list-type']}` : '',
    schema['x-kubernetes-map-type'] ? `map=${schema['x-kubernetes-map-type']}` : '',
  ];
  out.set(path || '.', facts.filter(Boolean).join(' '));
  // Below a root `metadata` Kubernetes' ObjectMeta applies, whatever the schema says.
  if (path === '.metadata') return out;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) shape(sub, `${path}.${key}`, out);
  if (schema.items) shape(schema.items, `${path}[]`, out);
  if (typeof schema.additionalProperties === 'object') shape(schema.additionalProperties, `${path}{}`, out);
  return out;
}

describe("every field of Porch's CRDs is declared alike", () => {
  const crds = ['0-repositories.yaml', '0-packagevariants.yaml', '0-packagevariantsets.yaml'].flatMap((f) =>
    yamlDocs(join(PORCH_CRDS, f)),
  );
  const versions = crds.flatMap((crd) => {
    const spec = crd.spec as {
      names: { kind: string };
      versions: { name: string; served: boolean; schema: { openAPIV3Schema: JSONSchemaProps } }[];
    };
    return spec.versions
      .filter((v) => v.served)
      .map((v) => ({
        name: `${spec.names.kind} ${v.name}`,
        kind: spec.names.kind,
        crd: v.schema.openAPIV3Schema,
      }));
  });

  it('found the CRDs', () => {
    expect(versions.map((v) => v.name)).toEqual([
      'Repository v1alpha1',
      'PackageVariant v1alpha1',
      'PackageVariantSet v1alpha2',
    ]);
  });

  it.each(versions)('$name', ({ kind, crd }) => {
    const ours = shape(SCHEMAS[kind]!);
    const differences = [...shape(crd)]
      .filter(([path, facts]) => ours.get(path) !== facts)
      .map(([path, facts]) => `${path}: Porch "${facts}", ours "${ours.get(path) ?? 'missing'}"`);
    expect(differences).toEqual([]);
    const rules = (s: JSONSchemaProps | undefined) =>
      (s?.['x-kubernetes-validations'] ?? []).map((r) => r.rule);
    expect(rules(SCHEMAS[kind])).toEqual(expect.arrayContaining(rules(crd)));
  });
});

/**
 * Example files written before `upstream.revision` became an integer (and, in one, `injectors`
 * a list); Porch's current CRD refuses them the same way.
 */
const revisionNotInteger = { pruned: [], errors: ['spec.upstream.revision: FieldValueTypeInvalid'] };
const LEGACY_EXAMPLES: Record<string, { pruned: string[]; errors: string[] }> = {
  'nephio-example-packages/free5gc-smf-org-example/packagevariant.yaml': {
    pruned: ['spec.injectors.group', 'spec.injectors.kind', 'spec.injectors.name', 'spec.injectors.version'],
    errors: ['spec.upstream.revision: FieldValueTypeInvalid', 'spec.injectors: FieldValueTypeInvalid'],
  },
  'nephio-example-packages/free5gc-smf-org-example/packagevariantset.yaml': revisionNotInteger,
  'nephio-example-packages/5g-core-topology/packagevariantset-upf-edge.yaml': revisionNotInteger,
  'nephio-example-packages/5g-core-topology/packagevariantset-amf-regional.yaml': revisionNotInteger,
  'nephio-example-packages/5g-core-topology/packagevariantset-smf-regional.yaml': revisionNotInteger,
};

describe('Repository, PackageVariant(Set) objects from the fixtures', () => {
  const found = yamlFilesUnder(FIXTURES).flatMap((file) =>
    yamlDocs(file)
      .filter(
        (d) =>
          typeof d.apiVersion === 'string' &&
          d.apiVersion.startsWith('config.porch.kpt.dev/') &&
          typeof d.kind === 'string' &&
          d.kind in SCHEMAS,
      )
      .map((object) => ({
        name: `${relative(FIXTURES, file)} ${String(object.kind)}`,
        file: relative(FIXTURES, file),
        object,
      })),
  );

  it('found them', () => {
    const count = (kind: string) => found.filter((f) => f.object.kind === kind).length;
    expect(count('Repository')).toBeGreaterThanOrEqual(15);
    expect(count('PackageVariant')).toBeGreaterThanOrEqual(30);
    expect(count('PackageVariantSet')).toBeGreaterThanOrEqual(5);
  });

  it.each(found)('$name', ({ file, object }) => {
    const want = LEGACY_EXAMPLES[file] ?? { pruned: [], errors: [] };
    expect(admit(object, SCHEMAS[object.kind as string]!)).toEqual(want);
  });
});

const repo = (spec: Record<string, unknown>, status?: Record<string, unknown>) => ({
  apiVersion: 'config.porch.kpt.dev/v1alpha1',
  kind: 'Repository',
  metadata: { name: 'porch-test', namespace: 'default' },
  spec,
  ...(status ? { status } : {}),
});

describe('Repository', () => {
  it.each([
    {
      // Porch's "Repositories Basic Usage" guide, `porchctl repo get -o yaml`.
      name: 'git repository with status, from the repositories guide',
      object: repo(
        {
          content: 'Package',
          type: 'git',
          git: {
            repo: 'https://github.com/example-org/test-packages.git',
            branch: 'main',
            directory: '/',
            secretRef: { name: 'porch-test-auth' },
          },
        },
        {
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Ready',
              message: 'Repository Ready',
              lastTransitionTime: '2025-11-26T09:45:03Z',
            },
          ],
          packageCount: 42,
          gitCommitHash: 'a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0',
          lastFullSyncTime: '2026-03-19T10:00:00Z',
          nextFullSyncTime: '2026-03-19T10:10:00Z',
          observedGeneration: 1,
          observedRunOnceAt: '2026-03-19T09:55:00Z',
        },
      ),
    },
    {
      name: 'oci repository with a sync schedule (porchctl repo reg oci://…)',
      object: repo({
        description: 'blueprints',
        deployment: false,
        type: 'oci',
        oci: { registry: 'us-docker.pkg.dev/p/blueprints', secretRef: { name: 'porch-test-auth' } },
        sync: { schedule: '*/10 * * * *', runOnceAt: '2026-03-19T09:55:00Z' },
      }),
    },
    {
      name: 'git repository with a new branch and commit author',
      object: repo({
        type: 'git',
        git: {
          repo: 'http://gitea/nephio/mgmt.git',
          branch: 'main',
          createBranch: true,
          author: 'porch',
          email: 'porch@example.com',
        },
      }),
    },
  ])('$name validates', ({ object }) => {
    expect(admit(object, SCHEMAS.Repository!)).toEqual({ pruned: [], errors: [] });
  });

  it('defaults content and git.branch', () => {
    const object = repo({ type: 'git', git: { repo: 'https://github.com/nephio-project/catalog.git' } });
    applyDefaults(object, SCHEMAS.Repository!);
    expect(object.spec).toEqual({
      type: 'git',
      content: 'Package',
      git: { repo: 'https://github.com/nephio-project/catalog.git', branch: 'main' },
    });
  });

  it.each([
    {
      name: 'git without repo',
      spec: { type: 'git', git: { branch: 'main' } },
      errors: ['spec.git.repo: FieldValueRequired'],
    },
    {
      name: 'oci without registry',
      spec: { type: 'oci', oci: {} },
      errors: ['spec.oci.registry: FieldValueRequired'],
    },
    { name: 'unknown type', spec: { type: 'svn' }, errors: ['spec.type: FieldValueNotSupported'] },
    {
      name: 'empty branch',
      spec: { git: { repo: 'r', branch: '' } },
      errors: ['spec.git.branch: FieldValueInvalid'],
    },
    {
      name: 'secretRef without name',
      spec: { git: { repo: 'r', secretRef: {} } },
      errors: ['spec.git.secretRef.name: FieldValueRequired'],
    },
  ])('$name is invalid', ({ spec, errors }) => {
    expect(admit(repo(spec), SCHEMAS.Repository!)).toEqual({ pruned: [], errors });
  });

  it('refuses a condition without reason and with a bad status', () => {
    const status = {
      conditions: [
        { type: 'Ready', status: 'true', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' },
      ],
    };
    expect(admit(repo({}, status), SCHEMAS.Repository!).errors).toEqual([
      'status.conditions[0].status: FieldValueNotSupported',
      'status.conditions[0].reason: FieldValueRequired',
    ]);
  });

  it('has Porch names and printer columns', () => {
    expect(repositoryInfo).toMatchObject({
      plural: 'repositories',
      singular: 'repository',
      shortNames: ['repo'],
    });
    expect(repositoryInfo.printerColumns.map((c) => [c.name, c.jsonPath])).toEqual([
      ['Type', '.spec.type'],
      ['Content', '.spec.content'],
      ['Sync schedule', '.spec.sync.schedule'],
      ['Deployment', '.spec.deployment'],
      ['Ready', ".status.conditions[?(@.type=='Ready')].status"],
      ['Address', ".spec['git','oci']['repo','registry']"],
      ['Branch', '.spec.git.branch'],
      ['Age', '.metadata.creationTimestamp'],
    ]);
  });

  it('computes the cells', () => {
    const git = repo(
      { type: 'git', deployment: true, git: { repo: 'https://g/r.git', branch: 'main' } },
      { conditions: [{ type: 'Ready', status: 'True' }] },
    ) as KubeObject;
    const oci = repo({ type: 'oci', oci: { registry: 'registry.example/p' } }) as KubeObject;
    const cells = (o: KubeObject) =>
      repositoryInfo.printerColumns
        .filter((c) => c.name !== 'Age')
        .map((c) => (c.cell ? c.cell(o) : evaluateJsonPath(o, c.jsonPath)[0]));
    expect(cells(git)).toEqual(['git', undefined, undefined, true, 'True', 'https://g/r.git', 'main']);
    expect(cells(oci)).toEqual([
      'oci',
      undefined,
      undefined,
      undefined,
      undefined,
      'registry.example/p',
      undefined,
    ]);
  });
});

describe('PackageVariant and PackageVariantSet', () => {
  it('prunes fields the CRDs do not have', () => {
    const pv = {
      apiVersion: 'config.porch.kpt.dev/v1alpha1',
      kind: 'PackageVariant',
      metadata: { name: 'pv' },
      spec: {
        upstream: { repo: 'r', package: 'p', workspaceName: 'main', ref: 'x' },
        downstream: { repo: 'd', package: 'p' },
      },
    };
    expect(admit(pv, SCHEMAS.PackageVariant!)).toEqual({ pruned: ['spec.upstream.ref'], errors: [] });
  });

  it('requires injector and target repository names', () => {
    const pv = { spec: { injectors: [{ kind: 'WorkloadCluster' }] } };
    expect(admit(pv, SCHEMAS.PackageVariant!).errors).toEqual(['spec.injectors[0].name: FieldValueRequired']);
    const pvs = { spec: { targets: [{ repositories: [{ packageNames: ['a'] }] }] } };
    expect(admit(pvs, SCHEMAS.PackageVariantSet!).errors).toEqual([
      'spec.targets[0].repositories[0].name: FieldValueRequired',
    ]);
  });

  it('has the CRD names', () => {
    expect(packageVariantInfo).toMatchObject({
      plural: 'packagevariants',
      version: 'v1alpha1',
      shortNames: [],
    });
    expect(packageVariantSetInfo).toMatchObject({ plural: 'packagevariantsets', version: 'v1alpha2' });
  });
});
