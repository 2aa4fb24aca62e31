/**
 * Helpers of the `lading pkg` end-to-end tests: synthetic container images (single and
 * multi-arch) pushed straight through the OCI client, raw tar layers a well-behaved writer would
 * refuse to produce, and a listing of a local store to compare before and after.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RegistryClient } from '../../src/oci/index.js';
import {
  MediaType,
  encodeJson,
  parseReference,
  sha256,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
} from '../../src/oci/index.js';

export interface RawEntry {
  name: string;
  /** `0` file, `2` symlink, `3` char device, `5` directory. */
  type?: '0' | '2' | '3' | '5';
  body?: string;
  linkname?: string;
}

function field(text: string, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.write(text, 'utf8');
  return b;
}

function octal(n: number, length: number): Buffer {
  return field(`${n.toString(8).padStart(length - 1, '0')}\0`, length);
}

/** A ustar archive written byte by byte, with whatever names and types the test needs. */
export function rawTar(entries: readonly RawEntry[], options: { truncateTo?: number } = {}): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = Buffer.concat([
      field(e.name, 100),
      octal(0o644, 8),
      octal(0, 8),
      octal(0, 8),
      octal(e.type === '0' || e.type === undefined ? body.length : 0, 12),
      octal(0, 12),
      Buffer.from('        '),
      field(e.type ?? '0', 1),
      field(e.linkname ?? '', 100),
      Buffer.from('ustar\u000000'),
      field('', 32),
      field('', 32),
      octal(1, 8),
      octal(3, 8),
      field('', 155),
      Buffer.alloc(12),
    ]);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(header);
    if ((e.type ?? '0') === '0' && body.length > 0) {
      blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  const tar = Buffer.concat(blocks);
  return options.truncateTo !== undefined ? tar.subarray(0, options.truncateTo) : tar;
}

export interface PushedImage {
  digest: string;
  manifest: Buffer;
}

/** Pushes a one-layer image (layer bytes as given, gzip or plain tar) to `reference`. */
export async function pushLayerImage(
  client: RegistryClient,
  reference: string,
  layer: Buffer,
  options: { gzip?: boolean; arch?: string; annotations?: Record<string, string> } = {},
): Promise<PushedImage> {
  const ref = parseReference(reference);
  const repo = { registry: ref.registry, repository: ref.repository };
  const config: ImageConfig = {
    architecture: options.arch ?? 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
  };
  const configBytes = encodeJson(config);
  const layerBytes = options.gzip === false ? layer : gzipSync(layer);
  const layerDesc: Descriptor = {
    mediaType: options.gzip === false ? MediaType.ociLayer : MediaType.ociLayerGzip,
    digest: sha256(layerBytes),
    size: layerBytes.length,
  };
  const configDesc: Descriptor = {
    mediaType: MediaType.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  await client.pushBlob(repo, configDesc, configBytes);
  await client.pushBlob(repo, layerDesc, layerBytes);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configDesc,
    layers: [layerDesc],
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  const bytes = encodeJson(manifest);
  const pushed = await client.pushManifest(ref, bytes, MediaType.ociManifest);
  return { digest: pushed.digest, manifest: bytes };
}

/** A small container image with one file; `seed` makes it distinct. */
export function containerLayer(seed: string): Buffer {
  return rawTar([{ name: `app/${seed}.txt`, body: `${seed}\n` }]);
}

/** Pushes a two-platform index (amd64, arm64) to `reference`; returns the index digest. */
export async function pushIndex(client: RegistryClient, reference: string, seed: string): Promise<string> {
  const ref = parseReference(reference);
  const manifests: Descriptor[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const image = await pushLayerImage(
      client,
      `${ref.registry}/${ref.repository}:${seed}-${arch}`,
      containerLayer(`${seed}-${arch}`),
      { arch },
    );
    manifests.push({
      mediaType: MediaType.ociManifest,
      digest: image.digest as Descriptor['digest'],
      size: image.manifest.length,
      platform: { os: 'linux', architecture: arch },
    });
  }
  const index: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
  return (await client.pushManifest(ref, encodeJson(index), MediaType.ociIndex)).digest;
}

/** Every file under `dir` with the hash of its content (index.json included), sorted. */
export async function listStore(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(join(d, e.name), path);
      else
        out.push(
          `${path} ${createHash('sha256')
            .update(await readFile(join(d, e.name)))
            .digest('hex')
            .slice(0, 16)}`,
        );
    }
  };
  await walk(dir, '');
  return out.sort();
}
