import { execFile } from 'node:child_process';
import {
  mkdtemp,
  mkdir,
  readFile,
  readdir,
  readlink,
  rm,
  symlink,
  writeFile,
  chmod,
  utimes,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK, encodeHeader, encodePaxRecords, padding, type HeaderFields } from './tar-header.js';
import {
  DETERMINISTIC_TAR,
  TarError,
  directoryEntries,
  extractTar,
  gunzipIfNeeded,
  gzip,
  packTar,
  readTar,
  writeTar,
  type TarHeader,
  type TarInput,
} from './tar.js';

const run = promisify(execFile);

async function* chunks(data: Buffer, size = 700): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await Promise.resolve();
    yield data.subarray(i, i + size);
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function listTar(data: Buffer): Promise<Array<{ header: TarHeader; body: string }>> {
  const out: Array<{ header: TarHeader; body: string }> = [];
  for await (const entry of readTar(chunks(data)))
    out.push({ header: entry.header, body: (await entry.buffer()).toString() });
  return out;
}

function fields(partial: Partial<HeaderFields> & { name: string }): HeaderFields {
  return {
    type: 'file',
    size: 0,
    mode: 0o644,
    mtime: 0,
    uid: 0,
    gid: 0,
    uname: '',
    gname: '',
    linkname: '',
    ...partial,
  };
}

/** Crafts an archive header by header, bypassing the writer's checks (for hostile input). */
function rawTar(parts: Array<{ header: Buffer; body?: Buffer }>): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    out.push(p.header);
    if (p.body) out.push(p.body, Buffer.alloc(padding(p.body.length)));
  }
  out.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(out);
}

function withFlag(header: Buffer, flag: string): Buffer {
  const copy = Buffer.from(header);
  copy.write(flag, 156, 1, 'ascii');
  copy.write('        ', 148, 8, 'ascii');
  let sum = 0;
  for (const b of copy) sum += b;
  copy.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return copy;
}

const longName = `deep/${'d'.repeat(120)}/${'n'.repeat(110)}.yaml`;

describe('tar round trip', () => {
  const cases: Array<{ name: string; entries: TarInput[] }> = [
    { name: 'empty archive', entries: [] },
    { name: 'one small file', entries: [{ name: 'a.txt', body: 'hello' }] },
    {
      name: 'directories, files, symlink and hardlink',
      entries: [
        { name: 'package', type: 'directory' },
        { name: 'package/manifest.yaml', body: 'kind: PackageManifest\n', mode: 0o600 },
        { name: 'package/run.sh', body: '#!/bin/sh\n', mode: 0o755 },
        { name: 'package/link', type: 'symlink', linkname: 'manifest.yaml' },
        { name: 'package/hard', type: 'hardlink', linkname: 'package/run.sh' },
      ],
    },
    { name: 'name longer than ustar allows (pax path)', entries: [{ name: 'x'.repeat(180), body: 'long' }] },
    {
      name: 'name split into ustar prefix',
      entries: [{ name: `${'p'.repeat(120)}/${'f'.repeat(90)}`, body: 'split' }],
    },
    { name: 'non-ASCII name (pax path)', entries: [{ name: 'päckage/ünïcode-名前.yaml', body: 'utf8' }] },
    {
      name: 'long symlink target (pax linkpath)',
      entries: [{ name: 'l', type: 'symlink', linkname: `${'t'.repeat(150)}` }],
    },
    { name: 'body of exactly one block', entries: [{ name: 'b', body: 'z'.repeat(512) }] },
    {
      name: 'streamed body with declared size',
      entries: [{ name: 'stream.bin', size: 3000, body: () => chunks(Buffer.alloc(3000, 7), 999) }],
    },
  ];
  it.each(cases)('$name', async ({ entries }) => {
    const data = await packTar(entries);
    expect(data.length % BLOCK).toBe(0);
    const read = await listTar(data);
    expect(read.map((r) => r.header.name)).toEqual(entries.map((e) => e.name));
    for (const [i, e] of entries.entries()) {
      const r = read[i]!;
      expect(r.header.type).toBe(e.type ?? 'file');
      if (typeof e.body === 'string') expect(r.body).toBe(e.body);
      if (e.type === 'symlink' || e.type === 'hardlink') expect(r.header.linkname).toBe(e.linkname);
      if (e.mode !== undefined) expect(r.header.mode).toBe(e.mode);
    }
  });

  it('keeps a large streamed body intact without buffering it', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 13);
    for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
    const data = await packTar([{ name: 'big', size: big.length, body: () => chunks(big, 65536) }]);
    const [entry] = await listTar(data);
    expect(entry!.header.size).toBe(big.length);
    for await (const e of readTar(chunks(data, 100_000))) expect((await e.buffer()).equals(big)).toBe(true);
  });

  it('skips bodies the caller does not read', async () => {
    const data = await packTar([
      { name: 'a', body: 'A'.repeat(2000) },
      { name: 'b', body: 'B' },
    ]);
    const names: string[] = [];
    for await (const e of readTar(chunks(data, 33))) names.push(e.header.name);
    expect(names).toEqual(['a', 'b']);
  });
});

describe('tar determinism', () => {
  it('gives byte-identical output for the same input whatever the file system says', async () => {
    const make = (mtime: number, uid: number, mode: number): TarInput[] => [
      { name: 'dir', type: 'directory', mode: 0o700, mtime },
      { name: 'dir/f', body: 'x', mtime, uid, gid: uid, uname: 'someone', mode },
    ];
    const a = await packTar(make(1_700_000_000, 1000, 0o640), DETERMINISTIC_TAR);
    const b = await packTar(make(1_800_000_000, 0, 0o600), DETERMINISTIC_TAR);
    expect(a.equals(b)).toBe(true);
    const [, file] = await listTar(a);
    expect(file!.header).toMatchObject({ mode: 0o644, mtime: 0, uid: 0, gid: 0, uname: '' });
  });

  it('normalises executables to 0755', async () => {
    const [e] = await listTar(await packTar([{ name: 'x', body: '', mode: 0o700 }], DETERMINISTIC_TAR));
    expect(e!.header.mode).toBe(0o755);
  });

  it('packs a directory tree in sorted order and the same bytes twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-tar-'));
    try {
      await mkdir(join(dir, 'b'));
      await writeFile(join(dir, 'b', 'z.yaml'), 'z');
      await writeFile(join(dir, 'a.yaml'), 'a');
      await writeFile(join(dir, 'B.yaml'), 'B');
      await symlink('a.yaml', join(dir, 'c'));
      const first = await packTar(directoryEntries(dir, { prefix: 'package' }), DETERMINISTIC_TAR);
      await utimes(join(dir, 'a.yaml'), 12345, 12345);
      await chmod(join(dir, 'b', 'z.yaml'), 0o600);
      const second = await packTar(directoryEntries(dir, { prefix: 'package' }), DETERMINISTIC_TAR);
      expect(first.equals(second)).toBe(true);
      expect((await listTar(first)).map((e) => e.header.name)).toEqual([
        'package',
        'package/B.yaml',
        'package/a.yaml',
        'package/b',
        'package/b/z.yaml',
        'package/c',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('gzip of the same archive is byte-identical', async () => {
    const data = await packTar([{ name: 'f', body: 'same' }], DETERMINISTIC_TAR);
    const one = await collect(gzip(chunks(data)));
    const two = await collect(gzip(chunks(data)));
    expect(one.equals(two)).toBe(true);
    expect((await collect(gunzipIfNeeded(chunks(one, 5)))).equals(data)).toBe(true);
    expect((await collect(gunzipIfNeeded(chunks(data, 1)))).equals(data)).toBe(true);
  });
});

describe('tar reader refuses unsafe or broken archives', () => {
  const file = (name: string, body = 'x'): { header: Buffer; body: Buffer } => ({
    header: encodeHeader(fields({ name, size: Buffer.byteLength(body) })),
    body: Buffer.from(body),
  });
  const paxPath = (path: string): { header: Buffer; body: Buffer } => {
    const body = encodePaxRecords([['path', path]]);
    return { header: encodeHeader(fields({ name: 'PaxHeaders/x', type: 'pax', size: body.length })), body };
  };
  const cases: Array<{ name: string; data: () => Buffer; error: RegExp }> = [
    {
      name: 'parent segment',
      data: () => rawTar([file('a/../../etc/passwd')]),
      error: /must not contain a "\.\." segment/,
    },
    {
      name: 'absolute path',
      data: () => rawTar([file('/etc/passwd')]),
      error: /must not be an absolute path/,
    },
    {
      name: 'absolute path via pax',
      data: () => rawTar([paxPath('/etc/shadow'), file('ok')]),
      error: /absolute path/,
    },
    {
      name: 'char device',
      data: () => rawTar([{ header: withFlag(encodeHeader(fields({ name: 'dev/null' })), '3') }]),
      error: /device file/,
    },
    {
      name: 'block device',
      data: () => rawTar([{ header: withFlag(encodeHeader(fields({ name: 'dev/sda' })), '4') }]),
      error: /device file/,
    },
    {
      name: 'fifo',
      data: () => rawTar([{ header: withFlag(encodeHeader(fields({ name: 'pipe' })), '6') }]),
      error: /fifo/,
    },
    {
      name: 'symlink to an absolute path',
      data: () =>
        rawTar([{ header: encodeHeader(fields({ name: 'l', type: 'symlink', linkname: '/etc' })) }]),
      error: /must not point to the absolute path/,
    },
    {
      name: 'symlink climbing out',
      data: () =>
        rawTar([{ header: encodeHeader(fields({ name: 'a/l', type: 'symlink', linkname: '../../x' })) }]),
      error: /must not point outside the archive/,
    },
    {
      name: 'entry below a symlink',
      data: () =>
        rawTar([
          { header: encodeHeader(fields({ name: 'l', type: 'symlink', linkname: 'd' })) },
          file('l/evil'),
        ]),
      error: /below the symlink "l"/,
    },
    {
      name: 'hardlink outside',
      data: () =>
        rawTar([{ header: encodeHeader(fields({ name: 'h', type: 'hardlink', linkname: '../x' })) }]),
      error: /"\.\." segment/,
    },
    {
      name: 'hardlink to a missing entry',
      data: () =>
        rawTar([{ header: encodeHeader(fields({ name: 'h', type: 'hardlink', linkname: 'etc/passwd' })) }]),
      error: /must point to a file earlier in the archive/,
    },
    {
      name: 'truncated body',
      data: () => rawTar([file('f', 'y'.repeat(3000))]).subarray(0, BLOCK + 1000),
      error: /truncated: entry "f" needs 3000 bytes/,
    },
    {
      name: 'truncated header',
      data: () => rawTar([file('f')]).subarray(0, 300),
      error: /truncated: a header at byte 0/,
    },
    {
      name: 'missing end marker',
      data: () => rawTar([file('f')]).subarray(0, BLOCK * 2),
      error: /end-of-archive marker is missing/,
    },
    {
      name: 'corrupt header checksum',
      data: () => {
        const d = rawTar([file('f')]);
        d[10] = 0x41;
        return d;
      },
      error: /checksum does not match/,
    },
    {
      name: 'not a tar at all',
      data: () => Buffer.from('{"hello": "json"}'.padEnd(1024, ' ')),
      error: /checksum/,
    },
  ];
  it.each(cases)('$name', async ({ data, error }) => {
    const err = await listTar(data()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TarError);
    expect((err as Error).message).toMatch(error);
  });

  it('enforces size limits', async () => {
    const data = await packTar([{ name: 'f', body: 'x'.repeat(100) }]);
    await expect(collect(readTar(chunks(data), { maxEntrySize: 10 }) as never)).rejects.toThrow(
      /more than the limit of 10/,
    );
  });

  it('the writer refuses what the reader would refuse', async () => {
    await expect(packTar([{ name: '../x', body: '' }])).rejects.toThrow(/"\.\." segment/);
    await expect(packTar([{ name: 'l', type: 'symlink', linkname: '../../x' }])).rejects.toThrow(/outside/);
    await expect(packTar([{ name: 'h', type: 'hardlink', linkname: 'nope' }])).rejects.toThrow(
      /written before/,
    );
    await expect(packTar([{ name: 's', size: 10, body: () => chunks(Buffer.alloc(5)) }])).rejects.toThrow(
      /has 5 bytes/,
    );
  });
});

describe('tar against GNU tar', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lading-gnutar-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('GNU tar extracts what Lading wrote', async () => {
    const data = await packTar([
      { name: 'p', type: 'directory' },
      { name: `p/${longName}`, body: 'long' },
      { name: 'p/ü.yaml', body: 'u' },
      { name: 'p/l', type: 'symlink', linkname: 'ü.yaml' },
    ]);
    await writeFile(join(dir, 'ours.tar'), data);
    await mkdir(join(dir, 'gnu-out'));
    await run('tar', ['-xf', join(dir, 'ours.tar'), '-C', join(dir, 'gnu-out')]);
    expect(await readFile(join(dir, 'gnu-out', 'p', longName), 'utf8')).toBe('long');
    expect(await readlink(join(dir, 'gnu-out', 'p', 'l'))).toBe('ü.yaml');
  });

  it('Lading reads and extracts what GNU tar wrote (GNU long names)', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, longName, '..'), { recursive: true });
    await writeFile(join(src, longName), 'gnu');
    await symlink('deep', join(src, 'link'));
    await run('tar', ['--format=gnu', '-cf', join(dir, 'gnu.tar'), '-C', src, '.']);
    const out = join(dir, 'lading-out');
    const headers = await extractTar(chunks(await readFile(join(dir, 'gnu.tar')), 4096), out);
    expect(headers.map((h) => h.name)).toContain(longName);
    expect(await readFile(join(out, longName), 'utf8')).toBe('gnu');
    expect(await readlink(join(out, 'link'))).toBe('deep');
    expect((await readdir(out)).sort()).toEqual(['deep', 'link']);
  });

  it('extraction replaces a symlink instead of writing through it', async () => {
    const out = join(dir, 'replace');
    const data = await packTar([
      { name: 'l', type: 'symlink', linkname: 'target' },
      { name: 'l', body: 'now a file' },
    ]);
    await extractTar(chunks(data), out);
    expect(await readFile(join(out, 'l'), 'utf8')).toBe('now a file');
    expect(await readdir(out)).toEqual(['l']);
  });
});

describe('writeTar streams lazily', () => {
  it('does not open a body before it is written', async () => {
    let opened = 0;
    const gen = writeTar([
      { name: 'a', size: 1, body: () => ((opened += 1), chunks(Buffer.from('a'))) },
      { name: 'b', size: 1, body: () => ((opened += 1), chunks(Buffer.from('b'))) },
    ]);
    await gen.next(); // header of a
    expect(opened).toBe(0);
    await gen.next(); // body of a
    expect(opened).toBe(1);
    await gen.return(undefined);
  });
});
