/**
 * Where images are copied from and to: a repository of a registry, or the local store. Both
 * read verified content and write only what is missing.
 */
import type { RegistryClient } from './client.js';
import type { Digest } from './digest.js';
import type { Descriptor, ParsedManifest } from './manifest.js';
import { formatReference, type RepositoryRef } from './reference.js';
import type { OciLayoutStore } from './store.js';

export interface ManifestData {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface BlobWriteOptions {
  signal?: AbortSignal;
  /** Bytes of this blob written so far. */
  onProgress?: (bytes: number) => void;
  /** Same-registry source repository to mount from. */
  mountFrom?: string;
}

export interface ImageSource {
  /** For messages and progress, e.g. `127.0.0.1:5000/app` or `store /data/oci`. */
  readonly label: string;
  /** By tag, digest, or (store) reference name. */
  fetchManifest(reference: string, signal?: AbortSignal): Promise<ManifestData>;
  /** The blob's bytes; the iteration throws at the end when they do not match the digest. */
  openBlob(descriptor: Descriptor, signal?: AbortSignal): AsyncIterable<Buffer>;
}

export interface ImageTarget {
  readonly label: string;
  hasManifest(digest: Digest, signal?: AbortSignal): Promise<boolean>;
  /** Writes a blob unless present. */
  writeBlob(
    descriptor: Descriptor,
    open: () => AsyncIterable<Uint8Array>,
    options: BlobWriteOptions,
  ): Promise<'exists' | 'mounted' | 'uploaded'>;
  /** Writes manifest bytes, and names them `tag` when given. */
  writeManifest(data: ManifestData, tag: string | undefined, signal?: AbortSignal): Promise<void>;
  /** Before a copy writes: the digests it will write (a store protects them from gc). */
  begin?(digests: readonly Digest[]): void;
  /** After a copy: on failure, `written` (blobs and manifests it stored) may be rolled back. */
  end?(digests: readonly Digest[], outcome: { failed: boolean; written: readonly Digest[] }): Promise<void>;
}

/** A repository of a registry as a copy source and target. */
export class RegistryEndpoint implements ImageSource, ImageTarget {
  readonly label: string;

  constructor(
    readonly client: RegistryClient,
    readonly repo: RepositoryRef,
  ) {
    this.label = formatReference(repo);
  }

  fetchManifest(reference: string, signal?: AbortSignal): Promise<ManifestData> {
    const ref =
      reference.includes(':') && reference.startsWith('sha')
        ? { ...this.repo, digest: reference as Digest }
        : { ...this.repo, tag: reference };
    return this.client.fetchManifest(ref, signal ? { signal } : {});
  }

  openBlob(descriptor: Descriptor, signal?: AbortSignal): AsyncIterable<Buffer> {
    const { client, repo } = this;
    return (async function* () {
      const download = await client.fetchBlob(repo, descriptor, signal ? { signal } : {});
      yield* download.stream;
    })();
  }

  async hasManifest(digest: Digest, signal?: AbortSignal): Promise<boolean> {
    return (await this.client.headManifest({ ...this.repo, digest }, signal ? { signal } : {})) !== undefined;
  }

  writeBlob(
    descriptor: Descriptor,
    open: () => AsyncIterable<Uint8Array>,
    options: BlobWriteOptions,
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    return this.client.pushBlob(this.repo, descriptor, open, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.mountFrom ? { mountFrom: options.mountFrom } : {}),
    });
  }

  async writeManifest(data: ManifestData, tag: string | undefined, signal?: AbortSignal): Promise<void> {
    const ref = tag === undefined ? { ...this.repo, digest: data.descriptor.digest } : { ...this.repo, tag };
    await this.client.pushManifest(ref, data.bytes, data.descriptor.mediaType, signal ? { signal } : {});
  }
}

/** The local store as a copy source and target; `tag` is a reference name in `index.json`. */
export class StoreEndpoint implements ImageSource, ImageTarget {
  readonly label: string;

  constructor(readonly store: OciLayoutStore) {
    this.label = `store "${store.dir}"`;
  }

  fetchManifest(reference: string): Promise<ManifestData> {
    return this.store.fetchManifest(reference);
  }

  openBlob(descriptor: Descriptor, signal?: AbortSignal): AsyncIterable<Buffer> {
    return this.store.openBlob(descriptor, signal ? { signal } : {});
  }

  async hasManifest(digest: Digest): Promise<boolean> {
    return (await this.store.hasBlob(digest)) !== undefined;
  }

  async writeBlob(
    descriptor: Descriptor,
    open: () => AsyncIterable<Uint8Array>,
    options: BlobWriteOptions,
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    if ((await this.store.hasBlob(descriptor.digest)) !== undefined) {
      options.onProgress?.(descriptor.size);
      return 'exists';
    }
    await this.store.writeBlob(open(), descriptor, {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return 'uploaded';
  }

  async writeManifest(data: ManifestData, tag: string | undefined): Promise<void> {
    await this.store.writeBlob(data.bytes, { digest: data.descriptor.digest, size: data.bytes.length });
    if (tag !== undefined) await this.store.tag(tag, data.descriptor);
  }

  begin(digests: readonly Digest[]): void {
    this.store.pin(digests);
  }

  /** A failed copy leaves the store as it was: what it wrote and nothing references goes. */
  async end(
    digests: readonly Digest[],
    outcome: { failed: boolean; written: readonly Digest[] },
  ): Promise<void> {
    this.store.unpin(digests);
    if (outcome.failed) await this.store.rollback(outcome.written);
  }
}
