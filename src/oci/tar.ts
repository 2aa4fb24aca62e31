/**
 * Tar and gzip for image layers and archives: a streaming, deterministic writer; a streaming
 * reader that refuses unsafe entries; directory walk and safe extraction; gzip through node:zlib.
 */
import { constants, createGunzip, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';

export { TarError, type TarEntryType, type TarHeader } from './tar-header.js';
export {
  writeTar,
  packTar,
  DETERMINISTIC_TAR,
  type TarBody,
  type TarInput,
  type TarWriterOptions,
} from './tar-writer.js';
export { readTar, type TarEntry, type TarReaderOptions } from './tar-reader.js';
export { directoryEntries, extractTar, type DirectoryEntriesOptions, type ExtractOptions } from './tar-fs.js';

export interface GzipOptions {
  /** zlib level 0–9 (default 6: the level Docker, containerd and skopeo use). */
  level?: number;
  signal?: AbortSignal;
}

/**
 * Compresses a stream. Node's gzip header carries no file name and a zero mtime, so the same
 * input, level and zlib version give the same bytes.
 */
export function gzip(source: AsyncIterable<Uint8Array>, options: GzipOptions = {}): Readable {
  const zip = createGzip({ level: options.level ?? constants.Z_DEFAULT_COMPRESSION });
  const input = Readable.from(source, {
    objectMode: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  input.on('error', (err) => zip.destroy(err));
  return input.pipe(zip);
}

/** Decompresses a gzip stream; a corrupt or truncated stream fails with zlib's error. */
export function gunzip(source: AsyncIterable<Uint8Array>, options: { signal?: AbortSignal } = {}): Readable {
  const unzip = createGunzip();
  const input = Readable.from(source, {
    objectMode: false,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  input.on('error', (err) => unzip.destroy(err));
  return input.pipe(unzip);
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Passes a stream through, decompressing it when it starts with the gzip magic number; layers
 * may be either (`…tar` or `…tar+gzip`), and this saves callers from trusting the media type.
 */
export async function* gunzipIfNeeded(source: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await iterator.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  async function* rest(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      yield Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    }
  }
  if (isGzip(head)) yield* gunzip(rest());
  else yield* rest();
}
