/**
 * Package images in the local OCI layout store: write a built image under one or more names, and
 * read a stored image's package files back (every layer, in order, verified on read).
 */
import { BadRequestError, NotFoundError } from '../apimachinery/index.js';
import { MediaType, type Descriptor, type OciLayoutStore } from '../oci/index.js';
import { readPackageImageFiles, type BuiltImage } from './package-image.js';
import type { PackageFileMap } from './package-source.js';

/** Stores the blobs, then the manifest, then names it `tags` (blobs first: no dangling names). */
export async function storePackageImage(
  store: OciLayoutStore,
  image: BuiltImage,
  tags: readonly string[],
  options: { signal?: AbortSignal } = {},
): Promise<Descriptor> {
  for (const [digest, bytes] of image.blobs) {
    await store.writeBlob(
      bytes,
      { digest, size: bytes.length },
      options.signal ? { signal: options.signal } : {},
    );
  }
  const descriptor = await store.writeManifest(image.manifestBytes, MediaType.ociManifest);
  for (const tag of tags) await store.tag(tag, descriptor);
  return descriptor;
}

/** The package files of the stored image `nameOrDigest`. */
export async function readStoredPackage(
  store: OciLayoutStore,
  nameOrDigest: string,
  options: { signal?: AbortSignal } = {},
): Promise<{ files: PackageFileMap; descriptor: Descriptor }> {
  const stored = await store.fetchManifest(nameOrDigest).catch((err: unknown) => {
    throw new NotFoundError(
      { resource: 'images', name: nameOrDigest },
      {
        cause: err,
        message: `image "${nameOrDigest}" is not in the local store "${store.dir}"; build or pull it first`,
      },
    );
  });
  if (stored.parsed.kind !== 'manifest') {
    throw new BadRequestError(`"${nameOrDigest}" is an image index; package images are single manifests`);
  }
  const layers = stored.parsed.manifest.layers.map((l) =>
    store.openBlob(l, options.signal ? { signal: options.signal } : {}),
  );
  return {
    files: await readPackageImageFiles(layers, options.signal ? { signal: options.signal } : {}),
    descriptor: stored.descriptor,
  };
}
