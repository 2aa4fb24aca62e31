import { mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from './digest.js';
import { encodeJson, MediaType, type Descriptor, type ImageIndex, type ImageManifest } from './manifest.js';
import { loadArchive, saveArchive } from './store-archive.js';
import { OciLayoutStore, StoreError } from './store.js';
import { packTar, TarError } from './tar.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lading-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every file of a store but its temp area, with its content hash: what "unchanged" means. */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.name === '.tmp') continue;
      if (e.isDirectory()) await walk(p);
      else out[relative(root, p)] = sha256(await readFile(p));
    }
  }
  await walk(root);
  return out;
}

async function* chunks(data: Buffer, size = 1000): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await Promise.resolve();
    yield data.subarray(i, i + size);
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Stores an image with one config and one layer; returns its manifest descriptor. */
async function addImage(store: OciLayoutStore, seed: string): Promise<Descriptor> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed }),
  );
  const layer = Buffer.from(`layer ${seed}`.repeat(100));
  await store.writeBlob(config);
  await store.writeBlob(chunks(layer, 33), { digest: sha256(layer), size: layer.length });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length }],
  };
  return store.writeManifest(encodeJson(manifest));
}

describe('OciLayoutStore', () => {
  it('creates a layout skopeo and others recognise', async () => {
    await OciLayoutStore.open(dir);
    expect(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0',
    });
    expect(JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'))).toEqual({
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [],
    });
    await expect(OciLayoutStore.open(join(dir, 'nope'), { create: false })).rejects.toThrow(
      /not an OCI image layout/,
    );
  });

  it('names, resolves, reads and unnames manifests', async () => {
    const store = await OciLayoutStore.open(dir);
    const a = await addImage(store, 'a');
    await store.tag('example.com/app:v1', a);
    await store.tag('example.com/app:latest', a);
    expect((await store.listRefs()).map((r) => r.name)).toEqual([
      'example.com/app:v1',
      'example.com/app:latest',
    ]);
    expect((await store.resolve('example.com/app:v1'))?.digest).toBe(a.digest);
    const byName = await store.fetchManifest('example.com/app:v1');
    expect(byName.parsed.kind).toBe('manifest');
    expect((await store.fetchManifest(a.digest)).bytes.equals(byName.bytes)).toBe(true);
    const b = await addImage(store, 'b');
    await store.tag('example.com/app:v1', b);
    expect((await store.resolve('example.com/app:v1'))?.digest).toBe(b.digest);
    expect(await store.untag('example.com/app:latest')).toBe(true);
    expect(await store.untag('example.com/app:latest')).toBe(false);
    await expect(
      store.tag('x', { mediaType: MediaType.ociManifest, digest: sha256('missing'), size: 1 }),
    ).rejects.toThrow(/is not in the store/);
  });

  it('refuses a blob that does not match and leaves the store unchanged', async () => {
    const store = await OciLayoutStore.open(dir);
    await addImage(store, 'a');
    const before = await snapshot(dir);
    const err = await store
      .writeBlob(chunks(Buffer.from('actual')), { digest: sha256('expected'), size: 6 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StoreError);
    expect((err as Error).message).toMatch(/does not match its digest/);
    expect(await snapshot(dir)).toEqual(before);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
  });

  it('collects garbage: unreferenced blobs go, reachable ones stay', async () => {
    const store = await OciLayoutStore.open(dir);
    const keep = await addImage(store, 'keep');
    await store.tag('keep', keep);
    const drop = await addImage(store, 'drop');
    await store.tag('drop', drop);
    await store.untag('drop');
    const dropped = [drop.digest, ...(await collectChildren(store, drop))].sort();
    const young = await store.gc();
    expect(young.removed).toEqual([]); // within the grace period
    const result = await store.gc({ graceMs: 0 });
    expect(result.removed.sort()).toEqual(dropped);
    expect(result.kept).toBe(3);
    expect(await store.verify()).toEqual([]);
    expect((await store.fetchManifest('keep')).descriptor.digest).toBe(keep.digest);
  });

  it('verify finds corrupt and missing blobs', async () => {
    const store = await OciLayoutStore.open(dir);
    const a = await addImage(store, 'a');
    await store.tag('a', a);
    const manifest = JSON.parse((await store.readBlob(a.digest)).toString()) as ImageManifest;
    await writeFile(store.blobPath(manifest.layers[0]!.digest), 'tampered');
    await rm(store.blobPath(manifest.config.digest));
    const problems = await store.verify();
    expect(problems.map((p) => p.message).join('\n')).toMatch(
      /does not match its digest|bytes but its descriptor/,
    );
    expect(
      problems.some((p) => p.message === `blob ${manifest.config.digest} is referenced but missing`),
    ).toBe(true);
  });
});

async function collectChildren(store: OciLayoutStore, d: Descriptor): Promise<string[]> {
  const m = JSON.parse((await store.readBlob(d.digest)).toString()) as ImageManifest;
  return [m.config.digest, ...m.layers.map((l) => l.digest)];
}

describe('oci-archive save and load', () => {
  async function source(): Promise<{ store: OciLayoutStore; a: Descriptor; b: Descriptor }> {
    const store = await OciLayoutStore.open(join(dir, 'src'));
    const a = await addImage(store, 'a');
    const b = await addImage(store, 'b');
    const index: ImageIndex = {
      schemaVersion: 2,
      mediaType: MediaType.ociIndex,
      manifests: [
        { ...a, platform: { architecture: 'amd64', os: 'linux' } },
        { ...b, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };
    const multi = await store.writeManifest(encodeJson(index));
    await store.tag('app:multi', multi);
    await store.tag('app:a', a);
    return { store, a, b };
  }

  it('round-trips into another store, deterministically', async () => {
    const { store } = await source();
    const first = await collect(saveArchive(store));
    const second = await collect(saveArchive(store));
    expect(first.equals(second)).toBe(true);
    const target = await OciLayoutStore.open(join(dir, 'dst'));
    const result = await loadArchive(target, chunks(first, 4096));
    expect(result.refs.map((r) => r.name)).toEqual(['app:multi', 'app:a']);
    expect(result.blobsAdded).toBe(7); // index + 2 × (manifest, config, layer)
    expect(await target.verify()).toEqual([]);
    expect(await target.listRefs()).toEqual(await store.listRefs());
    // Loading again adds nothing.
    expect((await loadArchive(target, chunks(first))).blobsAdded).toBe(0);
  });

  it('saves only the chosen references', async () => {
    const { store, a } = await source();
    const target = await OciLayoutStore.open(join(dir, 'dst'));
    const result = await loadArchive(target, saveArchive(store, { refs: ['app:a'] }));
    expect(result.refs).toEqual([
      { name: 'app:a', descriptor: expect.objectContaining({ digest: a.digest }) as unknown },
    ]);
    expect(await target.listBlobs()).toHaveLength(3);
    await expect(collect(saveArchive(store, { refs: ['nope'] }))).rejects.toThrow(/"nope" not in the store/);
  });

  const bad: Array<{
    name: string;
    archive: (good: Buffer) => Promise<Buffer> | Buffer;
    error: RegExp;
    type: unknown;
  }> = [
    {
      name: 'truncated archive',
      archive: (good) => good.subarray(0, Math.floor(good.length * 0.6)),
      error: /tar archive is truncated/,
      type: TarError,
    },
    {
      name: 'blob whose content does not match its name',
      archive: async () => {
        const layer = Buffer.from('real content');
        return packTar([
          { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
          { name: 'index.json', body: encodeJson({ schemaVersion: 2, manifests: [] }) },
          { name: `blobs/sha256/${sha256('other content').slice(7)}`, body: layer },
        ]);
      },
      error: /does not match its name/,
      type: StoreError,
    },
    {
      name: 'index reaching a blob the archive lacks',
      archive: () =>
        packTar([
          { name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' },
          {
            name: 'index.json',
            body: encodeJson({
              schemaVersion: 2,
              manifests: [
                {
                  mediaType: MediaType.ociManifest,
                  digest: sha256('gone'),
                  size: 4,
                  annotations: { 'org.opencontainers.image.ref.name': 'x' },
                },
              ],
            }),
          },
        ]),
      error:
        /archive is incomplete: blob sha256:[a-f0-9]+ \(application\/vnd.oci.image.manifest.v1\+json\) is referenced/,
      type: StoreError,
    },
    {
      name: 'archive without index.json',
      archive: () => packTar([{ name: 'oci-layout', body: '{"imageLayoutVersion":"1.0.0"}' }]),
      error: /has no index.json/,
      type: StoreError,
    },
    {
      name: 'entry escaping the layout',
      archive: async () => {
        const good = await packTar([{ name: 'blobs/x', body: 'x' }]);
        good.write('../../../etc/passwd\0', 0, 'ascii');
        let sum = 0;
        good.write('        ', 148, 8, 'ascii');
        for (let i = 0; i < 512; i += 1) sum += good[i]!;
        good.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
        return good;
      },
      error: /must not contain a "\.\." segment/,
      type: TarError,
    },
  ];
  it.each(bad)('refuses a $name and leaves the store unchanged', async ({ archive, error, type }) => {
    const { store } = await source();
    const good = await collect(saveArchive(store));
    const target = await OciLayoutStore.open(join(dir, 'dst'));
    const existing = await addImage(target, 'existing');
    await target.tag('existing', existing);
    const before = await snapshot(join(dir, 'dst'));
    const err = await loadArchive(target, chunks(await archive(good))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(type);
    expect((err as Error).message).toMatch(error);
    expect(await snapshot(join(dir, 'dst'))).toEqual(before);
    expect(await readdir(join(dir, 'dst', '.tmp'))).toEqual([]);
  });

  it('old temp files are cleaned by gc', async () => {
    const store = await OciLayoutStore.open(dir);
    await writeFile(join(dir, '.tmp', 'stale'), 'x');
    await utimes(join(dir, '.tmp', 'stale'), 1, 1);
    await store.gc();
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
  });
});
