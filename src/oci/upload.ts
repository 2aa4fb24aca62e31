/**
 * Blob upload sessions: POST (optionally as a cross-repository mount), then one PUT with the
 * whole body or PATCH chunks and a closing PUT. A session that fails is restarted from scratch
 * (a new POST) when the source can be produced again.
 */
import { DigestError, type Digest } from './digest.js';
import { RegistryError, RegistryProtocolError, RegistryUnavailableError, where } from './errors.js';
import type { RepositoryRef } from './reference.js';
import type { RegistryRequest, RegistryTransport } from './transport.js';

/** Blob bytes: in memory, or a function that opens a fresh stream each time it is called. */
export type BlobSource = Uint8Array | (() => AsyncIterable<Uint8Array>);

export interface UploadOptions {
  mountFrom?: string;
  /** Only try the mount; do not upload (for mountBlob). */
  mountOnly?: boolean;
  chunked?: boolean;
  chunkSize: number;
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** Fresh sessions after a failed one (default 2). */
  sessionRetries?: number;
}

function withDigest(location: string, digest: Digest): string {
  return `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

async function* counted(
  source: AsyncIterable<Uint8Array>,
  onProgress: ((n: number) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  let done = 0;
  for await (const chunk of source) {
    done += chunk.byteLength;
    onProgress?.(done);
    yield chunk;
  }
}

function open(source: BlobSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    // Slices so progress moves; no copy.
    const slices: Uint8Array[] = [];
    for (let i = 0; i < source.byteLength; i += 1024 * 1024) slices.push(source.subarray(i, i + 1024 * 1024));
    let next = 0;
    return {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          Promise.resolve(
            next < slices.length
              ? { done: false, value: slices[next++]! }
              : { done: true as const, value: undefined },
          ),
      }),
    };
  }
  return source();
}

/** Groups a stream into chunks of exactly `size` bytes (the last may be shorter). */
async function* rechunk(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let held = 0;
  for await (const chunk of source) {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (held + buf.length >= size) {
      const take = size - held;
      parts.push(buf.subarray(0, take));
      yield Buffer.concat(parts);
      parts = [];
      held = 0;
      buf = buf.subarray(take);
    }
    if (buf.length > 0) {
      parts.push(Buffer.from(buf)); // copy: the producer may reuse its buffer
      held += buf.length;
    }
  }
  if (held > 0) yield Buffer.concat(parts);
}

export async function uploadBlob(
  transport: RegistryTransport,
  repo: RepositoryRef,
  blob: { digest: Digest; size: number },
  source: BlobSource | undefined,
  options: UploadOptions,
): Promise<'mounted' | 'uploaded'> {
  const base = {
    registry: repo.registry,
    repository: repo.repository,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const scopes = [`repository:${repo.repository}:pull,push`];
  const location = (res: Response, req: RegistryRequest): string => {
    const value = res.headers.get('location');
    if (!value) {
      throw new RegistryProtocolError(
        `${where(repo.registry, repo.repository)}: ${req.operation}: the registry answered ${res.status} without a Location`,
        {
          registry: repo.registry,
          repository: repo.repository,
          operation: req.operation,
          status: res.status,
        },
      );
    }
    return new URL(value, `${transport.baseUrl(repo.registry)}/`).toString();
  };

  const retries =
    source === undefined || source instanceof Uint8Array || typeof source === 'function'
      ? (options.sessionRetries ?? 2)
      : 0;
  for (let session = 0; ; session += 1) {
    try {
      // 1. Start a session (or mount).
      const mount =
        options.mountFrom && options.mountFrom !== repo.repository && session === 0
          ? options.mountFrom
          : undefined;
      const start: RegistryRequest = {
        ...base,
        method: 'POST',
        path: `/v2/${repo.repository}/blobs/uploads/${mount ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mount)}` : ''}`,
        headers: { 'content-length': '0' },
        scopes: mount ? [...scopes, `repository:${mount}:pull`] : scopes,
        operation: mount
          ? `mount blob ${blob.digest} from "${mount}"`
          : `start upload of blob ${blob.digest}`,
      };
      const started = await transport.request(start);
      if (mount && started.status === 201) {
        await started.body?.cancel();
        if (blob.size >= 0) options.onProgress?.(blob.size);
        return 'mounted';
      }
      if (started.status !== 202) return await transport.fail(started, start);
      await started.body?.cancel();
      let url = location(started, start);
      if (options.mountOnly) {
        // Close the session the registry opened instead of mounting.
        await transport
          .request({ ...base, method: 'DELETE', path: url, scopes, operation: 'cancel upload', retry: false })
          .then(
            (r) => r.body?.cancel(),
            () => undefined,
          );
        return 'uploaded';
      }
      if (source === undefined) throw new Error('uploadBlob: a source is required');

      if (!options.chunked) {
        // 2a. Monolithic: one PUT with the whole body.
        const put: RegistryRequest = {
          ...base,
          method: 'PUT',
          path: withDigest(url, blob.digest),
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
          body: () => counted(open(source), options.onProgress),
          scopes,
          operation: `PUT blob ${blob.digest}`,
          retry: false,
        };
        const res = await transport.request(put);
        if (res.status !== 201) return await transport.fail(res, put);
        await res.body?.cancel();
        return 'uploaded';
      }

      // 2b. Chunked: PATCH each chunk with its Content-Range, then PUT to commit.
      let offset = 0;
      for await (const chunk of rechunk(open(source), options.chunkSize)) {
        const patch: RegistryRequest = {
          ...base,
          method: 'PATCH',
          path: url,
          headers: {
            'content-type': 'application/octet-stream',
            'content-length': String(chunk.length),
            'content-range': `${offset}-${offset + chunk.length - 1}`,
          },
          body: () => chunk,
          scopes,
          operation: `PATCH blob ${blob.digest} bytes ${offset}-${offset + chunk.length - 1}`,
          retry: false,
        };
        const res = await transport.request(patch);
        if (res.status !== 202) return await transport.fail(res, patch);
        await res.body?.cancel();
        url = location(res, patch);
        offset += chunk.length;
        options.onProgress?.(offset);
      }
      const commit: RegistryRequest = {
        ...base,
        method: 'PUT',
        path: withDigest(url, blob.digest),
        headers: { 'content-length': '0' },
        scopes,
        operation: `commit upload of blob ${blob.digest}`,
        retry: false,
      };
      const res = await transport.request(commit);
      if (res.status !== 201) return await transport.fail(res, commit);
      await res.body?.cancel();
      return 'uploaded';
    } catch (err) {
      options.signal?.throwIfAborted();
      // The source itself was bad (a digest mismatch while copying): say so, do not retry.
      for (let e: unknown = err; e instanceof Error; e = e.cause) if (e instanceof DigestError) throw e;
      const transient =
        err instanceof RegistryUnavailableError ||
        (err instanceof RegistryError && (err.status ?? 0) >= 500) ||
        err instanceof TypeError;
      if (!transient || session >= retries) {
        if (err instanceof TypeError) {
          throw new RegistryUnavailableError(
            `${where(repo.registry, repo.repository)}: uploading blob ${blob.digest} failed: ${err.message}`,
            {
              registry: repo.registry,
              repository: repo.repository,
              operation: `upload blob ${blob.digest}`,
              attempts: session + 1,
              cause: err,
            },
          );
        }
        throw err;
      }
    }
  }
}
