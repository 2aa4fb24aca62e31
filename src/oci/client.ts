/**
 * The OCI distribution client: ping, blobs (exists, streamed and verified download, monolithic
 * and chunked upload, cross-repository mount), manifests and indexes by tag or digest (verified,
 * size-limited), and tag listing with paging. Safe to use concurrently; tokens are shared.
 */
import {
  DigestError,
  digestAlgorithm,
  isDigest,
  sha256,
  verifyBytes,
  verifyStream,
  type Digest,
} from './digest.js';
import { RegistryProtocolError, where } from './errors.js';
import { MANIFEST_MEDIA_TYPES, parseManifest, type Descriptor, type ParsedManifest } from './manifest.js';
import { formatReference, manifestReference, type ImageReference, type RepositoryRef } from './reference.js';
import { RegistryTransport, type RegistryRequest, type TransportOptions } from './transport.js';
import { uploadBlob, type BlobSource, type UploadOptions } from './upload.js';

export type { BlobSource } from './upload.js';

export interface RegistryClientOptions extends TransportOptions {
  /** Largest manifest or index accepted, in bytes (default 4 MiB, as the distribution registry). */
  maxManifestSize?: number;
  /** Chunk size of chunked uploads, in bytes (default 16 MiB). */
  chunkSize?: number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** A manifest or index as read: its descriptor, exact bytes and parsed form. */
export interface FetchedManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** A blob being downloaded: iterate `stream` once; it throws a DigestError at the end on mismatch. */
export interface BlobDownload {
  size: number;
  stream: AsyncIterable<Buffer>;
}

export interface PushBlobOptions extends CallOptions {
  /** Try a cross-repository mount from this repository of the same registry first. */
  mountFrom?: string;
  /** Upload in chunks of `chunkSize` (PATCH) instead of one PUT. */
  chunked?: boolean;
  /** Skip the upload when the registry already has the blob (default true). */
  skipExisting?: boolean;
  /** Called with the bytes sent so far. */
  onProgress?: (bytes: number) => void;
}

/** What pushBlob did. */
export type PushBlobResult = 'exists' | 'mounted' | 'uploaded';

function repoPath(repository: string): string {
  return `/v2/${repository}`;
}

function scope(repository: string, actions: 'pull' | 'pull,push'): string {
  return `repository:${repository}:${actions}`;
}

async function readLimited(
  res: Response,
  limit: number,
  what: string,
  req: RegistryRequest,
): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length'));
  const tooBig = (): RegistryProtocolError =>
    new RegistryProtocolError(
      `${where(req.registry, req.repository)}: ${what} is larger than the limit of ${limit} bytes; refusing it`,
      {
        registry: req.registry,
        ...(req.repository ? { repository: req.repository } : {}),
        operation: req.operation,
        status: res.status,
      },
    );
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    // Throwing out of the loop cancels the body stream.
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooBig();
      chunks.push(Buffer.from(chunk));
    }
  }
  return Buffer.concat(chunks);
}

export class RegistryClient {
  readonly transport: RegistryTransport;
  readonly maxManifestSize: number;
  readonly chunkSize: number;

  constructor(options: RegistryClientOptions = {}) {
    this.transport = new RegistryTransport(options);
    this.maxManifestSize = options.maxManifestSize ?? 4 * 1024 * 1024;
    this.chunkSize = options.chunkSize ?? 16 * 1024 * 1024;
  }

  /** Checks the registry speaks the distribution API (`GET /v2/`), authenticating if it asks. */
  async ping(registry: string, options: CallOptions = {}): Promise<void> {
    const req: RegistryRequest = { registry, method: 'GET', path: '/v2/', operation: 'ping', ...options };
    const res = await this.transport.request(req);
    if (res.ok) {
      await res.body?.cancel();
      return;
    }
    await this.transport.fail(res, req);
  }

  /** The blob's size when the repository has it, undefined when it does not. */
  async blobExists(
    repo: RepositoryRef,
    digest: Digest,
    options: CallOptions = {},
  ): Promise<number | undefined> {
    const req: RegistryRequest = {
      registry: repo.registry,
      repository: repo.repository,
      method: 'HEAD',
      path: `${repoPath(repo.repository)}/blobs/${digest}`,
      scopes: [scope(repo.repository, 'pull')],
      operation: `HEAD blob ${digest}`,
      ...options,
    };
    const res = await this.transport.request(req);
    await res.body?.cancel();
    if (res.status === 404) return undefined;
    if (!res.ok) return this.transport.fail(res, req);
    const length = Number(res.headers.get('content-length'));
    return Number.isFinite(length) ? length : 0;
  }

  /**
   * Opens a blob for streaming. The returned stream verifies size and digest as it flows and
   * throws a DigestError after the last chunk when they do not match: write to a temp file and
   * commit only after the iteration ended cleanly.
   */
  async fetchBlob(
    repo: RepositoryRef,
    blob: { digest: Digest; size?: number },
    options: CallOptions = {},
  ): Promise<BlobDownload> {
    const req: RegistryRequest = {
      registry: repo.registry,
      repository: repo.repository,
      method: 'GET',
      path: `${repoPath(repo.repository)}/blobs/${blob.digest}`,
      scopes: [scope(repo.repository, 'pull')],
      operation: `GET blob ${blob.digest}`,
      ...options,
    };
    const res = await this.transport.request(req);
    if (!res.ok) return this.transport.fail(res, req);
    const length = Number(res.headers.get('content-length'));
    const size = blob.size ?? (Number.isFinite(length) ? length : undefined);
    const body = res.body ?? (async function* () {})();
    const stream = verifyStream(body as AsyncIterable<Uint8Array>, blob.digest, {
      ...(size !== undefined ? { size } : {}),
      what: `blob ${blob.digest} from ${formatReference(repo)}`,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { size: size ?? -1, stream };
  }

  /** A small blob (a config) in memory, verified; refuses more than `maxBytes` (default 4 MiB). */
  async readBlob(
    repo: RepositoryRef,
    blob: { digest: Digest; size?: number },
    options: CallOptions & { maxBytes?: number } = {},
  ): Promise<Buffer> {
    const max = options.maxBytes ?? this.maxManifestSize;
    if (blob.size !== undefined && blob.size > max) {
      throw new RegistryProtocolError(
        `${where(repo.registry, repo.repository)}: blob ${blob.digest} of ${blob.size} bytes is larger than the limit of ${max} for reading into memory`,
        {
          registry: repo.registry,
          repository: repo.repository,
          operation: `GET blob ${blob.digest}`,
        },
      );
    }
    const download = await this.fetchBlob(repo, blob, options);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of download.stream) {
      size += chunk.length;
      if (size > max)
        throw new RegistryProtocolError(
          `${where(repo.registry, repo.repository)}: blob ${blob.digest} is larger than the limit of ${max} bytes`,
          {
            registry: repo.registry,
            repository: repo.repository,
            operation: `GET blob ${blob.digest}`,
          },
        );
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /**
   * Mounts a blob from another repository of the same registry. True when mounted; false when
   * the registry declined (the blob must then be uploaded).
   */
  async mountBlob(
    repo: RepositoryRef,
    digest: Digest,
    from: string,
    options: CallOptions = {},
  ): Promise<boolean> {
    const result = await uploadBlob(this.transport, repo, { digest, size: -1 }, undefined, {
      mountFrom: from,
      mountOnly: true,
      chunkSize: this.chunkSize,
      ...options,
    });
    return result === 'mounted';
  }

  /**
   * Uploads a blob unless the repository has it: tries a mount when `mountFrom` is given, then a
   * monolithic PUT (or PATCH chunks). A failed upload is retried from a fresh session when the
   * source can be re-opened (bytes or a function). The registry checks the digest on commit.
   */
  async pushBlob(
    repo: RepositoryRef,
    blob: { digest: Digest; size: number },
    source: BlobSource,
    options: PushBlobOptions = {},
  ): Promise<PushBlobResult> {
    if (options.skipExisting !== false) {
      const size = await this.blobExists(repo, blob.digest, options);
      if (size !== undefined) {
        options.onProgress?.(blob.size);
        return 'exists';
      }
    }
    const upload: UploadOptions = { chunkSize: this.chunkSize, ...options };
    return uploadBlob(this.transport, repo, blob, source, upload);
  }

  /**
   * Reads a manifest or index by tag or digest. Refuses more than `maxManifestSize` bytes and
   * verifies the digest: against the reference's digest, else the registry's
   * `Docker-Content-Digest`. Throws RegistryNotFoundError when it does not exist.
   */
  async fetchManifest(
    ref: ImageReference,
    options: CallOptions & { accept?: readonly string[] } = {},
  ): Promise<FetchedManifest> {
    const reference = manifestReference(ref);
    const req: RegistryRequest = {
      registry: ref.registry,
      repository: ref.repository,
      method: 'GET',
      path: `${repoPath(ref.repository)}/manifests/${reference}`,
      headers: { accept: (options.accept ?? MANIFEST_MEDIA_TYPES).join(', ') },
      scopes: [scope(ref.repository, 'pull')],
      operation: `GET manifest "${reference}"`,
      ...(options.signal ? { signal: options.signal } : {}),
    };
    const res = await this.transport.request(req);
    if (!res.ok) return this.transport.fail(res, req);
    const bytes = await readLimited(res, this.maxManifestSize, `manifest "${reference}"`, req);
    const what = `manifest ${formatReference(ref)}`;
    const header = res.headers.get('docker-content-digest');
    let digest: Digest;
    if (ref.digest) {
      verifyBytes(bytes, ref.digest, what);
      digest = ref.digest;
    } else {
      digest = sha256(bytes);
      if (header && isDigest(header)) {
        if (digestAlgorithm(header) === 'sha256' && header !== digest) {
          throw new DigestError(
            `${what} does not match the registry's Docker-Content-Digest: expected ${header}, got ${digest}`,
            { expected: header, actual: digest },
          );
        }
        if (digestAlgorithm(header) !== 'sha256') verifyBytes(bytes, header, what);
      }
    }
    const contentType = res.headers.get('content-type') ?? undefined;
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(bytes, contentType, what);
    } catch (err) {
      throw new RegistryProtocolError(`${where(ref.registry, ref.repository)}: ${(err as Error).message}`, {
        registry: ref.registry,
        repository: ref.repository,
        operation: req.operation,
        cause: err,
      });
    }
    return { descriptor: { mediaType: parsed.mediaType, digest, size: bytes.length }, bytes, parsed };
  }

  /** The manifest's descriptor (HEAD), or undefined when it does not exist. */
  async headManifest(ref: ImageReference, options: CallOptions = {}): Promise<Descriptor | undefined> {
    const reference = manifestReference(ref);
    const req: RegistryRequest = {
      registry: ref.registry,
      repository: ref.repository,
      method: 'HEAD',
      path: `${repoPath(ref.repository)}/manifests/${reference}`,
      headers: { accept: MANIFEST_MEDIA_TYPES.join(', ') },
      scopes: [scope(ref.repository, 'pull')],
      operation: `HEAD manifest "${reference}"`,
      ...options,
    };
    const res = await this.transport.request(req);
    await res.body?.cancel();
    if (res.status === 404) return undefined;
    if (!res.ok) return this.transport.fail(res, req);
    const digest = res.headers.get('docker-content-digest') ?? ref.digest;
    if (!isDigest(digest)) {
      // Without the header a HEAD says nothing reliable: read the manifest.
      return (await this.fetchManifest(ref, options)).descriptor;
    }
    return {
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]!.trim(),
      digest,
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  /**
   * Stores a manifest or index under the reference's tag (or its digest, or — with neither —
   * its own digest). Returns its descriptor. The referenced blobs/manifests must already exist.
   */
  async pushManifest(
    ref: ImageReference,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<Descriptor> {
    const digest = sha256(bytes);
    if (ref.digest && ref.digest !== digest) {
      throw new DigestError(
        `manifest for ${formatReference(ref)} hashes to ${digest}, not the digest in the reference`,
        { expected: ref.digest, actual: digest },
      );
    }
    const reference = ref.tag ?? digest;
    const req: RegistryRequest = {
      registry: ref.registry,
      repository: ref.repository,
      method: 'PUT',
      path: `${repoPath(ref.repository)}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: () => bytes,
      scopes: [scope(ref.repository, 'pull,push')],
      operation: `PUT manifest "${reference}"`,
      ...options,
    };
    const res = await this.transport.request(req);
    if (res.status !== 201 && res.status !== 200 && res.status !== 202) return this.transport.fail(res, req);
    await res.body?.cancel();
    const answered = res.headers.get('docker-content-digest');
    if (answered && isDigest(answered) && digestAlgorithm(answered) === 'sha256' && answered !== digest) {
      throw new RegistryProtocolError(
        `${where(ref.registry, ref.repository)}: the registry stored manifest "${reference}" as ${answered}, but it hashes to ${digest}`,
        {
          registry: ref.registry,
          repository: ref.repository,
          operation: req.operation,
        },
      );
    }
    return { mediaType, digest, size: bytes.byteLength };
  }

  /** Deletes a manifest by digest (registries refuse deleting by tag). */
  async deleteManifest(ref: ImageReference & { digest: Digest }, options: CallOptions = {}): Promise<void> {
    const req: RegistryRequest = {
      registry: ref.registry,
      repository: ref.repository,
      method: 'DELETE',
      path: `${repoPath(ref.repository)}/manifests/${ref.digest}`,
      scopes: [`repository:${ref.repository}:delete`],
      operation: `DELETE manifest "${ref.digest}"`,
      ...options,
    };
    const res = await this.transport.request(req);
    if (res.status !== 202 && res.status !== 200) return this.transport.fail(res, req);
    await res.body?.cancel();
  }

  /** Every tag of a repository, following `Link: <…>; rel="next"` pages. */
  async listTags(repo: RepositoryRef, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined =
      `${repoPath(repo.repository)}/tags/list${options.pageSize ? `?n=${options.pageSize}` : ''}`;
    for (let page = 0; path !== undefined; page += 1) {
      if (page > 100_000)
        throw new RegistryProtocolError(
          `${where(repo.registry, repo.repository)}: tag listing did not end after 100000 pages`,
          { registry: repo.registry, repository: repo.repository, operation: 'GET tags' },
        );
      const req: RegistryRequest = {
        registry: repo.registry,
        repository: repo.repository,
        method: 'GET',
        path,
        scopes: [scope(repo.repository, 'pull')],
        operation: 'GET tags',
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const res = await this.transport.request(req);
      if (!res.ok) return this.transport.fail(res, req);
      const body = JSON.parse(
        (await readLimited(res, 64 * 1024 * 1024, 'tag list', req)).toString('utf8'),
      ) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = res.headers.get('link');
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link)?.[1] : undefined;
      path = next
        ? next.startsWith('/')
          ? next
          : new URL(next, this.transport.baseUrl(repo.registry)).toString()
        : undefined;
    }
    return tags;
  }
}
