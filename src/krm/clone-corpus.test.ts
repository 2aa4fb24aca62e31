/**
 * Every root package of fixtures/kpt cloned with `kpt pkg get` and with clonePackage: identical files,
 * or both refuse the package. Documented divergences are listed with their reason.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clonePackage } from './clone-package.js';
import {
  FIXTURES,
  GIT_AVAILABLE,
  KPT_VERSION,
  bareRepo,
  kpt,
  makeTempDir,
  readTree,
  removeDir,
} from './test-kpt.js';

const all = readTree(FIXTURES);
const packageDirs = [...all.keys()]
  .filter((p) => p === 'Kptfile' || p.endsWith('/Kptfile'))
  .map((p) => p.slice(0, -'/Kptfile'.length));
const roots = packageDirs.filter((d) => !packageDirs.some((o) => o !== d && d.startsWith(`${o}/`))).sort();

const DIVERGENCES = new Map([
  [
    'kpt/e2e/testdata/fn-render/basicpipeline-semver',
    'uses `tag`, which this kpt does not know yet (newer kpt does; Lading accepts it)',
  ],
  ['nephio-catalog/distros/gcp/nephio-mgmt', 'kpt fetches its remote subpackages over the network'],
  [
    'porch/pkg/repository/testdata/update/local',
    'a malformed merge comment (`kpt-merge: example`) makes kpt crash; Lading falls back to the resource identity',
  ],
  [
    'porch/pkg/repository/testdata/update/updated',
    'a malformed merge comment makes kpt crash; Lading falls back to the resource identity',
  ],
]);

function packageFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [p, text] of all) if (p.startsWith(`${dir}/`)) out.set(p.slice(dir.length + 1), text);
  return out;
}

describe.skipIf(!KPT_VERSION || !GIT_AVAILABLE)(
  `all fixture packages cloned like kpt ${KPT_VERSION ?? 'absent'}`,
  () => {
    let root = '';
    let repo = '';
    let commit = '';
    beforeAll(async () => {
      root = makeTempDir();
      mkdirSync(join(root, 'out'));
      ({ repo, commit } = await bareRepo(root, new Map([['fixtures', all]])));
    });
    afterAll(() => removeDir(root));

    it.each(roots)('%s', (dir) => {
      const reason = DIVERGENCES.get(dir);
      if (reason) {
        console.log(`${dir}: not compared: ${reason}`);
        return;
      }
      const out = join(root, 'out', dir.replaceAll('/', '_'));
      let kptError: unknown;
      try {
        kpt(['pkg', 'get', `file://${repo}/fixtures/${dir}@main`, out]);
      } catch (err) {
        kptError = err;
      }
      const clone = (): ReturnType<typeof clonePackage> =>
        clonePackage(packageFiles(dir), {
          name: dir.replaceAll('/', '_'),
          upstream: {
            repo: `file://${repo.slice(0, -'.git'.length)}`,
            directory: `/fixtures/${dir}`,
            ref: 'main',
            commit,
          },
        });
      if (kptError !== undefined) {
        const stderr = (kptError as { stderr?: unknown }).stderr;
        const message =
          typeof stderr === 'string' ? stderr : kptError instanceof Error ? kptError.message : 'kpt failed';
        expect(clone, `kpt refused the package: ${message}`).toThrow();
        return;
      }
      const expected = readTree(out);
      const actual = clone();
      expect([...actual.files.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [path, text] of expected)
        expect({ path, text: actual.files.get(path) }).toEqual({ path, text });
    });
  },
);
