/**
 * Bundles: a package image together with every container image it references, for installs
 * where the original registries cannot be reached. Images are found by discovery, resolved to
 * digests, then either relocated to a target registry keeping their repository paths
 * (`--to-repo`) or written with the package into one oci-archive (`--to-tar`) that `lading pkg
 * load --to-repo` relocates later. The package that goes with the bundle has its references
 * rewritten by digest: to the new locations when relocating, to the original locations pinned
 * by digest in an archive (the target is not known yet).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestError } from '../apimachinery/index.js';
import {
  OciLayoutStore,
  RegistryEndpoint,
  StoreEndpoint,
  copyImages,
  formatReference,
  mapLimit,
  MediaType,
  parseManifest,
  parseReference,
  withDefaultTag,
  type CopyJob,
  type CopyProgress,
  type Descriptor,
  type Digest,
  type ImageReference,
  type ImageSource,
  type ManifestData,
  type RegistryClient,
  type RepositoryRef,
} from '../oci/index.js';
import { BundleAnnotation, saveImages, withVerifiedArchive } from './archive.js';
import { buildFromFiles, type BuildResult } from './build.js';
import { findImages, type FoundImage } from './images.js';
import { PackageAnnotation, type BuiltImage } from './package-image.js';
import type { PackageFileMap } from './package-source.js';
import { rewriteImages } from './relocate.js';
import { registryFailure } from './remote.js';
import { storePackageImage } from './store-image.js';
import { fetchStoredPackage } from './transfer.js';

/** A built image in memory as a copy source. */
class BuiltImageSource implements ImageSource {
  readonly label = 'built package image';
  constructor(private readonly image: BuiltImage) {}

  fetchManifest(): Promise<ManifestData> {
    const bytes = this.image.manifestBytes;
    return Promise.resolve({
      descriptor: { mediaType: MediaType.ociManifest, digest: this.image.digest, size: bytes.length },
      bytes,
      parsed: parseManifest(bytes, MediaType.ociManifest),
    });
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *openBlob(descriptor: Descriptor): AsyncIterable<Buffer> {
    const blob = this.image.blobs.get(descriptor.digest);
    if (!blob) throw new BadRequestError(`built image has no blob ${descriptor.digest}`);
    yield blob;
  }
}

/** Pushes a built image to `ref` (its tag, else by digest). */
export async function pushBuilt(
  image: BuiltImage,
  client: RegistryClient,
  ref: ImageReference,
  signal?: AbortSignal,
): Promise<void> {
  await copyImages(
    [
      {
        source: new BuiltImageSource(image),
        sourceRef: image.digest,
        target: new RegistryEndpoint(client, ref),
        ...(ref.tag !== undefined ? { targetRef: ref.tag } : {}),
      },
    ],
    { ...(signal ? { signal } : {}) },
  );
}

export interface ResolvedImage {
  found: FoundImage;
  /** The reference as found (normalised, `latest` when it had neither tag nor digest). */
  ref: ImageReference;
  /** Its manifest or index at the source registry. */
  descriptor: Descriptor;
}

export interface BundleCommon {
  client: RegistryClient;
  store: OciLayoutStore;
  signal?: AbortSignal;
  onProgress?: (progress: CopyProgress) => void;
  /** Parallel blob transfers (default 6). */
  concurrency?: number;
}

/** Resolves every found image to the digest of its manifest or index (HEAD, 8 at a time). */
export async function resolveImages(
  found: readonly FoundImage[],
  client: RegistryClient,
  options: { signal?: AbortSignal } = {},
): Promise<ResolvedImage[]> {
  return mapLimit(
    found,
    8,
    async (f) => {
      const ref = withDefaultTag(parseReference(f.reference));
      const where = f.sources[0];
      const what = `resolving image ${f.reference}${where ? ` (${where.path}${where.field ? ` ${where.field}` : ''})` : ''}`;
      let descriptor: Descriptor | undefined;
      try {
        descriptor = await client.headManifest(ref, options.signal ? { signal: options.signal } : {});
      } catch (err) {
        throw registryFailure(what, err);
      }
      if (!descriptor)
        throw new BadRequestError(`${what}: the registry does not have it; push it or fix the reference`);
      return { found: f, ref, descriptor };
    },
    options.signal,
  );
}

/** Where relocation puts `ref`: the target registry, the prefix, then the original repository path. */
export function relocatedRepository(
  ref: RepositoryRef,
  target: { registry: string; prefix: string },
): RepositoryRef {
  return {
    registry: target.registry,
    repository: target.prefix ? `${target.prefix}/${ref.repository}` : ref.repository,
  };
}

/** Tags to push relocated images under: the original tag, unless two images would share it. */
function targetTags(
  targets: Array<{ repo: RepositoryRef; tag: string | undefined; digest: Digest }>,
): Array<string | undefined> {
  const seen = new Map<string, Set<Digest>>();
  for (const t of targets) {
    if (t.tag === undefined) continue;
    const key = `${formatReference(t.repo)}:${t.tag}`;
    seen.set(key, (seen.get(key) ?? new Set()).add(t.digest));
  }
  return targets.map((t) =>
    t.tag !== undefined && seen.get(`${formatReference(t.repo)}:${t.tag}`)!.size === 1 ? t.tag : undefined,
  );
}

export interface BundledImage {
  /** The reference as the package had it. */
  source: string;
  digest: Digest;
  /** Where the package now points (`registry/repository@digest`). */
  target: string;
}

export interface BundleResult {
  images: BundledImage[];
  /** The rebuilt package image. */
  package: { name: string; digest: Digest; reference?: string; names: string[] };
  build: BuildResult;
  bytes: number;
}

export interface PackageInput {
  files: PackageFileMap;
  /** Name for a plain folder (see buildFromFiles). */
  fallbackName: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  allowFixtureMismatch?: boolean;
}

async function rebuild(
  input: PackageInput,
  files: PackageFileMap,
  signal?: AbortSignal,
): Promise<BuildResult> {
  return buildFromFiles(files, input.fallbackName, {
    ...(input.labels ? { labels: input.labels } : {}),
    ...(input.annotations ? { annotations: input.annotations } : {}),
    ...(input.allowFixtureMismatch ? { allowFixtureMismatch: true } : {}),
    ...(signal ? { signal } : {}),
  });
}

function copyOptions(o: BundleCommon): Parameters<typeof copyImages>[1] {
  return {
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
    ...(o.concurrency ? { concurrency: o.concurrency } : {}),
  };
}

export interface ToRepoOptions extends BundleCommon {
  target: { registry: string; prefix: string };
  /** Where to push the rewritten package image, given its name (default `<target>/<name>:latest`). */
  packageRef?: (name: string) => ImageReference;
  /** Names for the rewritten package image in the local store. */
  names?: readonly string[];
}

/**
 * Relocates every image `input` references to `target`, rewrites the package to the new
 * locations by digest, stores the new package image under `names` and pushes it. Images go
 * first, the package last: a pushed package never points at an image that is not there.
 */
export async function bundleToRepo(input: PackageInput, options: ToRepoOptions): Promise<BundleResult> {
  const resolved = await resolveImages(findImages(input.files), options.client, options);
  const targets = resolved.map((r) => ({
    repo: relocatedRepository(r.ref, options.target),
    tag: r.ref.digest === undefined ? r.ref.tag : undefined,
    digest: r.descriptor.digest,
  }));
  const tags = targetTags(targets);
  const jobs: CopyJob[] = resolved.map((r, i) => ({
    source: new RegistryEndpoint(options.client, r.ref),
    sourceRef: r.descriptor.digest,
    target: new RegistryEndpoint(options.client, targets[i]!.repo),
    ...(tags[i] !== undefined ? { targetRef: tags[i] } : {}),
  }));
  const results = await copyImages(jobs, copyOptions(options));
  const images = resolved.map((r, i) => ({
    source: r.found.reference,
    digest: r.descriptor.digest,
    target: formatReference({ ...targets[i]!.repo, digest: r.descriptor.digest }),
  }));
  const built = await rebuild(
    input,
    rewriteImages(input.files, new Map(images.map((i) => [i.source, i.target]))),
    options.signal,
  );
  const names = [...(options.names ?? [])];
  if (names.length > 0)
    await storePackageImage(
      options.store,
      built.image,
      names,
      options.signal ? { signal: options.signal } : {},
    );
  const ref = options.packageRef?.(built.name) ?? {
    ...relocatedRepository({ registry: '', repository: built.name }, options.target),
    tag: 'latest',
  };
  await pushBuilt(built.image, options.client, ref, options.signal);
  return {
    images,
    package: { name: built.name, digest: built.image.digest, reference: formatReference(ref), names },
    build: built,
    bytes: results.reduce((n, r) => n + r.bytes, 0),
  };
}

export interface ToTarOptions extends BundleCommon {
  file: string;
  /** Name of the package image in the archive (default `<name>:latest`) and in the local store. */
  names?: readonly string[];
}

/**
 * Writes the package, with its references pinned by digest, and every image it references into
 * one oci-archive. Index entries carry `run.lading.bundle.role` (`package` or `image`) and, for
 * images, `run.lading.bundle.source` (the reference as the package had it).
 */
export async function bundleToTar(input: PackageInput, options: ToTarOptions): Promise<BundleResult> {
  const resolved = await resolveImages(findImages(input.files), options.client, options);
  const dir = await mkdtemp(join(tmpdir(), 'lading-bundle-'));
  try {
    const staging = await OciLayoutStore.open(dir);
    await copyImages(
      resolved.map((r) => ({
        source: new RegistryEndpoint(options.client, r.ref),
        sourceRef: r.descriptor.digest,
        target: new StoreEndpoint(staging),
      })),
      copyOptions(options),
    );
    for (const r of resolved) {
      await staging.tag(r.found.reference, {
        ...r.descriptor,
        annotations: {
          [BundleAnnotation.role]: 'image',
          [BundleAnnotation.source]: r.found.reference,
        },
      });
    }
    const images = resolved.map((r) => ({
      source: r.found.reference,
      digest: r.descriptor.digest,
      target: formatReference({
        registry: r.ref.registry,
        repository: r.ref.repository,
        digest: r.descriptor.digest,
      }),
    }));
    const built = await rebuild(
      input,
      rewriteImages(input.files, new Map(images.map((i) => [i.source, i.target]))),
      options.signal,
    );
    const names = options.names && options.names.length > 0 ? [...options.names] : [`${built.name}:latest`];
    const descriptor = await storePackageImage(staging, built.image, []);
    for (const name of names)
      await staging.tag(name, { ...descriptor, annotations: { [BundleAnnotation.role]: 'package' } });
    await storePackageImage(
      options.store,
      built.image,
      names,
      options.signal ? { signal: options.signal } : {},
    );
    const saved = await saveImages(
      staging,
      [],
      options.file,
      options.signal ? { signal: options.signal } : {},
    );
    return {
      images,
      package: { name: built.name, digest: built.image.digest, names },
      build: built,
      bytes: saved.bytes,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Repository and tag an archive entry is relocated to, from its source annotation or its name. */
function entryTarget(
  name: string | undefined,
  descriptor: Descriptor,
  target: { registry: string; prefix: string },
): { repo: RepositoryRef; tag: string | undefined } {
  const text = descriptor.annotations?.[BundleAnnotation.source] ?? name;
  if (text === undefined)
    throw new BadRequestError(`archive image ${descriptor.digest} has no name to relocate it under`);
  let ref: ImageReference;
  const slash = text.indexOf('/');
  const first = slash > 0 ? text.slice(0, slash) : '';
  if (first.includes('.') || first.includes(':') || first === 'localhost') ref = parseReference(text);
  else {
    // A store name such as `my-package:v1`: the repository path as written, no `library/`.
    const parsed = parseReference(`localhost/${text}`);
    ref = { ...parsed, registry: '' };
  }
  return { repo: relocatedRepository(ref, target), tag: ref.digest === undefined ? ref.tag : undefined };
}

export interface LoadToRepoResult {
  images: BundledImage[];
  packages: Array<{ name: string; digest: Digest; reference: string }>;
  bytes: number;
}

/**
 * Loads an archive (a bundle, or any `lading pkg save` archive) straight into a registry under
 * `target`: images keep their repository paths; a bundle's package is rewritten from its pinned
 * references to the relocated ones and pushed as `<target>/<entry name>`. The archive is
 * verified first (see withVerifiedArchive); nothing is pushed from a bad archive.
 */
export async function loadToRepo(
  file: string,
  options: BundleCommon & { target: { registry: string; prefix: string } },
): Promise<LoadToRepoResult> {
  return withVerifiedArchive(
    file,
    async (staging, entries) => {
      const plain = entries.filter((e) => e.descriptor.annotations?.[BundleAnnotation.role] !== 'package');
      const packages = entries.filter((e) => e.descriptor.annotations?.[BundleAnnotation.role] === 'package');
      const targets = plain.map((e) => entryTarget(e.name, e.descriptor, options.target));
      const results = await copyImages(
        plain.map((e, i) => ({
          source: new StoreEndpoint(staging),
          sourceRef: e.descriptor.digest,
          target: new RegistryEndpoint(options.client, targets[i]!.repo),
          ...(targets[i]!.tag !== undefined ? { targetRef: targets[i]!.tag } : {}),
        })),
        copyOptions(options),
      );
      const byDigest = new Map<string, string>();
      const images = plain.map((e, i) => {
        const target = formatReference({ ...targets[i]!.repo, digest: e.descriptor.digest });
        byDigest.set(e.descriptor.digest, target);
        return { source: e.name ?? e.descriptor.digest, digest: e.descriptor.digest, target };
      });
      const pushed: LoadToRepoResult['packages'] = [];
      for (const p of packages) {
        const pkg = await fetchStoredPackage(staging, p.descriptor.digest);
        const mapping = new Map<string, string>();
        for (const found of findImages(pkg.files)) {
          const digest = parseReference(found.reference).digest;
          const target = digest === undefined ? undefined : byDigest.get(digest);
          if (target === undefined)
            throw new BadRequestError(
              `archive "${file}" is not a complete bundle: its package references ${found.reference}, which the archive does not hold by digest`,
            );
          mapping.set(found.reference, target);
        }
        const {
          [PackageAnnotation.title]: title,
          [PackageAnnotation.format]: _format,
          ...annotations
        } = pkg.annotations;
        const built = await rebuild(
          {
            files: pkg.files,
            fallbackName: title ?? 'package',
            labels: pkg.labels,
            annotations,
            allowFixtureMismatch: true,
          },
          rewriteImages(pkg.files, mapping),
          options.signal,
        );
        const { repo, tag } = entryTarget(p.name, { ...p.descriptor, annotations: {} }, options.target);
        await pushBuilt(built.image, options.client, { ...repo, tag: tag ?? 'latest' }, options.signal);
        pushed.push({
          name: built.name,
          digest: built.image.digest,
          reference: formatReference({ ...repo, tag: tag ?? 'latest' }),
        });
      }
      return { images, packages: pushed, bytes: results.reduce((n, r) => n + r.bytes, 0) };
    },
    { ...(options.signal ? { signal: options.signal } : {}) },
  );
}
