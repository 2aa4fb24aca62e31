/**
 * Streaming tar reader. It yields one entry at a time; an entry's body streams straight from the
 * source and is skipped when the caller moves on without reading it. It refuses what must never be
 * extracted: `..` or absolute names, devices and fifos, symlinks resolving outside the archive,
 * hardlinks to anything but an earlier file, entries below a symlink, and truncated archives.
 */
import { posix } from 'node:path';
import {
  BLOCK,
  TarError,
  checkSymlinkTarget,
  decodeHeader,
  decodePaxRecords,
  isZeroBlock,
  padding,
  safeEntryName,
  type RawHeader,
  type TarEntryType,
  type TarHeader,
} from './tar-header.js';

export interface TarReaderOptions {
  /** Largest body of one entry, in bytes (default unlimited). */
  maxEntrySize?: number;
  /** Largest sum of all bodies, in bytes (default unlimited). */
  maxTotalSize?: number;
  /** Most entries (default 1,000,000). */
  maxEntries?: number;
  signal?: AbortSignal;
}

/** An entry being read. Its body can be iterated once, before asking for the next entry. */
export interface TarEntry {
  header: TarHeader;
  /** The body's chunks (empty for anything but files). */
  body(): AsyncIterable<Buffer>;
  /** The whole body in memory; throws when it is larger than `maxBytes`. */
  buffer(maxBytes?: number): Promise<Buffer>;
}

const MAX_META = 1024 * 1024;

/** Pulls exact byte counts out of an async iterable of chunks. */
class ByteSource {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes handed out so far. */
  offset = 0;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async fill(n: number): Promise<void> {
    while (this.buffered < n && !this.ended) {
      const next = await this.iterator.next();
      if (next.done) {
        this.ended = true;
        break;
      }
      const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
      if (chunk.length === 0) continue;
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let out: Buffer;
    if (first && first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      const all = Buffer.concat(this.chunks);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    this.offset += n;
    return out;
  }

  /** Exactly `n` bytes, or fewer only when the source ends (the caller decides what that means). */
  async read(n: number): Promise<Buffer> {
    await this.fill(n);
    return this.take(Math.min(n, this.buffered));
  }

  /** Up to `max` bytes that are available without waiting for more than one chunk; empty at end. */
  async readSome(max: number): Promise<Buffer> {
    if (this.buffered === 0) await this.fill(1);
    const first = this.chunks[0];
    if (!first) return Buffer.alloc(0);
    return this.take(Math.min(max, first.length));
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

function truncated(what: string, cause?: unknown): TarError {
  return new TarError(`tar archive is truncated: ${what}; the file is incomplete or corrupt`, { cause });
}

function typeOf(flag: string, name: string): TarEntryType {
  switch (flag) {
    case '0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '5':
      return 'directory';
    case '3':
    case '4':
      throw new TarError(`tar entry "${name}" is a device file, which must not be extracted`, {
        entry: name,
      });
    case '6':
      throw new TarError(`tar entry "${name}" is a fifo, which must not be extracted`, { entry: name });
    default:
      throw new TarError(`tar entry "${name}" has the unsupported type flag ${JSON.stringify(flag)}`, {
        entry: name,
      });
  }
}

function numberRecord(records: Record<string, string>, key: string, fallback: number): number {
  const value = records[key];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n))
    throw new TarError(`tar pax record \`${key}\` is not a number: ${JSON.stringify(value)}`);
  return key === 'mtime' ? Math.floor(n) : n;
}

/**
 * Reads a tar archive (not compressed: see `gunzipIfNeeded`). Yields entries in order; throws a
 * TarError at the first entry that breaks a rule, or when the source ends before the end marker.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  options: TarReaderOptions = {},
): AsyncGenerator<TarEntry> {
  const bytes = new ByteSource(source);
  const maxEntries = options.maxEntries ?? 1_000_000;
  const files = new Set<string>();
  const symlinks = new Set<string>();
  let globalPax: Record<string, string> = {};
  let pending: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  let total = 0;
  let count = 0;

  const readMeta = async (raw: RawHeader): Promise<Buffer> => {
    if (raw.size > MAX_META)
      throw new TarError(`tar metadata entry of ${raw.size} bytes is too large (limit ${MAX_META})`);
    const data = await bytes.read(raw.size + padding(raw.size));
    if (data.length < raw.size + padding(raw.size)) throw truncated(`a ${raw.flag} header record ends early`);
    return data.subarray(0, raw.size);
  };

  const skip = async (n: number, name: string): Promise<void> => {
    if ((await bytes.read(n)).length < n) throw truncated(`entry "${name}" ends early`);
  };

  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const block = await bytes.read(BLOCK);
      if (block.length === 0) throw truncated('the end-of-archive marker is missing');
      if (block.length < BLOCK)
        throw truncated(`a header at byte ${bytes.offset - block.length} is cut short`);
      if (isZeroBlock(block)) return;
      const raw = decodeHeader(block);
      if (raw.flag === 'x' || raw.flag === 'g') {
        const records = decodePaxRecords(await readMeta(raw));
        if (raw.flag === 'g') globalPax = { ...globalPax, ...records };
        else pending = { ...pending, ...records };
        continue;
      }
      if (raw.flag === 'L' || raw.flag === 'K') {
        const value = (await readMeta(raw)).toString('utf8').replace(/\0+$/, '');
        if (raw.flag === 'L') longName = value;
        else longLink = value;
        continue;
      }
      const records = { ...globalPax, ...pending };
      const rawName = records['path'] ?? longName ?? raw.name;
      const rawLink = records['linkpath'] ?? longLink ?? raw.linkname;
      pending = {};
      longName = undefined;
      longLink = undefined;

      const type = typeOf(raw.flag, rawName);
      if (type === 'directory' && rawName.split('/').every((s) => s === '' || s === '.')) {
        // The archive's root (`./`, as `tar -C dir .` writes it): nothing to create.
        await skip(raw.size + padding(raw.size), rawName);
        continue;
      }
      const name = safeEntryName(rawName);
      count += 1;
      if (count > maxEntries)
        throw new TarError(`tar archive has more than ${maxEntries} entries`, { entry: name });
      for (let dir = posix.dirname(name); dir !== '.'; dir = posix.dirname(dir)) {
        if (symlinks.has(dir)) {
          throw new TarError(`tar entry "${name}" must not be placed below the symlink "${dir}"`, {
            entry: name,
          });
        }
      }
      let linkname = '';
      if (type === 'symlink') {
        checkSymlinkTarget(name, rawLink);
        linkname = rawLink;
      } else if (type === 'hardlink') {
        linkname = safeEntryName(rawLink);
        if (!files.has(linkname)) {
          throw new TarError(
            `tar hardlink "${name}" must point to a file earlier in the archive, not "${rawLink}"`,
            {
              entry: name,
            },
          );
        }
      }
      // Links and directories carry no body even when a header claims one (hardlinks may, in pax).
      const storedSize = numberRecord(records, 'size', raw.size);
      const size = type === 'file' ? storedSize : 0;
      if (options.maxEntrySize !== undefined && size > options.maxEntrySize) {
        throw new TarError(
          `tar entry "${name}" is ${size} bytes, more than the limit of ${options.maxEntrySize}`,
          {
            entry: name,
          },
        );
      }
      total += size;
      if (options.maxTotalSize !== undefined && total > options.maxTotalSize) {
        throw new TarError(`tar archive holds more than the limit of ${options.maxTotalSize} bytes`, {
          entry: name,
        });
      }
      const header: TarHeader = {
        name,
        type,
        size,
        mode: raw.mode & 0o7777,
        mtime: numberRecord(records, 'mtime', raw.mtime),
        uid: numberRecord(records, 'uid', raw.uid),
        gid: numberRecord(records, 'gid', raw.gid),
        uname: records['uname'] ?? raw.uname,
        gname: records['gname'] ?? raw.gname,
        linkname,
        pax: records,
      };
      if (type === 'symlink') {
        symlinks.add(name);
        files.delete(name);
      } else {
        symlinks.delete(name);
        if (type === 'file' || type === 'hardlink') files.add(name);
      }

      let remaining = storedSize;
      let started = false;
      const body = async function* (): AsyncGenerator<Buffer> {
        if (started)
          throw new TarError(`tar entry "${name}": its body can be read only once`, { entry: name });
        started = true;
        while (remaining > 0) {
          options.signal?.throwIfAborted();
          const chunk = await bytes.readSome(Math.min(remaining, 1024 * 1024));
          if (chunk.length === 0)
            throw truncated(`entry "${name}" needs ${storedSize} bytes, got ${storedSize - remaining}`);
          remaining -= chunk.length;
          yield chunk;
        }
      };
      const entry: TarEntry = {
        header,
        body: () => (type === 'file' ? body() : (async function* () {})()),
        buffer: async (maxBytes?: number) => {
          if (maxBytes !== undefined && size > maxBytes) {
            throw new TarError(
              `tar entry "${name}" is ${size} bytes, more than the ${maxBytes} this reader accepts`,
              {
                entry: name,
              },
            );
          }
          const chunks: Buffer[] = [];
          if (type === 'file') for await (const chunk of body()) chunks.push(chunk);
          return Buffer.concat(chunks);
        },
      };
      yield entry;
      // Skip whatever the caller left unread, then the padding.
      while (remaining > 0) {
        options.signal?.throwIfAborted();
        const chunk = await bytes.readSome(Math.min(remaining, 1024 * 1024));
        if (chunk.length === 0)
          throw truncated(`entry "${name}" needs ${storedSize} bytes, got ${storedSize - remaining}`);
        remaining -= chunk.length;
      }
      const pad = padding(storedSize);
      if (pad > 0 && (await bytes.read(pad)).length < pad)
        throw truncated(`entry "${name}" is missing its padding`);
    }
  } finally {
    await bytes.close();
  }
}
