/**
 * Package images in Package Operator's layout: one gzip layer holding every file under `package/`,
 * an image config for `linux/amd64` (hard-coded, as Package Operator does, so clusters accept it)
 * with `created` at the epoch, OCI media types. Reproducible: entries sorted, mtimes 0, modes
 * normalised, owners cleared, gzip without name or time — the same files give the same digest.
 * Reading keeps Package Operator's rules (all layers in order, later wins; directories and entries
 * outside `package/` skipped) and refuses links, devices, unsafe names and truncated layers.
 */
import {
  encodeJson,
  gunzipIfNeeded,
  gzip,
  MediaType,
  readTar,
  sha256,
  writeTar,
  type Descriptor,
  type Digest,
  type ImageConfig,
  type ImageManifest,
  type TarInput,
} from '../oci/index.js';
import { BadRequestError } from '../apimachinery/index.js';
import { comparePaths, type PackageFileMap, type PackageFormat } from './package-source.js';
import { PackageViolationError, VIOLATION } from './violation.js';

export const PACKAGE_PATH_PREFIX = 'package/';

/** Annotations Lading puts on package image manifests (all deterministic). */
export const PackageAnnotation = {
  title: 'org.opencontainers.image.title',
  /** `package-operator`, `kpt` or `plain`. */
  format: 'run.lading.package.format',
} as const;

/** A built image held in memory: every blob by digest plus the manifest. */
export interface BuiltImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  digest: Digest;
  config: ImageConfig;
  /** config and layer blobs, by digest. */
  blobs: Map<Digest, Buffer>;
}

export interface BuildImageOptions {
  /** Image config labels (`--label`). */
  labels?: Record<string, string>;
  /** Extra manifest annotations. */
  annotations?: Record<string, string>;
  title?: string;
  format?: PackageFormat;
  signal?: AbortSignal;
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of source) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** The uncompressed layer tar of `files` (sorted, deterministic headers). */
export async function packageLayerTar(files: PackageFileMap, signal?: AbortSignal): Promise<Buffer> {
  const entries: TarInput[] = [...files.keys()].sort(comparePaths).map((path) => ({
    name: PACKAGE_PATH_PREFIX + path,
    body: files.get(path) ?? new Uint8Array(),
    mode: 0o644,
  }));
  return collect(
    writeTar(entries, {
      mtime: 0,
      uid: 0,
      gid: 0,
      uname: '',
      gname: '',
      modes: 'normalize',
      ...(signal ? { signal } : {}),
    }),
  );
}

/** Builds the image of `files` (package-relative paths). */
export async function buildPackageImage(
  files: PackageFileMap,
  options: BuildImageOptions = {},
): Promise<BuiltImage> {
  if (files.size === 0) throw new PackageViolationError(VIOLATION.emptyPackage);
  const tar = await packageLayerTar(files, options.signal);
  const layer = await collect(gzip(once(tar), { ...(options.signal ? { signal: options.signal } : {}) }));
  const config: ImageConfig = {
    created: '1970-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config:
      options.labels && Object.keys(options.labels).length > 0 ? { Labels: sortObject(options.labels) } : {},
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [
      {
        created: '1970-01-01T00:00:00Z',
        created_by: 'lading pkg build',
        comment: 'package files under package/',
      },
    ],
  };
  const configBytes = encodeJson(config);
  const layerDescriptor: Descriptor = {
    mediaType: MediaType.ociLayerGzip,
    digest: sha256(layer),
    size: layer.length,
  };
  const configDescriptor: Descriptor = {
    mediaType: MediaType.ociConfig,
    digest: sha256(configBytes),
    size: configBytes.length,
  };
  const annotations = sortObject({
    ...(options.title ? { [PackageAnnotation.title]: options.title } : {}),
    ...(options.format ? { [PackageAnnotation.format]: options.format } : {}),
    ...(options.annotations ?? {}),
  });
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: configDescriptor,
    layers: [layerDescriptor],
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const manifestBytes = encodeJson(manifest);
  return {
    manifest,
    manifestBytes,
    digest: sha256(manifestBytes),
    config,
    blobs: new Map([
      [configDescriptor.digest, configBytes],
      [layerDescriptor.digest, layer],
    ]),
  };
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function sortObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => comparePaths(a, b)));
}

export interface ReadLayerOptions {
  /** Largest uncompressed package (bytes); 256 MiB by default. */
  maxBytes?: number;
  signal?: AbortSignal;
}

/**
 * Adds the files of one layer (gzip or plain tar) to `into`, later layers overriding earlier ones.
 * Throws BadRequestError for anything that is not a regular file or directory, and for a corrupt
 * or truncated layer; `into` is only changed when the whole layer reads cleanly.
 */
export async function readPackageLayer(
  layer: AsyncIterable<Uint8Array>,
  into: PackageFileMap,
  options: ReadLayerOptions = {},
): Promise<void> {
  const found = new Map<string, Uint8Array>();
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  try {
    for await (const entry of readTar(gunzipIfNeeded(layer), {
      maxTotalSize: maxBytes,
      ...(options.signal ? { signal: options.signal } : {}),
    })) {
      const { name, type } = entry.header;
      if (type === 'directory') continue;
      if (type !== 'file') {
        throw new BadRequestError(
          `package layer entry "${name}" is a ${type}; package images hold only regular files`,
        );
      }
      const body = await entry.buffer(maxBytes);
      if (!name.startsWith(PACKAGE_PATH_PREFIX)) continue;
      found.set(name.slice(PACKAGE_PATH_PREFIX.length), new Uint8Array(body));
    }
  } catch (err) {
    if (err instanceof BadRequestError) throw err;
    throw new BadRequestError(
      `package layer is not a valid tar: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  for (const [path, bytes] of found) into.set(path, bytes);
}

/** Files of an image from its layers, in order. Throws "Package image contains no files" when empty. */
export async function readPackageImageFiles(
  layers: AsyncIterable<Uint8Array>[],
  options: ReadLayerOptions = {},
): Promise<PackageFileMap> {
  const files: PackageFileMap = new Map();
  for (const layer of layers) await readPackageLayer(layer, files, options);
  if (files.size === 0) throw new PackageViolationError(VIOLATION.emptyPackage);
  return new Map([...files].sort(([a], [b]) => comparePaths(a, b)));
}
