/**
 * Moving package images between the local store and registries: push, pull (staged and read back
 * before anything is named in the store), copy between registries, and inspection of a remote
 * image. Every call takes an AbortSignal and reports blob progress through `onProgress`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError, NotFoundError } from '../apimachinery/index.js';
import {
  OciLayoutStore,
  RegistryEndpoint,
  RegistryNotFoundError,
  StoreEndpoint,
  copyImage,
  formatReference,
  type CopyProgress,
  type CopyResult,
  type Descriptor,
  type ImageConfig,
  type ImageReference,
  type ParsedManifest,
  type RegistryClient,
} from '../oci/index.js';
import { PackageAnnotation, readPackageImageFiles } from './package-image.js';
import type { PackageFileMap } from './package-source.js';
import { readStoredPackage } from './store-image.js';

export interface TransferOptions {
  signal?: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
  /** Parallel blob transfers (default 6). */
  concurrency?: number;
}

function copyOptions(options: TransferOptions): Parameters<typeof copyImage>[1] {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
}

function endpoint(client: RegistryClient, ref: ImageReference): RegistryEndpoint {
  return new RegistryEndpoint(client, { registry: ref.registry, repository: ref.repository });
}

/** Tag or digest to address `ref` by at its registry. */
function manifestRef(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export interface PushResult extends CopyResult {
  reference: string;
}

/** Pushes the stored image `name` (a name or digest in the store) to `ref`. */
export async function pushImage(
  store: OciLayoutStore,
  name: string,
  client: RegistryClient,
  ref: ImageReference,
  options: TransferOptions = {},
): Promise<PushResult> {
  await store.fetchManifest(name).catch((err: unknown) => {
    throw new NotFoundError(
      { resource: 'images', name },
      {
        cause: err,
        message: `image "${name}" is not in the local store "${store.dir}"; build, pull or load it first`,
      },
    );
  });
  const result = await copyImage(
    {
      source: new StoreEndpoint(store),
      sourceRef: name,
      target: endpoint(client, ref),
      ...(ref.tag !== undefined ? { targetRef: ref.tag } : {}),
    },
    copyOptions(options),
  );
  return {
    ...result,
    reference: formatReference({
      registry: ref.registry,
      repository: ref.repository,
      digest: result.descriptor.digest,
    }),
  };
}

export interface PullResult extends CopyResult {
  files: PackageFileMap;
  /** Names the image was stored under. */
  names: string[];
}

/**
 * Pulls the package image `ref` into `store` under `names`. The image goes to a staging layout
 * first and its package files are read back there (every layer, digests verified, unsafe entries
 * refused); only then is it copied into `store` and named. A failure leaves `store` unchanged.
 */
export async function pullPackage(
  store: OciLayoutStore,
  client: RegistryClient,
  ref: ImageReference,
  names: readonly string[],
  options: TransferOptions = {},
): Promise<PullResult> {
  const stagingDir = await mkdtemp(join(tmpdir(), 'lading-pull-'));
  try {
    const staging = await OciLayoutStore.open(stagingDir);
    const pulled = await copyImage(
      { source: endpoint(client, ref), sourceRef: manifestRef(ref), target: new StoreEndpoint(staging) },
      copyOptions(options),
    );
    const digest = pulled.descriptor.digest;
    let files: PackageFileMap;
    try {
      files = (await readStoredPackage(staging, digest, options.signal ? { signal: options.signal } : {}))
        .files;
    } catch (err) {
      throw new BadRequestError(
        `${formatReference(ref)} is not a usable package image: ${err instanceof Error ? err.message : String(err)}; nothing was stored`,
        { cause: err },
      );
    }
    const [first, ...rest] = names;
    const storeEndpoint = new StoreEndpoint(store);
    await copyImage(
      {
        source: new StoreEndpoint(staging),
        sourceRef: digest,
        target: storeEndpoint,
        ...(first !== undefined ? { targetRef: first } : {}),
      },
      { ...(options.signal ? { signal: options.signal } : {}) },
    );
    for (const name of rest) await store.tag(name, pulled.descriptor);
    return { ...pulled, files, names: [...names] };
  } finally {
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** Copies an image or index from one registry reference to another (blobs mounted when possible). */
export async function copyRemote(
  client: RegistryClient,
  from: ImageReference,
  to: ImageReference,
  options: TransferOptions = {},
): Promise<CopyResult> {
  return copyImage(
    {
      source: endpoint(client, from),
      sourceRef: manifestRef(from),
      target: endpoint(client, to),
      ...(to.tag !== undefined ? { targetRef: to.tag } : {}),
    },
    copyOptions(options),
  );
}

/** What `lading pkg inspect` shows of an image, local or remote. */
export interface ImageInspection {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  /** Set for an index: its manifests with their platforms. */
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
  config?: ImageConfig;
  layers?: Descriptor[];
  /** Package files (path and size) when the image is a Lading package image. */
  files?: Array<{ path: string; size: number }>;
}

function isPackageManifest(parsed: ParsedManifest): boolean {
  return parsed.kind === 'manifest' && parsed.manifest.annotations?.[PackageAnnotation.format] !== undefined;
}

/**
 * The manifest (or index), config and — for package images, or with `files` — the package files
 * of a remote image. Layers of other images are not downloaded.
 */
export async function inspectRemote(
  client: RegistryClient,
  ref: ImageReference,
  options: { files?: boolean; signal?: AbortSignal } = {},
): Promise<ImageInspection> {
  const call = options.signal ? { signal: options.signal } : {};
  const fetched = await client.fetchManifest(ref, call).catch((err: unknown) => {
    if (err instanceof RegistryNotFoundError)
      throw new NotFoundError(
        { resource: 'images', name: formatReference(ref) },
        { cause: err, message: `image ${formatReference(ref)} not found: ${err.message}` },
      );
    throw err;
  });
  const out: ImageInspection = {
    reference: formatReference(ref),
    digest: fetched.descriptor.digest,
    mediaType: fetched.descriptor.mediaType,
    size: fetched.descriptor.size,
  };
  if (fetched.parsed.kind === 'index') {
    out.manifests = fetched.parsed.index.manifests;
    if (fetched.parsed.index.annotations) out.annotations = fetched.parsed.index.annotations;
    return out;
  }
  const manifest = fetched.parsed.manifest;
  if (manifest.annotations) out.annotations = manifest.annotations;
  out.layers = manifest.layers;
  const repo = { registry: ref.registry, repository: ref.repository };
  out.config = JSON.parse(
    (await client.readBlob(repo, manifest.config, call)).toString('utf8'),
  ) as ImageConfig;
  if (options.files || isPackageManifest(fetched.parsed)) {
    const layers = manifest.layers.map((layer) =>
      (async function* () {
        yield* (await client.fetchBlob(repo, layer, call)).stream;
      })(),
    );
    const files = await readPackageImageFiles(layers, call);
    out.files = [...files].map(([path, bytes]) => ({ path, size: bytes.length }));
  }
  return out;
}

/** The same view of an image in the local store. */
export async function inspectStored(
  store: OciLayoutStore,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<ImageInspection> {
  const stored = await store.fetchManifest(name).catch((err: unknown) => {
    throw new NotFoundError(
      { resource: 'images', name },
      { cause: err, message: `image "${name}" is not in the local store "${store.dir}"` },
    );
  });
  const out: ImageInspection = {
    reference: name,
    digest: stored.descriptor.digest,
    mediaType: stored.descriptor.mediaType,
    size: stored.descriptor.size,
  };
  if (stored.parsed.kind === 'index') {
    out.manifests = stored.parsed.index.manifests;
    if (stored.parsed.index.annotations) out.annotations = stored.parsed.index.annotations;
    return out;
  }
  const manifest = stored.parsed.manifest;
  if (manifest.annotations) out.annotations = manifest.annotations;
  out.layers = manifest.layers;
  out.config = JSON.parse((await store.readBlob(manifest.config.digest)).toString('utf8')) as ImageConfig;
  try {
    const { files } = await readStoredPackage(store, name, options);
    out.files = [...files].map(([path, bytes]) => ({ path, size: bytes.length }));
  } catch (err) {
    // A package image must read back; any other image (a bundled container image) has no files.
    if (isPackageManifest(stored.parsed)) throw err;
  }
  return out;
}

/** A package image read into memory: files, config labels and manifest annotations. */
export interface FetchedPackage {
  files: PackageFileMap;
  digest: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Reads the package image `ref` from its registry (layers streamed, verified, unsafe entries refused). */
export async function fetchRemotePackage(
  client: RegistryClient,
  ref: ImageReference,
  options: { signal?: AbortSignal } = {},
): Promise<FetchedPackage> {
  const call = options.signal ? { signal: options.signal } : {};
  const fetched = await client.fetchManifest(ref, call);
  if (fetched.parsed.kind !== 'manifest')
    throw new BadRequestError(
      `${formatReference(ref)} is an image index; package images are single manifests`,
    );
  const manifest = fetched.parsed.manifest;
  const repo = { registry: ref.registry, repository: ref.repository };
  const config = JSON.parse(
    (await client.readBlob(repo, manifest.config, call)).toString('utf8'),
  ) as ImageConfig;
  const layers = manifest.layers.map((layer) =>
    (async function* () {
      yield* (await client.fetchBlob(repo, layer, call)).stream;
    })(),
  );
  return {
    files: await readPackageImageFiles(layers, call),
    digest: fetched.descriptor.digest,
    labels: config.config?.Labels ?? {},
    annotations: manifest.annotations ?? {},
  };
}

/** The same for an image in the local store. */
export async function fetchStoredPackage(
  store: OciLayoutStore,
  name: string,
  options: { signal?: AbortSignal } = {},
): Promise<FetchedPackage> {
  const { files, descriptor } = await readStoredPackage(store, name, options);
  const stored = await store.fetchManifest(descriptor.digest);
  const manifest = stored.parsed.kind === 'manifest' ? stored.parsed.manifest : undefined;
  const config = manifest
    ? (JSON.parse((await store.readBlob(manifest.config.digest)).toString('utf8')) as ImageConfig)
    : undefined;
  return {
    files,
    digest: descriptor.digest,
    labels: config?.config?.Labels ?? {},
    annotations: manifest?.annotations ?? {},
  };
}
