import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { createBareRepo, gitAt } from '../../test/support/git-server.js';
import { GitMirror, GitRefConflictError } from './index.js';

let tmp: string;
let remote: string;
let initial: string;
const mirrors: GitMirror[] = [];
const author = { name: 'Package Orchestration Service', email: 'porch@kpt.dev' };

async function openMirror(name: string): Promise<GitMirror> {
  const mirror = await GitMirror.open(path.join(tmp, name), remote);
  mirrors.push(mirror);
  await mirror.fetch();
  return mirror;
}

async function subtree(mirror: GitMirror, commitOrTree: string, dir: string): Promise<string | undefined> {
  return (await mirror.entryAt(commitOrTree, dir))?.oid;
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-write-'));
  remote = path.join(tmp, 'remote.git');
  initial =
    (await createBareRepo(remote, {
      files: {
        'README.md': 'readme\n',
        'pkgs/a/Kptfile': 'a\n',
        'pkgs/a/cm.yaml': 'cm\n',
        'pkgs/b/Kptfile': 'b\n',
        'pkgs/b/deep/x.yaml': 'x\n',
        'untouched/Kptfile': 'u\n',
      },
    })) ?? '';
});

afterEach(async () => {
  await Promise.all(mirrors.splice(0).map((m) => m.close()));
});

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('writeTree', () => {
  it('rewrites only the trees on changed paths and reuses every other subtree', async () => {
    const mirror = await openMirror('reuse');
    const tree = await mirror.writeTree(
      initial,
      { 'a/cm.yaml': Buffer.from('changed\n') },
      { directory: 'pkgs' },
    );
    for (const unchanged of ['pkgs/b', 'pkgs/b/deep', 'untouched']) {
      expect(await subtree(mirror, tree, unchanged)).toBe(await subtree(mirror, initial, unchanged));
    }
    for (const changed of ['', 'pkgs', 'pkgs/a']) {
      expect(await subtree(mirror, tree, changed)).not.toBe(await subtree(mirror, initial, changed));
    }
    expect((await mirror.readFile(tree, 'pkgs/a/cm.yaml'))?.toString()).toBe('changed\n');
    // The same blob entry is reused for the unchanged sibling file.
    expect((await mirror.entryAt(tree, 'pkgs/a/Kptfile'))?.oid).toBe(
      (await mirror.entryAt(initial, 'pkgs/a/Kptfile'))?.oid,
    );
    // Byte-identical to what git's own index machinery writes for the same change.
    const env = { GIT_INDEX_FILE: path.join(tmp, 'reuse.index') };
    await gitAt(mirror.dir, ['read-tree', initial], { env });
    const blob = (await gitAt(mirror.dir, ['hash-object', '-w', '--stdin'], { input: 'changed\n' })).trim();
    await gitAt(mirror.dir, ['update-index', '--cacheinfo', `100644,${blob},pkgs/a/cm.yaml`], { env });
    expect((await gitAt(mirror.dir, ['write-tree'], { env })).trim()).toBe(tree);
  });

  it('returns the base tree unchanged when nothing changes', async () => {
    const mirror = await openMirror('noop');
    const baseTree = await mirror.treeOf(initial);
    expect(await mirror.writeTree(initial, { 'README.md': Buffer.from('readme\n') })).toBe(baseTree);
    expect(await mirror.writeTree(initial, { 'not/there': null })).toBe(baseTree);
  });

  it('deletes files and drops directories left empty', async () => {
    const mirror = await openMirror('delete');
    const tree = await mirror.writeTree(initial, { 'pkgs/b/deep/x.yaml': null, 'pkgs/a': null });
    expect((await mirror.listFiles(tree, { directory: 'pkgs' })).map((f) => f.path)).toEqual(['b/Kptfile']);
    expect(await mirror.entryAt(tree, 'pkgs/b/deep')).toBeUndefined();
  });

  it('replaces a whole directory and grafts an existing tree', async () => {
    const mirror = await openMirror('replace');
    const replaced = await mirror.writeTree(
      initial,
      { Kptfile: Buffer.from('new\n'), 'new/file.yaml': Buffer.from('n\n') },
      { directory: 'pkgs/b', replaceDirectory: true },
    );
    expect((await mirror.listFiles(replaced, { directory: 'pkgs/b' })).map((f) => f.path)).toEqual([
      'Kptfile',
      'new/file.yaml',
    ]);
    const bTree = (await subtree(mirror, initial, 'pkgs/b')) ?? '';
    const grafted = await mirror.writeTree(undefined, { 'copy/of/b': { mode: '040000', oid: bTree } });
    expect(await subtree(mirror, grafted, 'copy/of/b')).toBe(bTree);
    const emptied = await mirror.writeTree(initial, {}, { directory: 'pkgs', replaceDirectory: true });
    expect(await mirror.entryAt(emptied, 'pkgs')).toBeUndefined();
  });

  it('writes an empty tree from nothing and a new tree from no base', async () => {
    const mirror = await openMirror('empty');
    expect(await mirror.writeTree(undefined, {})).toBe('4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    const tree = await mirror.writeTree(undefined, new Map([['a/b/c.txt', Buffer.from('c')]]));
    expect((await mirror.listFiles(tree)).map((f) => f.path)).toEqual(['a/b/c.txt']);
  });

  it('keeps the executable bit of a file whose content changes', async () => {
    const mirror = await openMirror('mode');
    const blob = (await mirror.entryAt(initial, 'README.md'))?.oid ?? '';
    const withExec = await mirror.writeTree(initial, { 'run.sh': { mode: '100755', oid: blob } });
    const changed = await mirror.writeTree(withExec, { 'run.sh': Buffer.from('#!/bin/sh\n') });
    expect((await mirror.entryAt(changed, 'run.sh'))?.mode).toBe('100755');
  });

  const invalid: Array<[string, Record<string, Buffer | null>]> = [
    ['absolute path', { '/etc/passwd': Buffer.from('x') }],
    ['dot-dot segment', { 'a/../b': Buffer.from('x') }],
    ['.git segment', { '.git/config': Buffer.from('x') }],
    ['parent and child both changed', { a: Buffer.from('x'), 'a/b': Buffer.from('y') }],
  ];
  it.each(invalid)('refuses %s', async (_name, changes) => {
    const mirror = await openMirror(`invalid-${_name.replace(/\W/g, '')}`);
    await expect(mirror.writeTree(initial, changes)).rejects.toThrow(/path/);
  });
});

describe('commitTree and refs', () => {
  it('commits with the given identity, date and message, deterministically', async () => {
    const mirror = await openMirror('commit');
    const tree = await mirror.writeTree(initial, { 'pkgs/a/cm.yaml': Buffer.from('v2\n') });
    const options = {
      tree,
      parents: [initial],
      message: 'Rendering package\n\nkpt:{"package":"pkgs/a","workspaceName":"ws","revision":"0"}',
      author,
      date: new Date('2024-01-02T03:04:05Z'),
    };
    const commit = mirror.commitTree(options);
    expect(mirror.commitTree(options)).toBe(commit);
    const info = await mirror.readCommit(commit);
    expect(info).toMatchObject({
      tree,
      parents: [initial],
      author: { ...author, timezone: '+0000' },
      committer: author,
    });
    expect(info.author.date.toISOString()).toBe('2024-01-02T03:04:05.000Z');
    expect(info.trailers).toEqual([
      { key: 'kpt', value: '{"package":"pkgs/a","workspaceName":"ws","revision":"0"}' },
    ]);
    expect(() => mirror.commitTree({ ...options, author: { name: 'x <y>', email: 'e' } })).toThrow(
      /must not contain/,
    );
  });

  it('updates refs only from the expected old value', async () => {
    const mirror = await openMirror('cas');
    const tree = await mirror.writeTree(initial, { 'pkgs/a/cm.yaml': Buffer.from('v3\n') });
    const next = mirror.commitTree({ tree, parents: [initial], message: 'next', author });
    const ref = 'refs/heads/drafts/pkgs/a/ws';

    await mirror.updateRef(ref, initial, null);
    const exists = await mirror.updateRef(ref, next, null).catch((e: unknown) => e);
    expect(exists).toBeInstanceOf(GitRefConflictError);
    expect((exists as GitRefConflictError).refs).toEqual([ref]);

    await expect(mirror.updateRef(ref, next, next)).rejects.toBeInstanceOf(GitRefConflictError);
    await mirror.updateRef(ref, next, initial);
    expect(await mirror.resolve(ref)).toBe(next);

    await expect(mirror.deleteRef(ref, initial)).rejects.toBeInstanceOf(GitRefConflictError);
    await mirror.deleteRef(ref, next);
    expect(await mirror.resolve(ref)).toBeUndefined();
  });

  it('applies several ref updates as one transaction', async () => {
    const mirror = await openMirror('transaction');
    const updates = [
      { ref: 'refs/heads/proposed/pkgs/a/ws', newOid: initial, expectedOldOid: null },
      { ref: 'refs/heads/main', newOid: initial, expectedOldOid: 'f'.repeat(40) },
    ];
    await expect(mirror.updateRefs(updates)).rejects.toBeInstanceOf(GitRefConflictError);
    expect(await mirror.resolve('refs/heads/proposed/pkgs/a/ws')).toBeUndefined();
  });

  it('creates lightweight tags that point straight at the commit', async () => {
    const mirror = await openMirror('tag');
    await mirror.updateRef('refs/tags/pkgs/a/v1', initial, null);
    expect((await gitAt(mirror.dir, ['cat-file', '-t', 'refs/tags/pkgs/a/v1'])).trim()).toBe('commit');
    expect(await mirror.listRefs('refs/tags/')).toEqual([{ name: 'refs/tags/pkgs/a/v1', oid: initial }]);
  });
});

describe('removeStaleLocks', () => {
  it('clears ref locks a killed process left, which would make git refuse to fetch', async () => {
    const mirror = await GitMirror.open(path.join(tmp, 'stale-locks'), remote);
    mirrors.push(mirror);
    await fs.promises.mkdir(path.join(mirror.dir, 'refs/heads'), { recursive: true });
    await fs.promises.writeFile(path.join(mirror.dir, 'refs/heads/main.lock'), `${initial}\n`);
    await expect(mirror.fetch()).rejects.toThrow(/lock/);
    await mirror.removeStaleLocks();
    await mirror.fetch();
    expect(await mirror.resolve('refs/heads/main')).toBe(initial);
  });
});
