import { describe, expect, it } from 'vitest';
import { deploymentPackagePath, packageContextFile, upsertPackageContext } from './package-context.js';
import { fixturePackage } from './test-kpt.js';

describe('package-context.yaml', () => {
  it("matches Porch's context testdata (nested package path)", () => {
    const input = fixturePackage('porch/pkg/task/testdata/context/input');
    const expected = fixturePackage('porch/pkg/task/testdata/context/expected');
    const packagePath = deploymentPackagePath({
      parentPackagePath: 'parent1/parent1.2',
      parentPackageName: 'parent1.2.3',
      packageName: 'me',
    });
    expect(packagePath).toBe('parent1/parent1.2/parent1.2.3/me');
    expect(upsertPackageContext(input, { packagePath })).toEqual(expected);
  });

  it("writes the file as kpt's builtin does", () => {
    expect(packageContextFile({ name: '007' })).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n  annotations:\n' +
        '    config.kubernetes.io/local-config: "true"\ndata:\n  name: "007"\n',
    );
    expect(deploymentPackagePath({ packageName: 'solo' })).toBe('solo');
  });

  it('replaces existing package contexts wherever they are, keeping other documents', () => {
    const files = new Map([
      ['Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n'],
      [
        'package-context.yaml',
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\ndata:\n  name: example\n',
      ],
      [
        'mixed.yaml',
        '# keep me\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n',
      ],
    ]);
    const out = upsertPackageContext(files);
    expect(out.get('package-context.yaml')).toBe(packageContextFile({ name: 'app' }));
    expect(out.get('mixed.yaml')).toBe(
      '# keep me\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other}\n',
    );
    expect(out.get('Kptfile')).toBe(files.get('Kptfile'));
  });

  it('deletes a file that held only a package context', () => {
    const files = new Map([
      ['Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n'],
      ['ctx.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n'],
    ]);
    expect([...upsertPackageContext(files).keys()].sort()).toEqual(['Kptfile', 'package-context.yaml']);
  });
});
