import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFromFolder } from './build.js';
import { readPackageImageFiles } from './package-image.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures');

function folders(root: string, file: string): string[] {
  return execFileSync('find', [root, '-name', file])
    .toString()
    .trim()
    .split('\n')
    .map((p) => p.slice(root.length + 1, -(file.length + 1)))
    .sort();
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

const PKO_ROOT = join(SHARED, 'package-operator');
const pkoPackages = folders(PKO_ROOT, 'manifest.yaml').filter((p) => !p.includes('/components/'));
/** Fixtures that must not build: deliberately invalid, or with stale upstream template fixtures. */
const PKO_REFUSED: Record<string, RegExp> = {
  'package-operator/integration/kubectl-package/testdata/packages/invalid/bad_manifest':
    /PackageManifest invalid/,
  'package-operator/cmd/kubectl-package/validatecmd/faultydata': /PackageManifest invalid/,
  'package-operator/integration/kubectl-package/testdata/packages/invalid/missing_lock_file':
    /Missing image in manifest.lock.yaml/,
  'package-operator/integration/kubectl-package/testdata/packages/invalid/invalid_resource_label':
    /Labels invalid/,
  'package-operator/integration/kubectl-package/testdata/packages/invalid/missing_resource_gvk':
    /GroupVersionKind not set/,
  'package-operator/integration/kubectl-package/testdata/packages/invalid/missing_phase_annotation':
    /Missing package-operator.run\/phase Annotation/,
  'package-operator/integration/kubectl-package/testdata/packages/invalid/multi_broken_component':
    /Phase name not found/,
  'package-operator/internal/packages/internal/packagestructure/testdata/duplicated-manifest':
    /present multiple times/,
  'package-operator/internal/packages/internal/packagestructure/testdata/duplicated-manifest-lock':
    /present multiple times/,
  'package-operator/internal/packages/internal/packagestructure/testdata/multi-component/components-enabled/invalid-files-in-components-dir':
    /components directory may only contain/,
  'package-operator/internal/packages/internal/packagestructure/testdata/multi-component/components-enabled/nested-components':
    /Nesting multi-component/,
  'package-operator/cmd/kubectl-package/treecmd/testdata': /File mismatch against fixture/,
  'openshift-addon-operator/deploy_pko': /File mismatch against fixture/,
};

describe('build every Package Operator fixture', () => {
  it.each(pkoPackages)('%s', async (dir) => {
    const refused = PKO_REFUSED[dir];
    if (refused) {
      await expect(buildFromFolder(join(PKO_ROOT, dir))).rejects.toThrow(refused);
      return;
    }
    const first = await buildFromFolder(join(PKO_ROOT, dir));
    const second = await buildFromFolder(join(PKO_ROOT, dir));
    expect(second.image.digest, 'reproducible').toBe(first.image.digest);
    expect(first.format).toBe('package-operator');
    expect(
      [...first.files.keys()].some((p) => p.split('/').some((s) => s.startsWith('.'))),
      'no dot files',
    ).toBe(false);
    const layer =
      first.image.blobs.get(first.image.manifest.layers[0]?.digest ?? 'sha256:') ?? new Uint8Array();
    const back = await readPackageImageFiles([once(layer)]);
    expect([...back.keys()]).toEqual([...first.files.keys()]);
    for (const [path, bytes] of first.files)
      expect(Buffer.compare(Buffer.from(back.get(path) ?? []), Buffer.from(bytes)), path).toBe(0);
  });
});

const KPT_ROOT = join(SHARED, 'kpt');
const kptPackages = folders(KPT_ROOT, 'Kptfile');
/** kpt's deliberately broken Kptfiles (fn-render negative cases) build, with a warning. */
const KPT_WARNED = new Set([
  'kpt/e2e/testdata/fn-render/invalid-kptfile',
  'kpt/e2e/testdata/fn-render/subpkg-has-invalid-kptfile/db',
]);

describe('build every kpt fixture package', () => {
  it('finds them', () => expect(kptPackages.length).toBeGreaterThan(200));
  it.each(kptPackages)('%s', async (dir) => {
    const built = await buildFromFolder(join(KPT_ROOT, dir));
    expect(built.format).toBe('kpt');
    if (KPT_WARNED.has(dir)) expect(built.warnings.join()).toMatch(/^Kptfile: /);
    const layer =
      built.image.blobs.get(built.image.manifest.layers[0]?.digest ?? 'sha256:') ?? new Uint8Array();
    const back = await readPackageImageFiles([once(layer)]);
    expect([...back.keys()]).toEqual([...built.files.keys()]);
    expect((await buildFromFolder(join(KPT_ROOT, dir))).image.digest).toBe(built.image.digest);
  });
});
