/**
 * Bad package images and archives through `lading pkg pull` and `lading pkg load`, against the
 * real distribution registry: layers with `..`, absolute paths, device files, symlinks pointing
 * outside, truncated tars, and an archive cut short. Each fails with a clear error and leaves
 * the local store exactly as it was (listed file by file, with content hashes, before and after).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PackageAnnotation } from '../../src/build/index.js';
import { RegistryClient } from '../../src/oci/index.js';
import { lading } from '../support/lading-cli.js';
import { registryUnavailable, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';
import { listStore, pushLayerImage, rawTar, type RawEntry } from './pkg-support.js';

const missing = await registryUnavailable();
if (missing) console.warn(`skipping lading pkg bad-input end-to-end tests: ${missing}`);
const run = promisify(execFile);

const MANIFEST: RawEntry = {
  name: 'package/manifest.yaml',
  body: 'apiVersion: manifests.package-operator.run/v1alpha1\nkind: PackageManifest\nmetadata:\n  name: bad\nspec:\n  scopes: [Cluster]\n  phases: [{name: deploy}]\n',
};

const CASES: Array<{ name: string; layer: Buffer; gzip?: boolean; error: RegExp }> = [
  {
    name: 'an entry with ".."',
    layer: rawTar([MANIFEST, { name: 'package/../../etc/cron.d/evil', body: 'x' }]),
    error: /tar entry "package\/\.\.\/\.\.\/etc\/cron\.d\/evil" must not contain a "\.\." segment/,
  },
  {
    name: 'an absolute path',
    layer: rawTar([MANIFEST, { name: '/etc/evil', body: 'x' }]),
    error: /tar entry "\/etc\/evil" must not be an absolute path/,
  },
  {
    name: 'a device file',
    layer: rawTar([MANIFEST, { name: 'package/tty', type: '3' }]),
    error: /tar entry "package\/tty" is a device file/,
  },
  {
    name: 'a symlink pointing outside',
    layer: rawTar([MANIFEST, { name: 'package/passwd', type: '2', linkname: '../../../etc/passwd' }]),
    error:
      /tar symlink "package\/passwd" -> "\.\.\/\.\.\/\.\.\/etc\/passwd" must not point outside the archive/,
  },
  {
    name: 'a symlink inside the package (packages hold only regular files)',
    layer: rawTar([MANIFEST, { name: 'package/alias.yaml', type: '2', linkname: 'manifest.yaml' }]),
    error: /package layer entry "package\/alias.yaml" is a symlink/,
  },
  {
    name: 'a truncated layer',
    layer: rawTar([MANIFEST, { name: 'package/big.yaml', body: 'a: 1\n'.repeat(400) }], { truncateTo: 1200 }),
    gzip: false,
    error: /tar archive is truncated: /,
  },
];

describe.skipIf(missing !== undefined)('lading pkg with bad images and archives', () => {
  let registry: TestRegistry;
  let work: string;
  let store: string;
  const client = new RegistryClient();

  beforeAll(async () => {
    const r = await startTestRegistry();
    if ('skip' in r) throw new Error(r.skip);
    registry = r;
    work = await mkdtemp(join(tmpdir(), 'lading-pkg-bad-'));
    store = join(work, 'store');
    // A store with something in it, so "unchanged" means more than "still empty".
    await writeFile(join(work, 'manifest.yaml'), MANIFEST.body!);
    const built = await lading(['pkg', 'build', work, '-t', 'good:v1', '--store', store]);
    expect(built.code, built.stderr).toBe(0);
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it.each(CASES)('pull of a package image with $name fails clearly and stores nothing', async (c) => {
    const ref = `${registry.host}/bad/${c.name.replace(/[^a-z]+/g, '-').replace(/^-|-$/g, '')}:v1`;
    await pushLayerImage(client, ref, c.layer, {
      gzip: c.gzip ?? true,
      annotations: { [PackageAnnotation.format]: 'package-operator' },
    });
    const before = await listStore(store);
    const pulled = await lading(['pkg', 'pull', ref, '--store', store, '-d', join(work, 'never')]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toMatch(/^lading: .* is not a usable package image: /);
    expect(pulled.stderr).toMatch(c.error);
    expect(pulled.stderr).toMatch(/nothing was stored\n$/);
    expect(await listStore(store)).toEqual(before);
    expect(await listStore(join(work, 'never'))).toEqual([]);

    // The same image inside an archive is refused by load, with the store unchanged too.
    const copied = await run('skopeo', [
      'copy',
      '--src-tls-verify=false',
      `docker://${ref}`,
      `oci-archive:${join(work, 'bad.tar')}:bad:v1`,
    ]).then(
      () => true,
      () => false,
    );
    if (copied) {
      const loaded = await lading(['pkg', 'load', join(work, 'bad.tar'), '--store', store]);
      expect(loaded.code).toBe(1);
      expect(loaded.stderr).toMatch(/package image bad:v1 is not usable: .*nothing was stored/);
      expect(await listStore(store)).toEqual(before);
    } else console.warn(`skopeo is not installed: the archive half of "${c.name}" is not run`);
  });

  it('load of a truncated archive fails clearly and stores nothing', async () => {
    const file = join(work, 'good.tar');
    expect((await lading(['pkg', 'save', 'good:v1', '-f', file, '--store', store])).code).toBe(0);
    const whole = await readFile(file);
    const fresh = join(work, 'fresh-store');
    const intoFresh = await lading(['pkg', 'load', file, '--store', fresh]);
    expect(intoFresh.code, intoFresh.stderr).toBe(0);
    const before = await listStore(fresh);
    for (const cut of [100, 1536, whole.length - 1024]) {
      await writeFile(file, whole.subarray(0, cut));
      const loaded = await lading(['pkg', 'load', file, '--store', fresh]);
      expect(loaded.code, `cut at ${cut}`).toBe(1);
      expect(loaded.stderr).toMatch(
        /^lading: cannot load ".*good.tar": .*(truncated|ends early|cut short|missing).*nothing was stored\n$/,
      );
      expect(await listStore(fresh)).toEqual(before);
    }
  });

  it('load --to-repo of a truncated archive pushes nothing', async () => {
    const file = join(work, 'good.tar');
    const loaded = await lading([
      'pkg',
      'load',
      file,
      '--to-repo',
      `${registry.host}/never`,
      '--store',
      store,
    ]);
    expect(loaded.code).toBe(1);
    expect(loaded.stderr).toMatch(/nothing was stored/);
    const res = await fetch(`${registry.url}/v2/never/good/tags/list`);
    expect(res.status).toBe(404);
  });
});
