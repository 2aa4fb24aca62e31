import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { copyImage, copyImages, type CopyProgress } from './copy.js';
import { sha256 } from './digest.js';
import { RegistryEndpoint, StoreEndpoint } from './endpoints.js';
import { mapLimit } from './limit.js';
import { encodeJson, MediaType, type Descriptor, type ImageIndex, type ImageManifest } from './manifest.js';
import { OciLayoutStore } from './store.js';
import { startFakeRegistry, type FakeRegistry } from './test-fake-registry.js';

let dir: string;
let a: FakeRegistry;
let b: FakeRegistry;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lading-copy-'));
  a = await startFakeRegistry();
  b = await startFakeRegistry();
});
afterEach(async () => {
  await a.close();
  await b.close();
  await rm(dir, { recursive: true, force: true });
});

const client = new RegistryClient({ retry: { retries: 1, baseDelayMs: 1 } });

/** Pushes a two-platform index whose images share a base layer; returns the index descriptor. */
async function pushIndex(host: string, repository: string, tag: string): Promise<Descriptor> {
  const repo = { registry: host, repository };
  const base = Buffer.alloc(200_000, 1);
  const children: Descriptor[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const config = Buffer.from(
      JSON.stringify({ architecture: arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }),
    );
    const own = Buffer.alloc(100_000, arch === 'amd64' ? 2 : 3);
    for (const blob of [config, base, own])
      await client.pushBlob(repo, { digest: sha256(blob), size: blob.length }, blob);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
      layers: [base, own].map((l) => ({
        mediaType: MediaType.ociLayerGzip,
        digest: sha256(l),
        size: l.length,
      })),
    };
    const d = await client.pushManifest(
      { ...repo, digest: sha256(encodeJson(manifest)) },
      encodeJson(manifest),
      MediaType.ociManifest,
    );
    children.push({ ...d, platform: { architecture: arch, os: 'linux' } });
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: children };
  return client.pushManifest({ ...repo, tag }, encodeJson(index), MediaType.ociIndex);
}

describe('copy', () => {
  it('copies a multi-arch index between registries, children before the index, with progress', async () => {
    const root = await pushIndex(a.host, 'src/app', 'v1');
    const seen: CopyProgress[] = [];
    const result = await copyImage(
      {
        source: new RegistryEndpoint(client, { registry: a.host, repository: 'src/app' }),
        sourceRef: 'v1',
        target: new RegistryEndpoint(client, { registry: b.host, repository: 'dst/app' }),
        targetRef: 'v1',
      },
      { concurrency: 2, onProgress: (p) => seen.push(p) },
    );
    expect(result).toMatchObject({
      descriptor: { digest: root.digest },
      manifests: 3,
      blobs: { uploaded: 5, mounted: 0, existing: 0 },
    });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', blobsDone: 5, blobsTotal: 5 });
    expect(last.bytesDone).toBe(last.bytesTotal);
    for (let i = 1; i < seen.length; i += 1)
      expect(seen[i]!.bytesDone).toBeGreaterThanOrEqual(seen[i - 1]!.bytesDone);
    const putOrder = b.log.filter((l) => l.startsWith('PUT') && l.includes('/manifests/'));
    expect(putOrder.at(-1)).toBe('PUT /v2/dst/app/manifests/v1');
    const copied = await client.fetchManifest({ registry: b.host, repository: 'dst/app', tag: 'v1' });
    expect(copied.descriptor.digest).toBe(root.digest);
  });

  it('mounts within one registry and skips what the target has', async () => {
    await pushIndex(a.host, 'src/app', 'v1');
    const src = new RegistryEndpoint(client, { registry: a.host, repository: 'src/app' });
    const dst = new RegistryEndpoint(client, { registry: a.host, repository: 'other/app' });
    const first = await copyImage({ source: src, sourceRef: 'v1', target: dst, targetRef: 'v1' });
    expect(first.blobs).toEqual({ uploaded: 0, mounted: 5, existing: 0 });
    expect(a.log.some((l) => l.startsWith('PUT /v2/other/app/blobs'))).toBe(false);
    a.log.length = 0;
    const again = await copyImage({ source: src, sourceRef: 'v1', target: dst, targetRef: 'v2' });
    expect(again.blobs).toEqual({ uploaded: 0, mounted: 0, existing: 0 });
    expect(a.log.filter((l) => l.startsWith('PUT'))).toEqual(['PUT /v2/other/app/manifests/v2']);
  });

  it('registry → store → registry keeps the digest', async () => {
    const root = await pushIndex(a.host, 'src/app', 'v1');
    const store = await OciLayoutStore.open(join(dir, 'store'));
    const local = new StoreEndpoint(store);
    await copyImage({
      source: new RegistryEndpoint(client, { registry: a.host, repository: 'src/app' }),
      sourceRef: 'v1',
      target: local,
      targetRef: `${a.host}/src/app:v1`,
    });
    expect(await store.verify()).toEqual([]);
    expect((await store.resolve(`${a.host}/src/app:v1`))?.digest).toBe(root.digest);
    const result = await copyImage({
      source: local,
      sourceRef: `${a.host}/src/app:v1`,
      target: new RegistryEndpoint(client, { registry: b.host, repository: 'restored' }),
      targetRef: 'v1',
    });
    expect(result.descriptor.digest).toBe(root.digest);
    expect((await client.headManifest({ registry: b.host, repository: 'restored', tag: 'v1' }))?.digest).toBe(
      root.digest,
    );
  });

  it('copies many images sharing blobs without moving a blob twice', async () => {
    for (const tag of ['t1', 't2', 't3']) await pushIndex(a.host, 'src/app', tag);
    const src = new RegistryEndpoint(client, { registry: a.host, repository: 'src/app' });
    const dst = new RegistryEndpoint(client, { registry: b.host, repository: 'dst/app' });
    await copyImages(
      ['t1', 't2', 't3'].map((t) => ({ source: src, sourceRef: t, target: dst, targetRef: t })),
      { concurrency: 3 },
    );
    const blobPuts = b.log.filter((l) => l.startsWith('PUT /v2/dst/app/blobs/uploads'));
    expect(blobPuts).toHaveLength(5);
  });

  it('a failing source leaves no manifest at the target', async () => {
    await pushIndex(a.host, 'src/app', 'v1');
    for (const key of [...a.blobs.keys()]) a.blobs.set(key, Buffer.from('corrupted'));
    const err = await copyImage({
      source: new RegistryEndpoint(client, { registry: a.host, repository: 'src/app' }),
      sourceRef: 'v1',
      target: new RegistryEndpoint(client, { registry: b.host, repository: 'dst' }),
      targetRef: 'v1',
    }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      /blob sha256:[0-9a-f]+ from 127\.0\.0\.1:\d+\/src\/app (has 9 bytes but its descriptor says|does not match)/,
    );
    expect([...b.manifests.keys()]).toEqual([]);
  });
});

describe('mapLimit', () => {
  it('never runs more than the limit and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 3, 2, 4], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n));
      running -= 1;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 30, 20, 40]);
    expect(peak).toBe(2);
  });
});
