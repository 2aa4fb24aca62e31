import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPackageFolder } from './package-source.js';
import { formatTree, packageTree, validatePackage } from './validate.js';

const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/package-operator');
const PKO = 'package-operator';

/** Every folder with a root manifest.yaml (components are validated with their root). */
const packages = execFileSync('find', [FIXTURES, '-name', 'manifest.yaml', '-not', '-path', '*/components/*'])
  .toString()
  .trim()
  .split('\n')
  .map((p) => p.slice(FIXTURES.length + 1, -'/manifest.yaml'.length))
  .sort();

/** Deliberately broken fixtures and the Package Operator reason each must fail with. */
const INVALID: Record<string, RegExp> = {
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/bad_manifest`]:
    /^PackageManifest invalid in manifest.yaml: spec.scopes: Required value/,
  [`${PKO}/cmd/kubectl-package/validatecmd/faultydata`]:
    /^PackageManifest invalid in manifest.yaml: spec.scopes: Required value, spec.phases: Required value/,
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/missing_lock_file`]:
    /^Missing image in manifest.lock.yaml/,
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/invalid_resource_label`]:
    /^Labels invalid in deployment.yaml idx 0/,
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/missing_resource_gvk`]:
    /^GroupVersionKind not set in deployment.yaml idx 0/,
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/missing_phase_annotation`]:
    /^Missing package-operator.run\/phase Annotation in deployment.yaml idx 0/,
  [`${PKO}/integration/kubectl-package/testdata/packages/invalid/multi_broken_component`]:
    /^Phase name not found in manifest in deployment.yaml idx 0 \[backend\]/,
  [`${PKO}/internal/packages/internal/packagestructure/testdata/duplicated-manifest`]:
    /^PackageManifest present multiple times/,
  [`${PKO}/internal/packages/internal/packagestructure/testdata/duplicated-manifest-lock`]:
    /^PackageManifestLock present multiple times/,
  [`${PKO}/internal/packages/internal/packagestructure/testdata/multi-component/components-enabled/invalid-files-in-components-dir`]:
    /^The components directory may only contain folders and dot files in components\/foobar/,
  [`${PKO}/internal/packages/internal/packagestructure/testdata/multi-component/components-enabled/nested-components`]:
    /^Nesting multi-component packages not allowed/,
};

/** Upstream fixtures that no longer match their own templates (checked in stale upstream). */
const STALE_FIXTURES: Record<string, string[]> = {
  [`${PKO}/cmd/kubectl-package/treecmd/testdata`]: ['namespace-scope', 'cluster-scope'],
  'openshift-addon-operator/deploy_pko': ['config-with-proxy'],
};

describe('validate every Package Operator fixture package', () => {
  it('finds the fixture packages', () => expect(packages.length).toBeGreaterThan(40));
  it.each(packages)('%s', async (dir) => {
    const files = await readPackageFolder(join(FIXTURES, dir));
    const invalid = INVALID[dir];
    if (invalid) {
      expect(() => validatePackage(files)).toThrow(invalid);
      return;
    }
    const report = validatePackage(files);
    const stale = STALE_FIXTURES[dir] ?? [];
    for (const tc of report.testCases) {
      if (stale.includes(tc.name)) expect(tc.mismatches, tc.name).not.toEqual([]);
      else expect(tc.mismatches, `${tc.component}/${tc.name}`).toEqual([]);
    }
  });
  it('renders template test cases byte-identically to their fixtures', async () => {
    let matched = 0;
    for (const dir of packages.filter((d) => !INVALID[d])) {
      const report = validatePackage(await readPackageFolder(join(FIXTURES, dir)));
      matched += report.testCases.filter((t) => t.hasFixtures && t.mismatches.length === 0).length;
    }
    expect(matched).toBeGreaterThanOrEqual(30);
  });
});

describe('tree', () => {
  // Expected output from Package Operator's own tree command test (treecmd/tree_test.go), without
  // the EXTERNAL object (external objects were removed in Package Operator v1.14).
  const cases = [
    {
      name: 'namespace scope from a test case',
      options: { testCase: 'namespace-scope' },
      want: 'test-stub\nPackage namespace/name\n└── Phase deploy\n    └── apps/v1, Kind=Deployment /test-stub-name\n',
    },
    {
      name: 'cluster scope from a test case',
      options: { testCase: 'namespace-scope', cluster: true },
      want:
        'test-stub\nClusterPackage /name\n└── Phase namespace\n│   ├── /v1, Kind=Namespace /name\n└── Phase deploy\n' +
        '    └── apps/v1, Kind=Deployment name/test-stub-name\n',
    },
    {
      name: 'cluster scope from a config file',
      options: { config: { image: 'chicken' }, cluster: true },
      want:
        'test-stub\nClusterPackage /name\n└── Phase namespace\n│   ├── /v1, Kind=Namespace /name\n└── Phase deploy\n' +
        '    └── apps/v1, Kind=Deployment name/test-stub-name\n',
    },
  ];
  it.each(cases)('$name', async ({ options, want }) => {
    const files = await readPackageFolder(join(FIXTURES, PKO, 'cmd/kubectl-package/treecmd/testdata'));
    expect(formatTree(packageTree(files, options))).toBe(want);
  });
  it.each([
    {
      name: 'unknown test case',
      options: { testCase: 'nonexistent' },
      want: /Test case not found: "nonexistent"/,
    },
    {
      name: 'config and test case',
      options: { testCase: 'namespace-scope', config: {} },
      want: /either a config file or a test case/,
    },
    {
      name: 'config failing the schema',
      options: { config: { image: 5 } },
      want: /Invalid config: config.image: Invalid value/,
    },
  ])('refuses $name', async ({ options, want }) => {
    const files = await readPackageFolder(join(FIXTURES, PKO, 'cmd/kubectl-package/treecmd/testdata'));
    expect(() => packageTree(files, options)).toThrow(want);
  });
  it('filters objects by CEL conditions and paths', async () => {
    const files = await readPackageFolder(join(FIXTURES, PKO, 'config/packages/test-stub-cel'));
    const tree = packageTree(files, { testCase: 'cluster-scope', cluster: true });
    const names = tree.phases.flatMap((p) =>
      p.objects.map((o) => (o.object.metadata as { name: string }).name),
    );
    expect(names).toContain('test-deployment');
    expect(names).not.toContain('test-cm');
    expect(names.some((n) => n.includes('ignored'))).toBe(false);
  });
});
