import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatKptfile, newKptfile } from './kptfile-format.js';
import { initPackage } from './init-package.js';
import { KPT_VERSION, fixturePackage, kpt, readTree, withTempDir } from './test-kpt.js';

describe('initPackage', () => {
  it("matches Porch's init task testdata", () => {
    const expected = fixturePackage('porch/pkg/task/testdata/init/testpkg');
    const files = initPackage({
      name: 'testpkg',
      description: 'test package',
      keywords: ['test', 'kpt', 'pkg'],
      site: 'http://kpt.dev/testpkg',
    });
    expect(files).toEqual(expected);
  });

  it('uses kpt defaults when only a name is given', () => {
    const files = initPackage({ name: 'plain' });
    expect(files.get('Kptfile')).toBe(
      'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: plain\n  annotations:\n' +
        '    config.kubernetes.io/local-config: "true"\ninfo:\n  description: sample description\n',
    );
    expect(files.get('README.md')).toMatch(/^# plain\n\n## Description\nsample description\n/);
  });

  it('writes Kptfiles in wide list style for kpt writers other than init', () => {
    expect(formatKptfile(newKptfile({ name: 'p', keywords: ['a'] }))).toContain('  keywords:\n    - a\n');
  });
});

describe.skipIf(!KPT_VERSION)(`initPackage matches kpt pkg init (kpt ${KPT_VERSION ?? 'absent'})`, () => {
  const cases = [
    { name: 'defaults', options: {} },
    {
      name: 'all flags',
      options: { description: 'my package', keywords: ['a', 'b'], site: 'https://example.com/x' },
    },
    { name: 'values that need quotes', options: { description: 'yes', keywords: ['on', '1.0', 'true'] } },
  ];
  it.each(cases)('$name', async ({ options }) => {
    await withTempDir((root) => {
      const dir = join(root, 'mypkg');
      mkdirSync(dir);
      const args = ['pkg', 'init', dir];
      if ('description' in options) args.push('--description', options.description);
      if ('keywords' in options) args.push('--keywords', options.keywords.join(','));
      if ('site' in options) args.push('--site', options.site);
      kpt(args);
      expect(initPackage({ name: 'mypkg', ...options })).toEqual(readTree(dir));
    });
  });
});
