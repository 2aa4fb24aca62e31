/**
 * Parsers for git's object formats (trees, commits) and commit-message trailers. Pure functions
 * on Buffers; no processes here.
 */

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

/** Entry modes as `ls-tree` prints them. */
export type FileMode = '100644' | '100755' | '120000' | '040000' | '160000';

export interface TreeEntry {
  /** One path segment (decoded as UTF-8). */
  name: string;
  mode: FileMode;
  type: 'blob' | 'tree' | 'commit';
  oid: string;
}

export interface GitSignature {
  name: string;
  email: string;
  date: Date;
  /** The author's UTC offset as written, e.g. `+0200`. */
  timezone: string;
}

export interface Trailer {
  key: string;
  value: string;
}

export interface CommitInfo {
  oid: string;
  tree: string;
  parents: string[];
  author: GitSignature;
  committer: GitSignature;
  message: string;
  /** Trailers of the message's last paragraph (see `parseTrailers`). */
  trailers: Trailer[];
}

const MODES: Record<string, FileMode> = {
  '100644': '100644',
  '100755': '100755',
  '120000': '120000',
  '40000': '040000',
  '040000': '040000',
  '160000': '160000',
  // Old git wrote group-writable blobs; git reads them as regular files.
  '100664': '100644',
};

export function entryType(mode: FileMode): TreeEntry['type'] {
  if (mode === '040000') return 'tree';
  if (mode === '160000') return 'commit';
  return 'blob';
}

/**
 * Parses a binary tree object: repeated `<octal mode> <name>\0<raw oid>`. The raw oid length is
 * 20 bytes for SHA-1 repositories and 32 for SHA-256.
 */
export function parseTree(data: Buffer, oidBytes = 20): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    const nul = data.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > data.length) {
      throw new Error(`malformed tree object at byte ${pos}`);
    }
    const rawMode = data.toString('latin1', pos, space);
    const mode = MODES[rawMode];
    if (mode === undefined) throw new Error(`unknown tree entry mode "${rawMode}"`);
    const name = data.toString('utf8', space + 1, nul);
    const oid = data.toString('hex', nul + 1, nul + 1 + oidBytes);
    entries.push({ name, mode, type: entryType(mode), oid });
    pos = nul + 1 + oidBytes;
  }
  return entries;
}

/** Parses a commit object. Unknown headers (`gpgsig`, `encoding`, `mergetag`) are skipped. */
export function parseCommit(oid: string, data: Buffer): CommitInfo {
  const text = data.toString('utf8');
  const split = text.indexOf('\n\n');
  const headerText = split < 0 ? text : text.slice(0, split);
  const message = split < 0 ? '' : text.slice(split + 2);
  let tree: string | undefined;
  const parents: string[] = [];
  let author: GitSignature | undefined;
  let committer: GitSignature | undefined;
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) continue; // continuation of a multi-line header
    const space = line.indexOf(' ');
    const key = line.slice(0, space);
    const value = line.slice(space + 1);
    if (key === 'tree') tree = value;
    else if (key === 'parent') parents.push(value);
    else if (key === 'author') author = parseSignature(value);
    else if (key === 'committer') committer = parseSignature(value);
  }
  if (tree === undefined || author === undefined || committer === undefined) {
    throw new Error(`malformed commit object ${oid}`);
  }
  return { oid, tree, parents, author, committer, message, trailers: parseTrailers(message) };
}

/** `Name <email> 1700000000 +0100` */
export function parseSignature(value: string): GitSignature {
  const match = /^(.*?) ?<([^>]*)> (-?\d+) ([+-]\d{4})$/.exec(value);
  if (match === null) throw new Error(`malformed signature "${value}"`);
  const [, name = '', email = '', seconds = '0', timezone = '+0000'] = match;
  return { name, email, date: new Date(Number(seconds) * 1000), timezone };
}

const TRAILER_LINE = /^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*)$/;

/**
 * Trailers are `Key: value` lines forming the last paragraph of a message that has at least one
 * paragraph before it (the subject is never a trailer block). Continuation lines (leading
 * whitespace) extend the previous value. The separator space is optional, so Porch's
 * `kpt:{"package":…}` parses as key `kpt`.
 */
export function parseTrailers(message: string): Trailer[] {
  const paragraphs = message
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((p) => p.replace(/^\n+|\n+$/g, ''))
    .filter((p) => p.trim() !== '');
  if (paragraphs.length < 2) return [];
  const last = paragraphs[paragraphs.length - 1] ?? '';
  const trailers: Trailer[] = [];
  for (const line of last.split('\n')) {
    const previous = trailers[trailers.length - 1];
    if (/^[ \t]/.test(line) && previous !== undefined) {
      previous.value = `${previous.value} ${line.trim()}`;
      continue;
    }
    const match = TRAILER_LINE.exec(line);
    if (match === null) return [];
    trailers.push({ key: match[1] ?? '', value: (match[2] ?? '').trim() });
  }
  return trailers;
}

/**
 * `message` followed by a blank line and the trailers, ending with a newline. Porch writes its
 * trailer without a space (`kpt:{…}`); pass `separator: ':'` to match it byte for byte.
 */
export function withTrailers(message: string, trailers: readonly Trailer[], separator = ': '): string {
  const body = message.replace(/\s+$/, '');
  if (trailers.length === 0) return `${body}\n`;
  for (const { key, value } of trailers) {
    if (!/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(key) || /[\r\n]/.test(value)) {
      throw new Error(`invalid trailer "${key}": keys are letters, digits and '-'; values are one line`);
    }
  }
  return `${body}\n\n${trailers.map(({ key, value }) => `${key}${separator}${value}`).join('\n')}\n`;
}
