/**
 * `oci-archive` tars of images from and into the local store. Saving writes a temp file and
 * renames it into place. Loading is staged: the archive goes into a scratch layout, its blobs are
 * verified, every package image in it is read back (unsafe or truncated layers refused), and only
 * then are the images copied into the store and named — a bad archive leaves the store unchanged.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadRequestError } from '../apimachinery/index.js';
import {
  Annotation,
  OciLayoutStore,
  StoreEndpoint,
  copyImages,
  loadArchive,
  saveArchive,
  type CopyProgress,
  type Descriptor,
} from '../oci/index.js';
import { PackageAnnotation } from './package-image.js';
import { readStoredPackage } from './store-image.js';

/** Annotations on the index entries of a bundle archive (`lading pkg bundle --to-tar`). */
export const BundleAnnotation = {
  /** `package` (the package image) or `image` (an image it references). */
  role: 'run.lading.bundle.role',
  /** For `image`: the reference the package was bundled with, e.g. `docker.io/library/nginx:1.25`. */
  source: 'run.lading.bundle.source',
} as const;

export interface SaveResult {
  file: string;
  refs: string[];
  bytes: number;
}

/** Writes the stored images `names` (all when empty) as an oci-archive to `file`. */
export async function saveImages(
  store: OciLayoutStore,
  names: readonly string[],
  file: string,
  options: { signal?: AbortSignal } = {},
): Promise<SaveResult> {
  const refs = names.length > 0 ? [...names] : (await store.listRefs()).map((r) => r.name);
  if (refs.length === 0) throw new BadRequestError(`the local store "${store.dir}" holds no images to save`);
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let bytes = 0;
  try {
    const source = saveArchive(store, { refs, ...(options.signal ? { signal: options.signal } : {}) });
    await pipeline(
      Readable.from(
        (async function* () {
          for await (const chunk of source) {
            bytes += chunk.length;
            yield chunk;
          }
        })(),
      ),
      createWriteStream(tmp),
      ...(options.signal ? [{ signal: options.signal }] : []),
    );
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { file, refs, bytes };
}

/** An entry of a loaded archive. */
export interface LoadedImage {
  name: string | undefined;
  descriptor: Descriptor;
  /** True when it was read back as a package image. */
  package: boolean;
}

function isPackageEntry(d: Descriptor, manifestAnnotations: Record<string, string> | undefined): boolean {
  return (
    d.annotations?.[BundleAnnotation.role] === 'package' ||
    manifestAnnotations?.[PackageAnnotation.format] !== undefined
  );
}

/**
 * Loads `file` into a scratch layout and checks it: blobs against their digests, completeness,
 * and every package image read back. Calls `use` with the scratch store and its entries, then
 * removes it. Throws a BadRequestError naming the entry for a bad package image.
 */
export async function withVerifiedArchive<T>(
  file: string,
  use: (staging: OciLayoutStore, images: LoadedImage[]) => Promise<T>,
  options: { signal?: AbortSignal; defaultName?: string } = {},
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'lading-load-'));
  try {
    const staging = await OciLayoutStore.open(dir);
    const loaded = await loadArchive(staging, createReadStream(file), {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.defaultName !== undefined ? { defaultName: options.defaultName } : {}),
    }).catch((err: unknown) => {
      throw new BadRequestError(
        `cannot load "${file}": ${err instanceof Error ? err.message : String(err)}; nothing was stored`,
        { cause: err },
      );
    });
    const images: LoadedImage[] = [];
    for (const { name, descriptor } of loaded.refs) {
      const stored = await staging.fetchManifest(descriptor.digest);
      const annotations = stored.parsed.kind === 'manifest' ? stored.parsed.manifest.annotations : undefined;
      const isPackage = isPackageEntry(descriptor, annotations);
      if (isPackage) {
        try {
          await readStoredPackage(
            staging,
            descriptor.digest,
            options.signal ? { signal: options.signal } : {},
          );
        } catch (err) {
          throw new BadRequestError(
            `cannot load "${file}": package image ${name ?? descriptor.digest} is not usable: ${err instanceof Error ? err.message : String(err)}; nothing was stored`,
            { cause: err },
          );
        }
      }
      images.push({ name, descriptor, package: isPackage });
    }
    return await use(staging, images);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LoadImagesResult {
  images: LoadedImage[];
  blobs: { uploaded: number; existing: number };
}

/** Loads an oci-archive into `store` (see withVerifiedArchive); entries keep their names and annotations. */
export async function loadImages(
  store: OciLayoutStore,
  file: string,
  options: { signal?: AbortSignal; defaultName?: string; onProgress?: (p: CopyProgress) => void } = {},
): Promise<LoadImagesResult> {
  return withVerifiedArchive(
    file,
    async (staging, images) => {
      const unnamed = images.find((i) => i.name === undefined);
      if (unnamed)
        throw new BadRequestError(
          `cannot load "${file}": image ${unnamed.descriptor.digest} has no name (\`${Annotation.refName}\`); give one with --name`,
        );
      const results = await copyImages(
        images.map((i) => ({
          source: new StoreEndpoint(staging),
          sourceRef: i.descriptor.digest,
          target: new StoreEndpoint(store),
        })),
        {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        },
      );
      // Named last, with the archive's annotations, once every image is complete in the store.
      for (const i of images) await store.tag(i.name!, i.descriptor);
      return {
        images,
        blobs: {
          uploaded: results.reduce((n, r) => n + r.blobs.uploaded, 0),
          existing: results.reduce((n, r) => n + r.blobs.existing, 0),
        },
      };
    },
    options,
  );
}
