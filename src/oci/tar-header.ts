/**
 * The 512-byte ustar header, pax extended records and the path rules shared by the tar writer
 * and reader. Pure functions over buffers; no I/O.
 */
import { posix } from 'node:path';

export const BLOCK = 512;

/** What Lading reads and writes. Devices, fifos, sparse and other special entries are refused. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink';

/** One entry as the reader reports it, after pax and GNU long-name records have been applied. */
export interface TarHeader {
  /** Relative POSIX path without a leading `./`; directories carry no trailing slash. */
  name: string;
  type: TarEntryType;
  /** Body length in bytes (0 for anything but files). */
  size: number;
  /** Permission bits (`0o7777` at most). */
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  /** Target of a symlink (as written) or a hardlink (a path in the archive); `''` otherwise. */
  linkname: string;
  /** Extended pax records of this entry (global ones included), for callers that need xattrs. */
  pax: Readonly<Record<string, string>>;
}

/** A tar archive (or one of its entries) breaks a rule; the message names the entry and the rule. */
export class TarError extends Error {
  /** The entry the problem is about, when there is one. */
  readonly entry: string | undefined;

  constructor(message: string, options: { entry?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TarError';
    this.entry = options.entry;
  }
}

const TYPE_FLAGS: Record<TarEntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  directory: '5',
};

/**
 * Normalises an entry name (strips `./` and trailing `/`) and checks it is a safe relative path:
 * not empty, not absolute, no `..` segment, no NUL, no backslash-drive tricks.
 * Throws a TarError naming the entry otherwise.
 */
export function safeEntryName(raw: string): string {
  if (raw.includes('\0'))
    throw new TarError(`tar entry ${JSON.stringify(raw)} must not contain a NUL byte`, { entry: raw });
  if (raw.startsWith('/') || /^[A-Za-z]:[\\/]/.test(raw) || raw.startsWith('\\')) {
    throw new TarError(`tar entry ${JSON.stringify(raw)} must not be an absolute path`, { entry: raw });
  }
  const segments = raw.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) {
    throw new TarError(`tar entry ${JSON.stringify(raw)} must not contain a ".." segment`, { entry: raw });
  }
  if (segments.length === 0)
    throw new TarError(`tar entry ${JSON.stringify(raw)} has an empty name`, { entry: raw });
  return segments.join('/');
}

/**
 * Checks that a symlink at `name` pointing at `target` stays inside the archive's root when
 * resolved lexically from the link's own directory. Absolute targets are refused.
 */
export function checkSymlinkTarget(name: string, target: string): void {
  if (target === '') throw new TarError(`tar symlink "${name}" has an empty target`, { entry: name });
  if (target.includes('\0'))
    throw new TarError(`tar symlink "${name}" target must not contain a NUL byte`, { entry: name });
  if (target.startsWith('/')) {
    throw new TarError(`tar symlink "${name}" must not point to the absolute path "${target}"`, {
      entry: name,
    });
  }
  const resolved = posix.normalize(posix.join(posix.dirname(name), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new TarError(`tar symlink "${name}" -> "${target}" must not point outside the archive`, {
      entry: name,
    });
  }
}

// ---- encoding --------------------------------------------------------------------------------

const MAX_OCTAL_8 = 0o7777777; // 7 digits
const MAX_OCTAL_12 = 0o77777777777; // 11 digits

function writeString(block: Buffer, offset: number, length: number, value: string): void {
  block.write(value, offset, length, 'utf8');
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  block.write(digits + '\0', offset, length, 'ascii');
}

function isAscii(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /^[\x01-\x7f]*$/.test(value);
}

/** The fields the writer puts in a header (after normalisation). */
export interface HeaderFields {
  name: string;
  type: TarEntryType | 'pax';
  size: number;
  mode: number;
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  linkname: string;
}

/** Splits a name into ustar `prefix` and `name` when it fits, else undefined. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  for (let i = name.indexOf('/'); i !== -1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (prefix.length <= 155 && rest.length <= 100 && rest.length > 0) return { prefix, name: rest };
    if (prefix.length > 155) break;
  }
  return undefined;
}

/**
 * Pax records needed to carry `fields` faithfully (long or non-ASCII names, big sizes, big ids),
 * in a fixed key order so that output is deterministic.
 */
export function paxRecordsFor(fields: HeaderFields): Array<[string, string]> {
  const records: Array<[string, string]> = [];
  if (!splitUstarName(fields.name)) records.push(['path', fields.name]);
  if (fields.linkname.length > 100 || !isAscii(fields.linkname)) records.push(['linkpath', fields.linkname]);
  if (fields.size > MAX_OCTAL_12) records.push(['size', String(fields.size)]);
  if (fields.uid > MAX_OCTAL_8) records.push(['uid', String(fields.uid)]);
  if (fields.gid > MAX_OCTAL_8) records.push(['gid', String(fields.gid)]);
  if (fields.mtime > MAX_OCTAL_12 || fields.mtime < 0) records.push(['mtime', String(fields.mtime)]);
  if (fields.uname.length > 32 || !isAscii(fields.uname)) records.push(['uname', fields.uname]);
  if (fields.gname.length > 32 || !isAscii(fields.gname)) records.push(['gname', fields.gname]);
  return records;
}

/** Encodes pax records: `"<len> <key>=<value>\n"`, where len counts the whole record. */
export function encodePaxRecords(records: ReadonlyArray<readonly [string, string]>): Buffer {
  const parts = records.map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    const bodyLength = Buffer.byteLength(body);
    let digits = 1;
    while (String(bodyLength + digits).length !== digits) digits += 1;
    const length = bodyLength + digits;
    return Buffer.from(`${length}${body}`, 'utf8');
  });
  return Buffer.concat(parts);
}

function asciiFallback(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const ascii = value.replace(/[^\x01-\x7f]/g, '_');
  return ascii.length <= max ? ascii : ascii.slice(0, max);
}

/** Encodes one header block. Values that do not fit are truncated: pax records carry the truth. */
export function encodeHeader(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  const split = splitUstarName(fields.name);
  if (split) {
    writeString(block, 0, 100, split.name);
    writeString(block, 345, 155, split.prefix);
  } else {
    writeString(block, 0, 100, asciiFallback(fields.name, 100));
  }
  writeOctal(block, 100, 8, fields.mode & 0o7777);
  writeOctal(block, 108, 8, Math.min(fields.uid, MAX_OCTAL_8));
  writeOctal(block, 116, 8, Math.min(fields.gid, MAX_OCTAL_8));
  writeOctal(block, 124, 12, fields.size > MAX_OCTAL_12 ? 0 : fields.size);
  writeOctal(block, 136, 12, Math.max(0, Math.min(fields.mtime, MAX_OCTAL_12)));
  block.write('        ', 148, 8, 'ascii');
  block.write(fields.type === 'pax' ? 'x' : TYPE_FLAGS[fields.type], 156, 1, 'ascii');
  writeString(block, 157, 100, asciiFallback(fields.linkname, 100));
  block.write('ustar\u000000', 257, 8, 'ascii');
  writeString(block, 265, 32, asciiFallback(fields.uname, 32));
  writeString(block, 297, 32, asciiFallback(fields.gname, 32));
  writeOctal(block, 329, 8, 0);
  writeOctal(block, 337, 8, 0);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return block;
}

/** Zero bytes that pad a body of `size` bytes to a whole block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}

// ---- decoding --------------------------------------------------------------------------------

function readString(block: Buffer, offset: number, length: number): string {
  const slice = block.subarray(offset, offset + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readNumber(block: Buffer, offset: number, length: number, field: string): number {
  const first = block[offset] ?? 0;
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement with the top bit as marker.
    let value = 0;
    for (let i = 1; i < length; i += 1) value = value * 256 + (block[offset + i] ?? 0);
    if ((first & 0x7f) !== 0 || !Number.isSafeInteger(value)) {
      throw new TarError(`tar header field \`${field}\` holds a base-256 number out of range`);
    }
    return value;
  }
  const text = block
    .subarray(offset, offset + length)
    .toString('ascii')
    .replace(/[\0 ]+$/g, '')
    .replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new TarError(`tar header field \`${field}\` is not an octal number: ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

/** True for an all-zero block (end-of-archive marker). */
export function isZeroBlock(block: Buffer): boolean {
  for (const byte of block) if (byte !== 0) return false;
  return true;
}

/** A header as it sits in the archive, before pax/GNU records are applied. */
export interface RawHeader {
  name: string;
  flag: string;
  size: number;
  mode: number;
  mtime: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  linkname: string;
}

/** Decodes one header block; verifies its checksum. */
export function decodeHeader(block: Buffer): RawHeader {
  const stored = readNumber(block, 148, 8, 'chksum');
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i += 1) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (stored !== unsigned && stored !== signed) {
    throw new TarError('tar header checksum does not match: the archive is corrupt or not a tar file');
  }
  const magic = block.subarray(257, 263).toString('ascii');
  let name = readString(block, 0, 100);
  if (magic.startsWith('ustar')) {
    const prefix = readString(block, 345, magic === 'ustar\0' ? 155 : 131);
    if (prefix !== '' && magic === 'ustar\0') name = `${prefix}/${name}`;
  }
  const flag = String.fromCharCode(block[156] ?? 0);
  return {
    name,
    flag: flag === '\0' ? '0' : flag,
    size: readNumber(block, 124, 12, 'size'),
    mode: readNumber(block, 100, 8, 'mode'),
    mtime: readNumber(block, 136, 12, 'mtime'),
    uid: readNumber(block, 108, 8, 'uid'),
    gid: readNumber(block, 116, 8, 'gid'),
    uname: readString(block, 265, 32),
    gname: readString(block, 297, 32),
    linkname: readString(block, 157, 100),
  };
}

/** Parses pax records; throws on a malformed record. */
export function decodePaxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space === -1) throw new TarError('tar pax header has a record without a length');
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= space - offset || offset + length > data.length) {
      throw new TarError('tar pax header has a record with a bad length');
    }
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq === -1) throw new TarError('tar pax header has a record without "="');
    records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}
