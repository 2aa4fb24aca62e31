import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { gitAt } from '../../test/support/git-server.js';
import { LooseObjectWriter } from './loose-objects.js';
import { encodeCommit, encodeTree, objectId } from './object-encoding.js';
import type { CommitFields, NewTreeEntry } from './object-encoding.js';

// The in-process encoders must give the ids git gives: each case is also written by git itself.
let repo: string;
let blob: string;

beforeAll(async () => {
  repo = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-encoding-'));
  await gitAt(repo, ['init', '--bare', '--quiet']);
  blob = (await gitAt(repo, ['hash-object', '-w', '--stdin'], { input: 'x\n' })).trim();
});

afterAll(async () => {
  await fs.promises.rm(repo, { recursive: true, force: true });
});

const git = (args: string[], input?: string, env?: Record<string, string>): Promise<string> =>
  gitAt(repo, args, { ...(input === undefined ? {} : { input }), ...(env ? { env } : {}) }).then((s) =>
    s.trim(),
  );

describe('encodeTree', () => {
  const cases: Array<{ name: string; entries: () => NewTreeEntry[] }> = [
    { name: 'empty tree', entries: () => [] },
    {
      name: 'git order: a directory sorts as if named "a/" (after "a.b", "a-b")',
      entries: () => [
        { name: 'a', mode: '040000', oid: EMPTY_TREE },
        { name: 'a.b', mode: '100644', oid: blob },
        { name: 'a-b', mode: '100755', oid: blob },
        { name: 'Z', mode: '120000', oid: blob },
        { name: 'ä', mode: '100644', oid: blob },
      ],
    },
  ];
  it.each(cases)('$name has git mktree’s id', async ({ entries }) => {
    const list = entries();
    if (list.some((e) => e.oid === EMPTY_TREE)) await git(['mktree'], '');
    const input = list
      .map((e) => `${e.mode} ${e.mode === '040000' ? 'tree' : 'blob'} ${e.oid}\t${e.name}\n`)
      .join('');
    expect(objectId('tree', encodeTree(list))).toBe(await git(['mktree'], input));
  });

  it.each([
    { name: 'a name with a slash', entry: { name: 'a/b', mode: '100644', oid: ZERO } },
    { name: 'an empty name', entry: { name: '', mode: '100644', oid: ZERO } },
    { name: 'a short oid', entry: { name: 'a', mode: '100644', oid: 'abc' } },
  ] as const)('refuses $name', ({ entry }) => {
    expect(() => encodeTree([entry])).toThrow();
  });

  it('refuses duplicate names', () => {
    const entry = { name: 'a', mode: '100644', oid: ZERO } as const;
    expect(() => encodeTree([entry, entry])).toThrow('duplicate tree entry "a"');
  });
});

describe('encodeCommit', () => {
  const date = new Date('2024-05-06T07:08:09Z');
  const cases: Array<{ name: string; fields: (tree: string) => CommitFields }> = [
    {
      name: 'root commit, message without final newline',
      fields: (tree) => ({
        tree,
        parents: [],
        author: { name: 'Ada', email: 'ada@example.com' },
        committer: { name: 'Bob', email: 'bob@example.com' },
        date,
        message: 'first',
      }),
    },
    {
      name: 'identity crud trimmed as git does',
      fields: (tree) => ({
        tree,
        parents: [],
        author: { name: ' .Ada, ', email: ' ada@example.com;' },
        committer: { name: 'Bob', email: 'bob@example.com' },
        date,
        message: 'subject\n\nbody\n\nkpt:{"package":"a"}\n',
      }),
    },
  ];
  it.each(cases)('$name has git commit-tree’s id', async ({ fields }) => {
    const tree = await git(['mktree'], '');
    const f = fields(tree);
    const seconds = `@${date.getTime() / 1000} +0000`;
    const expected = await git(
      ['commit-tree', tree, '-F', '-'],
      f.message.endsWith('\n') ? f.message : `${f.message}\n`,
      {
        GIT_AUTHOR_NAME: f.author.name,
        GIT_AUTHOR_EMAIL: f.author.email,
        GIT_COMMITTER_NAME: f.committer.name,
        GIT_COMMITTER_EMAIL: f.committer.email,
        GIT_AUTHOR_DATE: seconds,
        GIT_COMMITTER_DATE: seconds,
      },
    );
    expect(objectId('commit', encodeCommit(f))).toBe(expected);
  });
});

describe('LooseObjectWriter', () => {
  it('writes objects git reads and fsck accepts, and hands back what it wrote once', async () => {
    const writer = new LooseObjectWriter(repo);
    const file = writer.write('blob', Buffer.from('hello\n'));
    const tree = writer.write('tree', encodeTree([{ name: 'f', mode: '100644', oid: file }]));
    const commit = writer.write(
      'commit',
      encodeCommit({
        tree,
        parents: [],
        author: { name: 'A', email: 'a@x' },
        committer: { name: 'A', email: 'a@x' },
        date: new Date(0),
        message: 'm',
      }),
    );
    expect(await git(['cat-file', '-p', `${commit}:f`])).toBe('hello');
    await git(['fsck', '--strict', '--no-dangling']);
    expect(writer.take().map((o) => o.oid)).toEqual([file, tree, commit]);
    expect(writer.take()).toEqual([]);
  });
});

const ZERO = '0'.repeat(40);
const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
