/**
 * The OCI client, store and copy against the real CNCF distribution registry (Debian
 * `docker-registry`), once without and once with htpasswd auth, and against `skopeo`: skopeo
 * reads what Lading pushed and stored, and Lading pulls what skopeo pushed.
 */
import { execFile } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DETERMINISTIC_TAR,
  MediaType,
  OciLayoutStore,
  RegistryAuthError,
  RegistryClient,
  RegistryEndpoint,
  StoreEndpoint,
  copyImage,
  digestStream,
  encodeJson,
  gunzipIfNeeded,
  gzip,
  loadArchive,
  loadDockerConfig,
  packTar,
  readTar,
  saveArchive,
  sha256,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../../src/oci/index.js';
import { registryUnavailable, startTestRegistry, type TestRegistry } from '../support/oci-registry.js';

const run = promisify(execFile);
const AUTH = { username: 'lading', password: 's3cret-pass' };

const missingRegistry = await registryUnavailable({ auth: AUTH });
const missingSkopeo = await run('skopeo', ['--version']).then(
  () => undefined,
  () => 'skopeo is not installed (apt-get install skopeo)',
);
if (missingRegistry) console.warn(`skipping OCI registry end-to-end tests: ${missingRegistry}`);
if (missingSkopeo) console.warn(`skipping the skopeo interoperability checks: ${missingSkopeo}`);

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

interface BuiltImage {
  config: Buffer;
  layer: Buffer;
  manifest: Buffer;
  files: Record<string, string>;
}

/** A one-layer image in Package Operator's shape: files under `package/`, gzip layer. */
async function buildImage(seed: string, arch = 'amd64'): Promise<BuiltImage> {
  const files = {
    'package/manifest.yaml': `kind: PackageManifest\nmetadata:\n  name: ${seed}\n`,
    'package/deploy.yaml': `# ${seed} ${arch}\n`,
  };
  const tar = await packTar(
    Object.entries(files).map(([name, body]) => ({ name, body })),
    DETERMINISTIC_TAR,
  );
  const layer = await collect(gzip(Readable.from([tar])));
  const configDoc: ImageConfig = {
    architecture: arch,
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
  };
  const config = encodeJson(configDoc);
  const manifestDoc: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length }],
  };
  return { config, layer, manifest: encodeJson(manifestDoc), files };
}

async function push(
  client: RegistryClient,
  host: string,
  repository: string,
  tag: string | undefined,
  image: BuiltImage,
): Promise<Descriptor> {
  const repo = { registry: host, repository };
  for (const blob of [image.config, image.layer])
    await client.pushBlob(repo, { digest: sha256(blob), size: blob.length }, blob);
  return client.pushManifest(
    tag ? { ...repo, tag } : { ...repo, digest: sha256(image.manifest) },
    image.manifest,
    MediaType.ociManifest,
  );
}

/** The files of a stored image's layers, read back through the tar reader. */
async function filesOf(store: OciLayoutStore, name: string): Promise<Record<string, string>> {
  const { parsed } = await store.fetchManifest(name);
  if (parsed.kind !== 'manifest') throw new Error('expected an image manifest');
  const files: Record<string, string> = {};
  for (const layer of parsed.manifest.layers) {
    for await (const entry of readTar(gunzipIfNeeded(store.openBlob(layer)))) {
      if (entry.header.type === 'file') files[entry.header.name] = (await entry.buffer()).toString();
    }
  }
  return files;
}

describe.skipIf(missingRegistry !== undefined).each([
  { mode: 'without auth', auth: undefined },
  { mode: 'with htpasswd auth', auth: AUTH },
])('OCI against the distribution registry $mode', ({ auth }) => {
  let a: TestRegistry;
  let b: TestRegistry;
  let dir: string;
  let client: RegistryClient;
  let image: BuiltImage;
  let pushed: Descriptor;
  const skopeoCreds = auth ? ['--creds', `${auth.username}:${auth.password}`] : [];

  beforeAll(async () => {
    const started = await Promise.all([
      startTestRegistry(auth ? { auth } : {}),
      startTestRegistry(auth ? { auth } : {}),
    ]);
    for (const s of started) if ('skip' in s) throw new Error(s.skip);
    [a, b] = started as [TestRegistry, TestRegistry];
    dir = await mkdtemp(join(tmpdir(), 'lading-oci-e2e-'));
    // Credentials come the way users give them: a docker config.json.
    const auths = auth
      ? Object.fromEntries(
          [a, b].map((r) => [
            r.host,
            { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') },
          ]),
        )
      : {};
    await writeFile(join(dir, 'config.json'), JSON.stringify({ auths }));
    client = new RegistryClient({ credentials: await loadDockerConfig({ path: join(dir, 'config.json') }) });
    image = await buildImage('app');
    pushed = await push(client, a.host, 'team/app', 'v1', image);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('anonymous access: allowed without auth, refused with a clear error with auth', async () => {
    const anonymous = new RegistryClient();
    const attempt = anonymous.fetchManifest({ registry: a.host, repository: 'team/app', tag: 'v1' });
    if (!auth) {
      expect((await attempt).descriptor.digest).toBe(pushed.digest);
      return;
    }
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryAuthError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `registry "${a.host}", repository "team/app": GET manifest "v1": the registry requires a login`,
      ),
    );
  });

  it('pushes and pulls an image; reading it back yields the files that went in', async () => {
    const got = await client.fetchManifest({ registry: a.host, repository: 'team/app', tag: 'v1' });
    expect(got.descriptor.digest).toBe(pushed.digest);
    expect(got.bytes.equals(image.manifest)).toBe(true);
    const store = await OciLayoutStore.open(join(dir, 'pull'));
    await copyImage({
      source: new RegistryEndpoint(client, { registry: a.host, repository: 'team/app' }),
      sourceRef: 'v1',
      target: new StoreEndpoint(store),
      targetRef: `${a.host}/team/app:v1`,
    });
    expect(await store.verify()).toEqual([]);
    expect(await filesOf(store, `${a.host}/team/app:v1`)).toEqual(image.files);
  });

  it('uploads in chunks and lists tags page by page', async () => {
    const chunked = new RegistryClient({
      credentials: await loadDockerConfig({ path: join(dir, 'config.json') }),
      chunkSize: 64 * 1024,
    });
    const big = Buffer.alloc(300 * 1024 + 7, 5);
    const repo = { registry: a.host, repository: 'team/chunked' };
    expect(
      await chunked.pushBlob(repo, { digest: sha256(big), size: big.length }, () => Readable.from([big]), {
        chunked: true,
      }),
    ).toBe('uploaded');
    expect(await chunked.blobExists(repo, sha256(big))).toBe(big.length);
    for (const tag of ['a', 'b', 'c', 'd', 'e']) await push(client, a.host, 'team/tags', tag, image);
    // Distribution 2.8 does not sort across pages; every tag comes exactly once.
    const tags = await client.listTags({ registry: a.host, repository: 'team/tags' }, { pageSize: 2 });
    expect(tags.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('copies between repositories of one registry by mounting, and to another registry', async () => {
    const src = new RegistryEndpoint(client, { registry: a.host, repository: 'team/app' });
    const mounted = await copyImage({
      source: src,
      sourceRef: 'v1',
      target: new RegistryEndpoint(client, { registry: a.host, repository: 'mirror/app' }),
      targetRef: 'v1',
    });
    expect(mounted.blobs).toEqual({ uploaded: 0, mounted: 2, existing: 0 });
    const across = await copyImage({
      source: src,
      sourceRef: 'v1',
      target: new RegistryEndpoint(client, { registry: b.host, repository: 'team/app' }),
      targetRef: 'v1',
    });
    expect(across.blobs.uploaded).toBe(2);
    expect((await client.headManifest({ registry: b.host, repository: 'team/app', tag: 'v1' }))?.digest).toBe(
      pushed.digest,
    );
  });

  it('copies a multi-arch index', async () => {
    const arm = await buildImage('app', 'arm64');
    const armDesc = await push(client, a.host, 'team/multi', undefined, arm);
    const amdDesc = await push(client, a.host, 'team/multi', undefined, image);
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { ...amdDesc, platform: { architecture: 'amd64', os: 'linux' } },
        { ...armDesc, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };
    const root = await client.pushManifest(
      { registry: a.host, repository: 'team/multi', tag: 'v1' },
      encodeJson(index),
      MediaType.ociIndex,
    );
    const result = await copyImage({
      source: new RegistryEndpoint(client, { registry: a.host, repository: 'team/multi' }),
      sourceRef: 'v1',
      target: new RegistryEndpoint(client, { registry: b.host, repository: 'team/multi' }),
      targetRef: 'v1',
    });
    expect(result).toMatchObject({ descriptor: { digest: root.digest }, manifests: 3 });
    const copied = await client.fetchManifest({ registry: b.host, repository: 'team/multi', tag: 'v1' });
    expect(copied.parsed.kind).toBe('index');
  });

  it('saves to a tar and loads it into a second registry', async () => {
    const store = await OciLayoutStore.open(join(dir, 'save'));
    await copyImage({
      source: new RegistryEndpoint(client, { registry: a.host, repository: 'team/app' }),
      sourceRef: 'v1',
      target: new StoreEndpoint(store),
      targetRef: 'app:v1',
    });
    const archive = join(dir, 'app.tar');
    await pipeline(Readable.from(saveArchive(store)), createWriteStream(archive));
    const loaded = await OciLayoutStore.open(join(dir, 'loaded'));
    const result = await loadArchive(loaded, createReadStream(archive));
    expect(result.refs.map((r) => r.name)).toEqual(['app:v1']);
    await copyImage({
      source: new StoreEndpoint(loaded),
      sourceRef: 'app:v1',
      target: new RegistryEndpoint(client, { registry: b.host, repository: 'loaded/app' }),
      targetRef: 'v1',
    });
    expect(
      (await client.headManifest({ registry: b.host, repository: 'loaded/app', tag: 'v1' }))?.digest,
    ).toBe(pushed.digest);
  });

  describe.skipIf(missingSkopeo !== undefined)('with skopeo', () => {
    const skopeo = async (...args: string[]): Promise<string> =>
      (await run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;

    it('skopeo inspect reads what Lading pushed', async () => {
      const info = JSON.parse(
        await skopeo('inspect', '--tls-verify=false', ...skopeoCreds, `docker://${a.host}/team/app:v1`),
      ) as { Digest: string; Architecture: string; Layers: string[] };
      expect(info.Digest).toBe(pushed.digest);
      expect(info.Architecture).toBe('amd64');
      expect(info.Layers).toEqual([sha256(image.layer)]);
      const raw = await skopeo(
        'inspect',
        '--raw',
        '--tls-verify=false',
        ...skopeoCreds,
        `docker://${a.host}/team/app:v1`,
      );
      expect(raw).toBe(image.manifest.toString());
    });

    it('skopeo copy copies what Lading pushed, and Lading pulls what skopeo pushed', async () => {
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        ...(auth
          ? [
              '--src-creds',
              `${auth.username}:${auth.password}`,
              '--dest-creds',
              `${auth.username}:${auth.password}`,
            ]
          : []),
        `docker://${a.host}/team/app:v1`,
        `docker://${b.host}/skopeo/app:v1`,
      );
      const got = await client.fetchManifest({ registry: b.host, repository: 'skopeo/app', tag: 'v1' });
      expect(got.descriptor.digest).toBe(pushed.digest);
      // Converted by skopeo to Docker schema 2: a manifest Lading did not write.
      await skopeo(
        'copy',
        '--format',
        'v2s2',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        ...(auth
          ? [
              '--src-creds',
              `${auth.username}:${auth.password}`,
              '--dest-creds',
              `${auth.username}:${auth.password}`,
            ]
          : []),
        `docker://${a.host}/team/app:v1`,
        `docker://${b.host}/skopeo/docker:v1`,
      );
      const docker = await client.fetchManifest({ registry: b.host, repository: 'skopeo/docker', tag: 'v1' });
      expect(docker.descriptor.mediaType).toBe(MediaType.dockerManifest);
      const store = await OciLayoutStore.open(join(dir, 'from-skopeo'));
      await copyImage({
        source: new RegistryEndpoint(client, { registry: b.host, repository: 'skopeo/docker' }),
        sourceRef: 'v1',
        target: new StoreEndpoint(store),
        targetRef: 'docker:v1',
      });
      expect(await filesOf(store, 'docker:v1')).toEqual(image.files);
    });

    it("skopeo reads Lading's store and archive; Lading loads skopeo's oci-archive", async () => {
      const store = await OciLayoutStore.open(join(dir, 'skopeo-store'));
      await copyImage({
        source: new RegistryEndpoint(client, { registry: a.host, repository: 'team/app' }),
        sourceRef: 'v1',
        target: new StoreEndpoint(store),
        targetRef: 'app',
      });
      const fromLayout = JSON.parse(await skopeo('inspect', `oci:${join(dir, 'skopeo-store')}:app`)) as {
        Digest: string;
      };
      expect(fromLayout.Digest).toBe(pushed.digest);
      const archive = join(dir, 'lading.tar');
      await pipeline(Readable.from(saveArchive(store)), createWriteStream(archive));
      const fromArchive = JSON.parse(await skopeo('inspect', `oci-archive:${archive}:app`)) as {
        Digest: string;
      };
      expect(fromArchive.Digest).toBe(pushed.digest);
      const theirs = join(dir, 'skopeo.tar');
      await skopeo(
        'copy',
        '--src-tls-verify=false',
        ...(auth ? ['--src-creds', `${auth.username}:${auth.password}`] : []),
        `docker://${a.host}/team/app:v1`,
        `oci-archive:${theirs}:their/app`,
      );
      const loaded = await OciLayoutStore.open(join(dir, 'from-skopeo-archive'));
      const result = await loadArchive(loaded, createReadStream(theirs));
      expect(result.refs[0]?.name).toBe('their/app');
      expect(await filesOf(loaded, 'their/app')).toEqual(image.files);
      expect((await digestStream(createReadStream(archive))).size).toBe((await readFile(archive)).length);
    });
  });
});
