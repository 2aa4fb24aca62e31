import { describe, expect, it } from 'vitest';
import {
  comparePackagePaths,
  defaultResourcePath,
  readPackageResources,
  writePackageResources,
} from './package-resources.js';
import { objectMeta, setAnnotation } from './resource-meta.js';
import { fixturePackage } from './test-kpt.js';

const CM = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('readPackageResources', () => {
  it('reads resources with path and index, applying each package’s own .krmignore', () => {
    const files = new Map([
      ['Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: root\n'],
      ['.krmignore', 'ignored.yaml\n'],
      ['ignored.yaml', CM('ignored')],
      ['multi.yaml', `${CM('one')}---\n# just a comment\n---\n${CM('two')}`],
      ['sub/Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: sub\n'],
      ['sub/.krmignore', 'local.yaml\n'],
      ['sub/local.yaml', CM('local')],
      ['sub/ignored.yaml', CM('sub-ignored')],
      ['notes.txt', 'not yaml'],
    ]);
    const pkg = readPackageResources(files);
    expect(pkg.resources.map((r) => [r.path, r.index, objectMeta(r.document.doc).name])).toEqual([
      ['Kptfile', 0, 'root'],
      ['multi.yaml', 0, 'one'],
      ['multi.yaml', 1, 'two'],
      ['sub/Kptfile', 0, 'sub'],
      ['sub/ignored.yaml', 0, 'sub-ignored'],
    ]);
    expect(readPackageResources(files, { includeSubpackages: false }).resources.map((r) => r.path)).toEqual([
      'Kptfile',
      'multi.yaml',
      'multi.yaml',
    ]);
  });

  it('skips or refuses non-KRM documents; kustomization files count as resources', () => {
    const files = new Map([
      ['a.yaml', `${CM('a')}---\nNon-krm-resource: true\n`],
      ['kustomization.yaml', 'resources:\n- a.yaml\n'],
    ]);
    const pkg = readPackageResources(files);
    expect(pkg.resources.map((r) => r.path)).toEqual(['a.yaml', 'kustomization.yaml']);
    expect(pkg.skipped).toEqual([{ path: 'a.yaml', index: 1, reason: 'resource must have `apiVersion`' }]);
    expect(() => readPackageResources(files, { nonKrm: 'error' })).toThrow(
      'input resource list must contain only KRM resources: a.yaml: resource must have `apiVersion`',
    );
  });

  it('orders files as a directory walk', () => {
    expect(['a.yaml', 'a/x.yaml', 'Kptfile', 'b.yaml'].sort(comparePackagePaths)).toEqual([
      'Kptfile',
      'a/x.yaml',
      'a.yaml',
      'b.yaml',
    ]);
  });
});

describe('writePackageResources', () => {
  it('keeps unchanged files, rewrites changed documents, moves, deletes and creates files', () => {
    const files = fixturePackage('kpt-samples/basens');
    const pkg = readPackageResources(files);
    const resources = pkg.resources
      .filter((r) => r.path !== 'resourcequota.yaml')
      .map((r) => {
        if (r.path === 'namespace.yaml') setAnnotation(r.document.doc, 'owner', 'team-a');
        if (r.path === 'rolebinding.yaml') return { ...r, path: 'rbac/rolebinding.yaml' };
        return r;
      });
    const out = writePackageResources(files, pkg, resources);
    expect(out.has('resourcequota.yaml')).toBe(false);
    expect(out.has('rolebinding.yaml')).toBe(false);
    expect(out.get('rbac/rolebinding.yaml')).toBe(files.get('rolebinding.yaml'));
    expect(out.get('namespace.yaml')).toBe(
      "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n  annotations:\n    owner: 'team-a'\nspec: {}\n",
    );
    for (const path of ['Kptfile', 'package-context.yaml', 'update-rolebinding.yaml', 'README.md']) {
      expect(out.get(path)).toBe(files.get(path));
    }
  });

  it('defaults paths like kyaml', () => {
    expect(defaultResourcePath({ kind: 'Deployment', name: 'web', namespace: 'prod' }, 'db')).toBe(
      'db/prod/deployment_web.yaml',
    );
    expect(defaultResourcePath({ kind: 'ClusterRole', name: 'Admin' })).toBe('clusterrole_Admin.yaml');
  });
});
