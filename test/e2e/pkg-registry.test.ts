/**
 * `lading pkg` against the real CNCF distribution registry (Debian `docker-registry`), started
 * here on loopback — two plain registries and one behind htpasswd auth: build → push → pull
 * round trips byte for byte, auth from a docker config.json, `update` against pushed images,
 * bundles relocated to a second registry and written to a tar then loaded there, a Kubefile
 * build, and `skopeo inspect` reading what Lading pushed.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFromFolder,
  imageFiles,
  packageFormat,
  pullPackage,
  pushImage,
  readPackageFolder,
  storePackageImage,
} from '../../src/build/index.js';
import { OciLayoutStore, RegistryClient, parseReference, staticCredentials } from '../../src/oci/index.js';
import { lading } from '../support/lading-cli.js';
import { registryUnavailable, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';
import { containerLayer, listStore, pushIndex, pushLayerImage } from './pkg-support.js';

const run = promisify(execFile);
const AUTH = { username: 'lading', password: 'pkg-s3cret' };
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/package-operator');
const WITH_CONFIG = join(
  FIXTURES,
  'package-operator/integration/kubectl-package/testdata/packages/valid/with_config',
);
const missing = await registryUnavailable({ auth: AUTH });
const missingSkopeo = await run('skopeo', ['--version']).then(
  () => undefined,
  () => 'skopeo is not installed (apt-get install skopeo)',
);
if (missing) console.warn(`skipping lading pkg registry end-to-end tests: ${missing}`);
if (missingSkopeo) console.warn(`skipping skopeo inspect of pushed package images: ${missingSkopeo}`);

function started(r: TestRegistry | { skip: string }): TestRegistry {
  if ('skip' in r) throw new Error(r.skip);
  return r;
}

describe.skipIf(missing !== undefined)('lading pkg against the distribution registry', () => {
  let a: TestRegistry;
  let b: TestRegistry;
  let secured: TestRegistry;
  let work: string;
  const client = new RegistryClient();
  let store: string;
  const pkg = (args: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof lading> =>
    lading(['pkg', ...args], env);

  beforeAll(async () => {
    [a, b, secured] = (
      await Promise.all([startTestRegistry(), startTestRegistry(), startTestRegistry({ auth: AUTH })])
    ).map(started) as [TestRegistry, TestRegistry, TestRegistry];
    work = await mkdtemp(join(tmpdir(), 'lading-pkg-e2e-'));
    store = join(work, 'store');
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), secured?.stop()]);
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('builds, pushes and pulls a package: the pulled files are byte-identical, skopeo reads the image', async () => {
    const built = await pkg(['build', WITH_CONFIG, '-t', 'app:v1', '--store', store, '-o', 'json']);
    expect(built.stderr).toBe('');
    const digest = (JSON.parse(built.stdout) as { digest: string }).digest;
    const ref = `${a.host}/pkgs/with-config:v1`;
    const pushed = await pkg(['push', 'app:v1', ref, '--store', store, '-o', 'json']);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(JSON.parse(pushed.stdout)).toMatchObject({ digest, uploaded: 2 });
    // Pushing again uploads nothing.
    const again = await pkg(['push', 'app:v1', ref, '--store', store, '-o', 'json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ digest, uploaded: 0 });

    const out = join(work, 'pulled');
    const pulled = await pkg(['pull', ref, '-d', out, '--store', join(work, 'store-pull'), '-o', 'json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ digest, names: [ref] });
    const source = await readPackageFolder(WITH_CONFIG);
    const expected = imageFiles(source, packageFormat(source));
    const got = await readPackageFolder(out);
    expect([...got.keys()]).toEqual([...expected.keys()]);
    for (const [path, bytes] of expected) expect(Buffer.compare(got.get(path)!, bytes), path).toBe(0);

    const listed = await pkg(['inspect', '--store', join(work, 'store-pull'), '-o', 'json']);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: ref })]);
    const remote = await pkg(['inspect', ref, '-o', 'json', '--store', join(work, 'empty')]);
    const info = JSON.parse(remote.stdout) as { digest: string; annotations: object; files: object[] };
    expect(info).toMatchObject({ digest, annotations: { 'org.opencontainers.image.title': 'test-stub' } });
    expect(info.files).toContainEqual({ path: 'manifest.yaml', size: expected.get('manifest.yaml')!.length });

    if (!missingSkopeo) {
      const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`]);
      const info = JSON.parse(stdout) as {
        Digest: string;
        Architecture: string;
        Os: string;
        Layers: string[];
      };
      expect(info).toMatchObject({ Digest: digest, Architecture: 'amd64', Os: 'linux' });
      expect(info.Layers).toHaveLength(1);
    }
  });

  it('round-trips every OpenShift operator package of the fixtures through the registry byte for byte', async () => {
    const local = await OciLayoutStore.open(join(work, 'store-fixtures'));
    const names = [
      'openshift-addon-operator',
      'openshift-aws-account-operator',
      'openshift-certman-operator',
      'openshift-configure-alertmanager-operator',
      'openshift-managed-node-metadata-operator',
      'openshift-managed-upgrade-operator',
      'openshift-ocm-agent-operator',
      'openshift-osd-metrics-exporter',
      'openshift-rbac-permissions-operator',
      'openshift-route-monitor-operator',
      'openshift-splunk-forwarder-operator',
    ];
    for (const name of names) {
      // Transport is under test here; fixture drift upstream is validate's business.
      const built = await buildFromFolder(join(FIXTURES, name, 'deploy_pko'), { allowFixtureMismatch: true });
      await storePackageImage(local, built.image, [name]);
      const ref = parseReference(`${a.host}/fixtures/${name}:v1`);
      await pushImage(local, name, client, ref);
      const pulled = await pullPackage(local, client, ref, [`pulled/${name}`]);
      expect(pulled.descriptor.digest, name).toBe(built.image.digest);
      expect([...pulled.files.keys()], name).toEqual([...built.files.keys()]);
      for (const [path, bytes] of built.files)
        expect(Buffer.compare(pulled.files.get(path)!, bytes), `${name} ${path}`).toBe(0);
    }
  });

  it('pushes and pulls with htpasswd auth, credentials from a docker config.json', async () => {
    await pkg(['build', WITH_CONFIG, '-t', 'auth:v1', '--store', store]);
    const ref = `${secured.host}/private/app:v1`;
    const denied = await pkg(['push', 'auth:v1', ref, '--store', store], {
      DOCKER_CONFIG: join(work, 'none'),
    });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^lading: .*401|credentials|unauthorized/i);

    const dockerDir = join(work, 'docker');
    await mkdir(dockerDir, { recursive: true });
    const auth = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64');
    await writeFile(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [secured.host]: { auth } } }));
    const pushed = await pkg(['push', 'auth:v1', ref, '--store', store], { DOCKER_CONFIG: dockerDir });
    expect(pushed.code, pushed.stderr).toBe(0);
    const pulled = await pkg([
      'pull',
      ref,
      '--store',
      join(work, 'store-auth'),
      '--registry-config',
      join(dockerDir, 'config.json'),
      '-o',
      'json',
    ]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect((JSON.parse(pulled.stdout) as { files: unknown[] }).files).toHaveLength(5);
    if (!missingSkopeo) {
      const { stdout } = await run('skopeo', [
        'inspect',
        '--tls-verify=false',
        '--creds',
        `${AUTH.username}:${AUTH.password}`,
        `docker://${ref}`,
      ]);
      expect(JSON.parse(stdout)).toMatchObject({ Architecture: 'amd64' });
    }
  });

  describe('with container images in the registry', () => {
    let web: string;
    let worker: string;
    let folder: string;

    beforeAll(async () => {
      web = await pushIndex(client, `${a.host}/library/web:1.25`, 'web');
      worker = (await pushLayerImage(client, `${a.host}/example/worker:v2`, containerLayer('worker'))).digest;
      folder = join(work, 'with-images');
      await mkdir(folder, { recursive: true });
      await writeFile(
        join(folder, 'manifest.yaml'),
        [
          'apiVersion: manifests.package-operator.run/v1alpha1',
          'kind: PackageManifest',
          'metadata:',
          '  name: with-images',
          'spec:',
          '  scopes: [Namespaced]',
          '  phases:',
          '  - name: deploy',
          '  images:',
          '  - name: web',
          `    image: ${a.host}/library/web:1.25`,
          '',
        ].join('\n'),
      );
      await writeFile(
        join(folder, 'deploy.yaml'),
        [
          '# the worker is pulled by its operator',
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata:',
          '  name: operator',
          '  annotations:',
          '    package-operator.run/phase: deploy',
          `    lading.run/images: ${a.host}/example/worker:v2`,
          'spec:',
          '  selector: {matchLabels: {app: operator}}',
          '  template:',
          '    metadata: {labels: {app: operator}}',
          '    spec:',
          '      containers:',
          '      - name: operator',
          `        image: ${a.host}/library/web:1.25 # same as spec.images`,
          '',
        ].join('\n'),
      );
    });

    it('update writes manifest.lock.yaml with the pushed digests, then reports the package up to date', async () => {
      const first = await pkg(['update', folder, '-o', 'json']);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({
        updated: true,
        images: [{ name: 'web', image: `${a.host}/library/web:1.25`, digest: web }],
      });
      const lock = await readFile(join(folder, 'manifest.lock.yaml'), 'utf8');
      expect(lock).toMatch(
        new RegExp(
          `^apiVersion: manifests.package-operator.run/v1alpha1\\nkind: PackageManifestLock\\nmetadata:\\n  creationTimestamp: "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"\\nspec:\\n  images:\\n  - digest: ${web}\\n    image: ${a.host}/library/web:1.25\\n    name: web\\n$`,
        ),
      );
      const second = await pkg(['update', folder]);
      expect(second.stdout).toBe('Package is already up-to-date\n');
      expect(await readFile(join(folder, 'manifest.lock.yaml'), 'utf8')).toBe(lock);
      const valid = await pkg(['validate', folder]);
      expect(valid.code, valid.stderr).toBe(0);
    });

    it('bundles to a second registry: images keep their paths, the package points at them by digest', async () => {
      const bundled = await pkg([
        'bundle',
        folder,
        '--to-repo',
        `${b.host}/mirror`,
        '-t',
        'with-images:relocated',
        '--store',
        store,
        '-o',
        'json',
      ]);
      expect(bundled.code, bundled.stderr).toBe(0);
      const result = JSON.parse(bundled.stdout) as { package: { reference: string; digest: string } };
      expect(result.package.reference).toBe(`${b.host}/mirror/with-images:latest`);
      // The index came whole, by digest and under its tag; the worker too.
      expect((await client.headManifest(parseReference(`${b.host}/mirror/library/web:1.25`)))?.digest).toBe(
        web,
      );
      expect(
        (await client.headManifest(parseReference(`${b.host}/mirror/example/worker@${worker}`)))?.digest,
      ).toBe(worker);
      for (const arch of ['amd64', 'arm64']) {
        const child = await client.headManifest(parseReference(`${a.host}/library/web:web-${arch}`));
        expect(
          await client.headManifest(parseReference(`${b.host}/mirror/library/web@${child!.digest}`)),
        ).toBeDefined();
      }
      const out = join(work, 'relocated');
      const pulled = await pkg([
        'pull',
        result.package.reference,
        '-d',
        out,
        '--store',
        join(work, 'store-reloc'),
      ]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const deploy = await readFile(join(out, 'deploy.yaml'), 'utf8');
      expect(deploy).toContain(`lading.run/images: ${b.host}/mirror/example/worker@${worker}\n`);
      expect(deploy).toContain(`image: ${b.host}/mirror/library/web@${web} # same as spec.images\n`);
      expect(deploy).toContain('# the worker is pulled by its operator\n');
      const lock = await readFile(join(out, 'manifest.lock.yaml'), 'utf8');
      expect(lock).toContain(
        `  - digest: ${web}\n    image: ${b.host}/mirror/library/web@${web}\n    name: web\n`,
      );
      const images = await pkg(['images', out, '-o', 'json']);
      expect((JSON.parse(images.stdout) as Array<{ reference: string }>).map((i) => i.reference)).toEqual([
        `${b.host}/mirror/example/worker@${worker}`,
        `${b.host}/mirror/library/web@${web}`,
      ]);
    });

    it('bundles to a tar that loads into the local store, or relocates into a second registry', async () => {
      const file = join(work, 'bundle.tar');
      const bundled = await pkg([
        'bundle',
        folder,
        '--to-tar',
        file,
        '-t',
        'with-images:v1',
        '--store',
        store,
      ]);
      expect(bundled.code, bundled.stderr).toBe(0);

      const fresh = join(work, 'store-loaded');
      const loaded = await pkg(['load', file, '--store', fresh, '-o', 'json']);
      expect(loaded.code, loaded.stderr).toBe(0);
      const names = (JSON.parse(loaded.stdout) as { images: Array<{ name: string; package: boolean }> })
        .images;
      expect(names).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'with-images:v1', package: true }),
          expect.objectContaining({ name: `${a.host}/library/web:1.25`, package: false }),
          expect.objectContaining({ name: `${a.host}/example/worker:v2`, package: false }),
        ]),
      );
      // The archived package is pinned by digest at the original locations.
      const pinned = await pkg(['images', 'with-images:v1', '--store', fresh, '-o', 'json']);
      expect((JSON.parse(pinned.stdout) as Array<{ reference: string }>).map((i) => i.reference)).toEqual([
        `${a.host}/example/worker@${worker}`,
        `${a.host}/library/web@${web}`,
      ]);

      const relocated = await pkg([
        'load',
        file,
        '--to-repo',
        `${b.host}/air`,
        '--store',
        fresh,
        '-o',
        'json',
      ]);
      expect(relocated.code, relocated.stderr).toBe(0);
      const result = JSON.parse(relocated.stdout) as { packages: Array<{ reference: string }> };
      expect(result.packages.map((p) => p.reference)).toEqual([`${b.host}/air/with-images:v1`]);
      expect((await client.headManifest(parseReference(`${b.host}/air/library/web:1.25`)))?.digest).toBe(web);
      const out = join(work, 'air');
      await pkg(['pull', `${b.host}/air/with-images:v1`, '-d', out, '--store', join(work, 'store-air')]);
      expect(await readFile(join(out, 'deploy.yaml'), 'utf8')).toContain(
        `image: ${b.host}/air/library/web@${web} # same as spec.images\n`,
      );
      if (!missingSkopeo) {
        // skopeo reads the bundle archive, pushes its package, and Lading pulls what skopeo pushed.
        const { stdout } = await run('skopeo', ['inspect', '--raw', `oci-archive:${file}:with-images:v1`]);
        expect(JSON.parse(stdout)).toMatchObject({ mediaType: 'application/vnd.oci.image.manifest.v1+json' });
        await run('skopeo', [
          'copy',
          '--dest-tls-verify=false',
          `oci-archive:${file}:with-images:v1`,
          `docker://${b.host}/by-skopeo/with-images:v1`,
        ]);
        const viaSkopeo = await pkg([
          'pull',
          `${b.host}/by-skopeo/with-images:v1`,
          '--store',
          join(work, 'store-skopeo'),
          '-o',
          'json',
        ]);
        expect(viaSkopeo.code, viaSkopeo.stderr).toBe(0);
        expect((JSON.parse(viaSkopeo.stdout) as { files: unknown[] }).files).toHaveLength(3);
      }
    });

    it('builds a Kubefile into a package image and bundles its images', async () => {
      const dir = join(work, 'kubefile');
      await mkdir(join(dir, 'app'), { recursive: true });
      await writeFile(
        join(dir, 'app', 'worker.yaml'),
        `apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      containers:\n      - name: migrate\n        image: ${a.host}/example/worker:v2\n`,
      );
      await writeFile(
        join(dir, 'Kubefile'),
        [
          'FROM scratch',
          'ARG TEAM=payments',
          'LABEL team=${TEAM}',
          'APP worker local://app',
          'LAUNCH ["worker"]',
          '',
        ].join('\n'),
      );
      const built = await pkg([
        'build',
        '--kubefile',
        join(dir, 'Kubefile'),
        '-t',
        'kf:v1',
        '--store',
        store,
      ]);
      expect(built.code, built.stderr).toBe(0);
      const info = await pkg(['inspect', 'kf:v1', '--store', store, '-o', 'json']);
      const parsed = JSON.parse(info.stdout) as {
        annotations: Record<string, string>;
        config: { config: { Labels: Record<string, string> } };
        files: Array<{ path: string }>;
      };
      expect(parsed.files.map((f) => f.path)).toEqual(['application/apps/worker/worker.yaml']);
      expect(parsed.config.config.Labels).toEqual({ team: 'payments' });
      expect(JSON.parse(parsed.annotations['sealer.image.container.images']!)).toEqual([
        {
          image: `${a.host}/example/worker:v2`,
          appName: 'worker',
          platform: { os: 'linux', architecture: 'amd64' },
        },
      ]);
      expect(JSON.parse(parsed.annotations['sealer.image.extension']!)).toMatchObject({
        type: 'app-installer',
        launch: { app_names: ['worker'] },
        applications: [{ name: 'worker', type: 'kube', files: ['worker.yaml'] }],
      });

      const bundled = await pkg([
        'build',
        '--kubefile',
        join(dir, 'Kubefile'),
        '--to-repo',
        `${b.host}/kf`,
        '--package',
        `${b.host}/kf/app:v1`,
        '--store',
        store,
        '-o',
        'json',
      ]);
      expect(bundled.code, bundled.stderr).toBe(0);
      expect(JSON.parse(bundled.stdout)).toMatchObject({
        package: { reference: `${b.host}/kf/app:v1` },
        images: [{ source: `${a.host}/example/worker:v2`, target: `${b.host}/kf/example/worker@${worker}` }],
      });
    });
  });

  it('copies an image between registries and reports what it moved', async () => {
    const digest = await pushIndex(client, `${a.host}/copy/src:v1`, 'copy');
    const copied = await pkg(['copy', `${a.host}/copy/src:v1`, `${b.host}/copy/dst:v1`, '-o', 'json']);
    expect(copied.code, copied.stderr).toBe(0);
    expect(JSON.parse(copied.stdout)).toMatchObject({ digest, manifests: 3, blobs: { uploaded: 4 } });
    const before = await listStore(store);
    const saved = join(work, 'saved.tar');
    expect((await pkg(['save', 'app:v1', '-f', saved, '--store', store])).code).toBe(0);
    expect(await listStore(store)).toEqual(before);
    const loaded = await pkg(['load', saved, '--store', join(work, 'store-saved'), '-o', 'json']);
    expect(JSON.parse(loaded.stdout)).toMatchObject({ images: [{ name: 'app:v1', package: true }] });
  });

  it('names what is missing when a credential-less pull is refused, and reaches registries only with a host', async () => {
    const noHost = await pkg(['pull', 'pkgs/app:v1', '--store', join(work, 'x')]);
    expect(noHost.code).toBe(1);
    expect(noHost.stderr).toMatch(/must name its registry/);
    const staticClient = new RegistryClient({ credentials: staticCredentials({}) });
    await expect(
      staticClient.fetchManifest(parseReference(`${secured.host}/private/app:v1`)),
    ).rejects.toThrow(/401|credentials/i);
  });
});
