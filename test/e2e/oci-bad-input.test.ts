/**
 * Bad input from a registry or an archive: Lading says what is wrong, where, and the local store
 * is exactly as before (every file listed and hashed before and after). The misbehaving registry
 * is a tiny node:http server serving one image, with a switch for each fault.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DigestError,
  MediaType,
  OciLayoutStore,
  RegistryClient,
  RegistryEndpoint,
  RegistryProtocolError,
  RegistryUnavailableError,
  StoreEndpoint,
  TarError,
  copyImage,
  encodeJson,
  loadArchive,
  saveArchive,
  sha256,
  type ImageManifest,
} from '../../src/oci/index.js';

type Fault = 'none' | 'bad-manifest' | 'bad-blob' | 'flaky' | 'down' | 'huge';

const config = encodeJson({
  architecture: 'amd64',
  os: 'linux',
  author: 'fake',
  rootfs: { type: 'layers', diff_ids: [] },
});
const layer = Buffer.alloc(256 * 1024, 7);
const manifest = encodeJson({
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
  layers: [{ mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length }],
} satisfies ImageManifest);
const blobs = new Map<string, Buffer>([
  [sha256(config), config],
  [sha256(layer), layer],
]);

let fault: Fault = 'none';
let failuresLeft = 0;
let manifestRequests = 0;
let server: Server;
let host: string;
let dir: string;
let store: OciLayoutStore;

function flip(data: Buffer): Buffer {
  const copy = Buffer.from(data);
  copy[copy.length - 3] = (copy[copy.length - 3] ?? 0) ^ 0x01;
  return copy;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '';
    if (url === '/v2/') return void res.writeHead(200).end('{}');
    const m = /^\/v2\/bad\/(manifests|blobs)\/(.+)$/.exec(url);
    if (!m) return void res.writeHead(404).end();
    if (m[1] === 'manifests') {
      manifestRequests += 1;
      if (fault === 'down' || (fault === 'flaky' && failuresLeft-- > 0)) {
        return void res
          .writeHead(500, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"UNKNOWN","message":"storage backend unavailable"}]}');
      }
      if (fault === 'huge') {
        const big = Buffer.alloc(6 * 1024 * 1024, 0x20);
        return void res
          .writeHead(200, { 'content-type': MediaType.ociManifest, 'content-length': big.length })
          .end(big);
      }
      const body = fault === 'bad-manifest' ? flip(manifest) : manifest;
      return void res
        .writeHead(200, { 'content-type': MediaType.ociManifest, 'content-length': body.length })
        .end(req.method === 'HEAD' ? undefined : body);
    }
    const blob = blobs.get(m[2]!);
    if (!blob) return void res.writeHead(404).end('{"errors":[{"code":"BLOB_UNKNOWN"}]}');
    const body = fault === 'bad-blob' && blob === layer ? flip(blob) : blob;
    res.writeHead(200, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'lading-oci-bad-'));
  store = await OciLayoutStore.open(join(dir, 'store'));
  // Something already in the store, so "unchanged" means more than "empty".
  const existing = await store.writeBlob(
    Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'),
  );
  const own = encodeJson({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, ...existing },
    layers: [],
  });
  await store.tag('existing:v1', await store.writeManifest(own));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Every file of the store (temp area excluded) with its hash. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string): Promise<void> {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.name === '.tmp') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(store.dir, p)] = sha256(await readFile(p));
    }
  }
  await walk(store.dir);
  return out;
}

const client = new RegistryClient({ retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 } });
const pull = (ref: string): Promise<unknown> =>
  copyImage({
    source: new RegistryEndpoint(client, { registry: host, repository: 'bad' }),
    sourceRef: ref,
    target: new StoreEndpoint(store),
    targetRef: `bad:${ref}`,
  });

describe('bad input leaves the store unchanged', () => {
  const cases: Array<{
    name: string;
    fault: Fault;
    ref: () => string;
    type: unknown;
    message: () => RegExp;
  }> = [
    {
      name: 'a manifest whose digest does not match',
      fault: 'bad-manifest',
      ref: () => sha256(manifest),
      type: DigestError,
      message: () =>
        new RegExp(
          `manifest ${host}/bad@${sha256(manifest)} does not match its digest: expected ${sha256(manifest)}, got sha256:`,
        ),
    },
    {
      name: 'a blob whose digest does not match',
      fault: 'bad-blob',
      ref: () => 'v1',
      type: DigestError,
      message: () => new RegExp(`blob ${sha256(layer)} from ${host}/bad does not match its digest`),
    },
    {
      name: 'a registry answering 500 forever',
      fault: 'down',
      ref: () => 'v1',
      type: RegistryUnavailableError,
      message: () =>
        new RegExp(
          `^registry "${host}", repository "bad": GET manifest "v1": the registry answered 500 Internal Server Error \\(storage backend unavailable\\) 4 time\\(s\\); it is failing or overloaded, try again later$`,
        ),
    },
    {
      name: 'an oversized manifest',
      fault: 'huge',
      ref: () => 'v1',
      type: RegistryProtocolError,
      message: () =>
        new RegExp(
          `registry "${host}", repository "bad": manifest "v1" is larger than the limit of 4194304 bytes; refusing it`,
        ),
    },
  ];
  it.each(cases)('$name', async (c) => {
    const before = await snapshot();
    fault = c.fault;
    const err = await pull(c.ref()).catch((e: unknown) => e);
    fault = 'none';
    expect(err).toBeInstanceOf(c.type);
    expect((err as Error).message).toMatch(c.message());
    expect(await snapshot()).toEqual(before);
    expect(await readdir(join(store.dir, '.tmp'))).toEqual([]);
  });

  it('a truncated archive', async () => {
    const chunks: Buffer[] = [];
    for await (const c of saveArchive(store)) chunks.push(c);
    const archive = Buffer.concat(chunks);
    const target = await OciLayoutStore.open(join(dir, 'target'));
    await target.tag(
      'keep',
      await target.writeManifest(
        encodeJson({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
      ),
    );
    const list = async (): Promise<string[]> => [
      ...(await target.listBlobs()),
      ...(await target.listRefs()).map((r) => r.name),
    ];
    const before = await list();
    const err = await loadArchive(target, Readable.from([archive.subarray(0, archive.length - 1500)])).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TarError);
    expect((err as Error).message).toMatch(/^tar archive is truncated/);
    expect(await list()).toEqual(before);
  });
});

describe('retries', () => {
  it('a registry answering 500 then 200 is retried and the pull succeeds', async () => {
    fault = 'flaky';
    failuresLeft = 2;
    manifestRequests = 0;
    await pull('v1');
    fault = 'none';
    expect(manifestRequests).toBe(3);
    expect((await store.resolve('bad:v1'))?.digest).toBe(sha256(manifest));
    expect(await store.verify()).toEqual([]);
  });
});
