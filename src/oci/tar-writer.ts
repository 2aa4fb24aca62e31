/**
 * Streaming tar writer (ustar, with pax records for what ustar cannot hold). Entries are pulled
 * lazily from an (async) iterable and file bodies are streamed, so archives of any size are
 * written in constant memory. With the same entries and options the output is byte-identical.
 */
import { posix } from 'node:path';
import {
  BLOCK,
  TarError,
  checkSymlinkTarget,
  encodeHeader,
  encodePaxRecords,
  padding,
  paxRecordsFor,
  safeEntryName,
  type HeaderFields,
  type TarEntryType,
} from './tar-header.js';

/** A file body: bytes, text, a stream, or a function opening a stream when the entry is written. */
export type TarBody = Uint8Array | string | AsyncIterable<Uint8Array> | (() => AsyncIterable<Uint8Array>);

/** One entry to write. */
export interface TarInput {
  /** Relative POSIX path; a leading `./` and trailing `/` are dropped. `..` and absolute paths are refused. */
  name: string;
  /** Default `file`. */
  type?: TarEntryType;
  /** Required when `body` is a stream: the exact number of bytes it yields. */
  size?: number;
  body?: TarBody;
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  /** Seconds since the epoch or a Date; default 0. */
  mtime?: number | Date;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /** Target of a symlink (relative, must stay inside the archive) or hardlink (an earlier entry). */
  linkname?: string;
}

/**
 * Normalisation applied to every entry; set these to make archives reproducible whatever the
 * file system said (see `DETERMINISTIC_TAR`).
 */
export interface TarWriterOptions {
  /** Overrides every entry's mtime (seconds since the epoch or a Date). */
  mtime?: number | Date;
  uid?: number;
  gid?: number;
  uname?: string;
  gname?: string;
  /**
   * `normalize`: files 0o644, or 0o755 when any execute bit is set; directories 0o755; symlinks 0o777.
   * `preserve` (default): the entry's mode, masked to 0o7777.
   */
  modes?: 'normalize' | 'preserve';
  /** Stop between entries and chunks. */
  signal?: AbortSignal;
}

/** Options that make output depend on names, types and contents only. */
export const DETERMINISTIC_TAR: Readonly<TarWriterOptions> = Object.freeze({
  mtime: 0,
  uid: 0,
  gid: 0,
  uname: '',
  gname: '',
  modes: 'normalize',
});

function seconds(value: number | Date | undefined): number {
  if (value === undefined) return 0;
  return value instanceof Date ? Math.floor(value.getTime() / 1000) : Math.floor(value);
}

function normalMode(type: TarEntryType, mode: number | undefined, how: 'normalize' | 'preserve'): number {
  if (type === 'directory') return how === 'normalize' ? 0o755 : (mode ?? 0o755) & 0o7777;
  if (type === 'symlink') return 0o777;
  if (how === 'normalize') return (mode ?? 0o644) & 0o111 ? 0o755 : 0o644;
  return (mode ?? 0o644) & 0o7777;
}

function bodyOf(body: TarBody | undefined): { bytes?: Buffer; stream?: () => AsyncIterable<Uint8Array> } {
  if (body === undefined) return { bytes: Buffer.alloc(0) };
  if (typeof body === 'string') return { bytes: Buffer.from(body, 'utf8') };
  if (body instanceof Uint8Array)
    return { bytes: Buffer.from(body.buffer, body.byteOffset, body.byteLength) };
  if (typeof body === 'function') return { stream: body };
  return { stream: () => body };
}

function paxName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = posix.basename(name).replace(/[^\x01-\x7f]/g, '_');
  return `PaxHeaders/${base}`.slice(0, 100);
}

/**
 * Yields the archive as chunks. Throws a TarError for an unsafe name, a link pointing outside,
 * a hardlink to an entry not written before, or a stream body whose length differs from `size`.
 */
export async function* writeTar(
  entries: Iterable<TarInput> | AsyncIterable<TarInput>,
  options: TarWriterOptions = {},
): AsyncGenerator<Buffer> {
  const modes = options.modes ?? 'preserve';
  const files = new Set<string>();
  for await (const input of entries) {
    options.signal?.throwIfAborted();
    const type = input.type ?? 'file';
    const name = safeEntryName(input.name);
    let linkname = '';
    if (type === 'symlink') {
      linkname = input.linkname ?? '';
      checkSymlinkTarget(name, linkname);
    } else if (type === 'hardlink') {
      linkname = safeEntryName(input.linkname ?? '');
      if (!files.has(linkname)) {
        throw new TarError(
          `tar hardlink "${name}" must point to a file written before it, not "${linkname}"`,
          {
            entry: name,
          },
        );
      }
    }
    const body = type === 'file' ? bodyOf(input.body) : { bytes: Buffer.alloc(0) };
    const size = body.bytes ? body.bytes.length : input.size;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
      throw new TarError(`tar entry "${name}" streams its body and must declare its \`size\``, {
        entry: name,
      });
    }
    if (body.bytes && input.size !== undefined && input.size !== size) {
      throw new TarError(`tar entry "${name}" has ${size} bytes but declares \`size\` ${input.size}`, {
        entry: name,
      });
    }
    const fields: HeaderFields = {
      name: type === 'directory' ? `${name}/` : name,
      type,
      size,
      mode: normalMode(type, input.mode, modes),
      mtime: options.mtime !== undefined ? seconds(options.mtime) : seconds(input.mtime),
      uid: options.uid ?? input.uid ?? 0,
      gid: options.gid ?? input.gid ?? 0,
      uname: options.uname ?? input.uname ?? '',
      gname: options.gname ?? input.gname ?? '',
      linkname,
    };
    const records = paxRecordsFor(fields);
    if (records.length > 0) {
      const data = encodePaxRecords(records);
      yield encodeHeader({
        name: paxName(name),
        type: 'pax',
        size: data.length,
        mode: 0o644,
        mtime: fields.mtime < 0 ? 0 : Math.min(fields.mtime, 0o77777777777),
        uid: 0,
        gid: 0,
        uname: '',
        gname: '',
        linkname: '',
      });
      yield Buffer.concat([data, Buffer.alloc(padding(data.length))]);
    }
    yield encodeHeader(fields);
    if (body.bytes) {
      if (body.bytes.length > 0) yield Buffer.concat([body.bytes, Buffer.alloc(padding(size))]);
    } else if (body.stream) {
      let written = 0;
      for await (const chunk of body.stream()) {
        options.signal?.throwIfAborted();
        written += chunk.byteLength;
        if (written > size) break;
        yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
      if (written !== size) {
        throw new TarError(
          `tar entry "${name}" declares \`size\` ${size} but its body ${written > size ? 'is longer' : `has ${written} bytes`}`,
          {
            entry: name,
          },
        );
      }
      const pad = padding(size);
      if (pad > 0) yield Buffer.alloc(pad);
    }
    if (type === 'file' || type === 'hardlink') files.add(name);
    else files.delete(name);
  }
  yield Buffer.alloc(BLOCK * 2);
}

/** The whole archive in memory; for small archives (configs, tests). */
export async function packTar(
  entries: Iterable<TarInput> | AsyncIterable<TarInput>,
  options: TarWriterOptions = {},
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of writeTar(entries, options)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
