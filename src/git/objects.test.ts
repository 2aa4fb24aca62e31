import { describe, expect, it } from 'vitest';

import { BatchFrameParser } from './batch-frames.js';
import type { BatchFrame } from './batch-frames.js';
import { parseCommit, parseTrailers, parseTree, withTrailers } from './objects.js';

const OID_A = 'a'.repeat(40);
const OID_B = '0123456789abcdef0123456789abcdef01234567';

function treeEntry(mode: string, name: string, oid: string): Buffer {
  return Buffer.concat([Buffer.from(`${mode} ${name}\0`), Buffer.from(oid, 'hex')]);
}

describe('parseTree', () => {
  it('parses modes, names (with spaces and UTF-8) and raw oids', () => {
    const data = Buffer.concat([
      treeEntry('100644', 'Kptfile', OID_A),
      treeEntry('100755', 'run me.sh', OID_B),
      treeEntry('120000', 'link', OID_A),
      treeEntry('40000', 'sübdir', OID_B),
      treeEntry('160000', 'module', OID_A),
    ]);
    expect(parseTree(data)).toEqual([
      { name: 'Kptfile', mode: '100644', type: 'blob', oid: OID_A },
      { name: 'run me.sh', mode: '100755', type: 'blob', oid: OID_B },
      { name: 'link', mode: '120000', type: 'blob', oid: OID_A },
      { name: 'sübdir', mode: '040000', type: 'tree', oid: OID_B },
      { name: 'module', mode: '160000', type: 'commit', oid: OID_A },
    ]);
  });

  it('rejects truncated data', () => {
    expect(() => parseTree(treeEntry('100644', 'x', OID_A).subarray(0, 20))).toThrow(/malformed tree/);
  });
});

describe('parseCommit', () => {
  it('reads headers, skips signatures and parses trailers', () => {
    const raw = [
      `tree ${OID_A}`,
      `parent ${OID_B}`,
      `parent ${OID_A}`,
      'author Ada Lovelace <ada@example.com> 1700000000 +0100',
      'committer Porch <porch@kpt.dev> 1700000060 -0030',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' abc',
      ' -----END PGP SIGNATURE-----',
      '',
      'Creating new revision by cloning',
      '',
      'kpt:{"package":"a/b","workspaceName":"ws","revision":"0"}',
      '',
    ].join('\n');
    const commit = parseCommit(OID_B, Buffer.from(raw));
    expect(commit).toMatchObject({
      oid: OID_B,
      tree: OID_A,
      parents: [OID_B, OID_A],
      author: { name: 'Ada Lovelace', email: 'ada@example.com', timezone: '+0100' },
      committer: { name: 'Porch', email: 'porch@kpt.dev', timezone: '-0030' },
      trailers: [{ key: 'kpt', value: '{"package":"a/b","workspaceName":"ws","revision":"0"}' }],
    });
    expect(commit.author.date.toISOString()).toBe('2023-11-14T22:13:20.000Z');
    expect(commit.message.startsWith('Creating new revision by cloning\n')).toBe(true);
  });
});

describe('parseTrailers', () => {
  const cases: Array<{ name: string; message: string; expected: Array<{ key: string; value: string }> }> = [
    { name: 'subject only', message: 'Signed-off-by: x\n', expected: [] },
    {
      name: 'several trailers with continuation',
      message: 'Subject\n\nBody text.\n\nSigned-off-by: A <a@x>\nNote: first\n  second\n',
      expected: [
        { key: 'Signed-off-by', value: 'A <a@x>' },
        { key: 'Note', value: 'first second' },
      ],
    },
    { name: 'last paragraph not all trailers', message: 'Subject\n\nKey: v\nplain text\n', expected: [] },
    {
      name: 'Porch trailer without space',
      message: 'Rendering package\n\nkpt:{"a":1}',
      expected: [{ key: 'kpt', value: '{"a":1}' }],
    },
    { name: 'CRLF line ends', message: 'S\r\n\r\nA: b\r\n', expected: [{ key: 'A', value: 'b' }] },
  ];
  it.each(cases)('$name', ({ message, expected }) => {
    expect(parseTrailers(message)).toEqual(expected);
  });

  it('round-trips withTrailers, with Porch spacing', () => {
    const message = withTrailers('Approving package revision a/1\n', [{ key: 'kpt', value: '{"x":1}' }], ':');
    expect(message).toBe('Approving package revision a/1\n\nkpt:{"x":1}\n');
    expect(parseTrailers(message)).toEqual([{ key: 'kpt', value: '{"x":1}' }]);
    expect(() => withTrailers('x', [{ key: 'bad key', value: 'v' }])).toThrow(/invalid trailer/);
  });
});

describe('BatchFrameParser', () => {
  const stream = Buffer.concat([
    Buffer.from(`${OID_A} blob 5\nhello\n`),
    Buffer.from('refs/heads/nope missing\n'),
    Buffer.from(`${OID_B} blob 0\n\n`),
    Buffer.from(`${OID_A} tree 3\n\0\n\0\n`),
  ]);
  const expected: BatchFrame[] = [
    { kind: 'object', object: { oid: OID_A, type: 'blob', data: Buffer.from('hello') } },
    { kind: 'missing', name: 'refs/heads/nope' },
    { kind: 'object', object: { oid: OID_B, type: 'blob', data: Buffer.alloc(0) } },
    { kind: 'object', object: { oid: OID_A, type: 'tree', data: Buffer.from('\0\n\0') } },
  ];

  it.each([1, 2, 3, 7, 1000])('parses output split into %i-byte chunks', (size) => {
    const frames: BatchFrame[] = [];
    const parser = new BatchFrameParser((frame) => frames.push(frame));
    for (let i = 0; i < stream.length; i += size) parser.push(stream.subarray(i, i + size));
    expect(frames).toEqual(expected);
  });

  it('rejects output that is not cat-file framing', () => {
    const parser = new BatchFrameParser(() => undefined);
    expect(() => parser.push(Buffer.from('fatal: not a git repository\n'))).toThrow(/unexpected header/);
  });
});
