import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { commitToBranch, createBareRepo, gitAt } from '../../test/support/git-server.js';
import { GitError, GitMirror, GitObjectNotFoundError } from './index.js';
import { sharedObjectCache } from './object-cache.js';

let tmp: string;
let remote: string;
let initial: string;
const mirrors: GitMirror[] = [];

async function openMirror(name: string): Promise<GitMirror> {
  const mirror = await GitMirror.open(path.join(tmp, name), `file://${remote}`);
  mirrors.push(mirror);
  return mirror;
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-read-'));
  remote = path.join(tmp, 'remote.git');
  initial =
    (await createBareRepo(remote, {
      files: {
        'README.md': '# catalog\n',
        'catalog/nginx/Kptfile': 'kind: Kptfile\n',
        'catalog/nginx/deployment.yaml': 'kind: Deployment\n',
        'catalog/redis/Kptfile': 'kind: Kptfile\nname: redis\n',
        'catalog/redis/sub/config.yaml': 'a: 1\n',
        'other/Kptfile': 'kind: Kptfile\n',
      },
    })) ?? '';
});

afterEach(async () => {
  await Promise.all(mirrors.splice(0).map((m) => m.close()));
});

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('GitMirror fetch', () => {
  it('mirrors branches and tags under the same names and prunes deletions', async () => {
    const draft = await commitToBranch(remote, 'drafts/catalog/nginx/ws1', {
      'catalog/nginx/x.yaml': 'x: 1\n',
    });
    await gitAt(remote, ['update-ref', 'refs/tags/catalog/nginx/v1', initial]);
    const mirror = await openMirror('prune');
    await mirror.fetch();
    expect(await mirror.listRefs()).toEqual([
      { name: 'refs/heads/drafts/catalog/nginx/ws1', oid: draft },
      { name: 'refs/heads/main', oid: initial },
      { name: 'refs/tags/catalog/nginx/v1', oid: initial },
    ]);

    await gitAt(remote, ['update-ref', '-d', 'refs/heads/drafts/catalog/nginx/ws1']);
    await gitAt(remote, ['update-ref', '-d', 'refs/tags/catalog/nginx/v1']);
    await mirror.fetch();
    expect(await mirror.listRefs()).toEqual([{ name: 'refs/heads/main', oid: initial }]);
  });

  it('follows forced updates on the remote (the mirror is not a place to keep state)', async () => {
    const other = path.join(tmp, 'forced.git');
    const first = await commitToBranch(other, 'main', { a: '1' });
    const mirror = await GitMirror.open(path.join(tmp, 'forced'), other);
    mirrors.push(mirror);
    await mirror.fetch();
    const rewritten = await commitToBranch(path.join(tmp, 'forced.git'), 'side', { b: '2' });
    await gitAt(other, ['update-ref', 'refs/heads/main', rewritten]);
    await mirror.fetch();
    expect(await mirror.resolve('refs/heads/main')).toBe(rewritten);
    expect(rewritten).not.toBe(first);
  });

  it('accepts a relative path to a local remote', async () => {
    const mirror = await GitMirror.open(path.join(tmp, 'relative'), path.relative(process.cwd(), remote));
    mirrors.push(mirror);
    await mirror.fetch();
    expect(await mirror.resolve('refs/heads/main')).toBe(initial);
  });

  it('fetches an empty remote as no refs', async () => {
    const empty = path.join(tmp, 'empty.git');
    await createBareRepo(empty);
    const mirror = await GitMirror.open(path.join(tmp, 'empty'), empty);
    mirrors.push(mirror);
    await mirror.fetch();
    expect(await mirror.listRefs()).toEqual([]);
  });

  it('fails with a GitError naming the command when the remote does not exist', async () => {
    const mirror = await GitMirror.open(path.join(tmp, 'missing'), path.join(tmp, 'nope.git'));
    mirrors.push(mirror);
    const error = await mirror.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect((error as GitError).message).toMatch(/^git fetch failed \(exit code 128\)/);
    expect((error as GitError).command[1]).toBe('fetch');
  });
});

describe('GitMirror refs', () => {
  it('lists by plain string prefix and resolves exact names only', async () => {
    await commitToBranch(remote, 'drafts/catalog/redis/a', { f: '1' });
    await commitToBranch(remote, 'drafts/catalog/redis-two/a', { f: '2' });
    const mirror = await openMirror('refs');
    await mirror.fetch();
    const names = async (prefix: string) => (await mirror.listRefs(prefix)).map((r) => r.name);
    expect(await names('refs/heads/drafts/catalog/redis/')).toEqual(['refs/heads/drafts/catalog/redis/a']);
    expect(await names('refs/heads/drafts/catalog/redis')).toEqual([
      'refs/heads/drafts/catalog/redis-two/a',
      'refs/heads/drafts/catalog/redis/a',
    ]);
    expect(await names('refs/tags/')).toEqual([]);
    expect(await mirror.resolve('refs/heads/main')).toBe(initial);
    expect(await mirror.resolve('refs/heads/drafts/catalog')).toBeUndefined();
    await expect(mirror.resolve('main')).rejects.toThrow(/not a valid full ref name/);
  });
});

describe('GitMirror ref cache', () => {
  it('sees its own ref updates at once, and what others pushed after the next fetch', async () => {
    const mirror = await openMirror('ref-cache');
    await mirror.fetch();
    await mirror.updateRef('refs/heads/cached', initial, null);
    expect(await mirror.resolve('refs/heads/cached')).toBe(initial);
    await mirror.deleteRef('refs/heads/cached', initial);
    expect(await mirror.resolve('refs/heads/cached')).toBeUndefined();
    // A failed update (wrong old value) leaves the cache agreeing with the disk.
    await expect(mirror.updateRef('refs/heads/main', initial, 'f'.repeat(40))).rejects.toThrow();
    expect(await mirror.resolve('refs/heads/main')).toBe(initial);

    const theirs = await commitToBranch(remote, 'theirs', { f: 'theirs' });
    expect(await mirror.resolve('refs/heads/theirs')).toBeUndefined();
    await mirror.fetch();
    expect(await mirror.resolve('refs/heads/theirs')).toBe(theirs);
  });
});

describe('GitMirror reads', () => {
  it('reads commits, trees and blobs', async () => {
    const mirror = await openMirror('reads');
    await mirror.fetch();
    const commit = await mirror.readCommit(initial);
    expect(commit).toMatchObject({ oid: initial, parents: [], message: 'Initial commit\n', trailers: [] });
    expect(commit.author).toMatchObject({ name: 'Test Seed', email: 'seed@example.test' });
    const root = await mirror.readTree(commit.tree);
    expect(root.map((e) => [e.name, e.mode])).toEqual([
      ['README.md', '100644'],
      ['catalog', '040000'],
      ['other', '040000'],
    ]);
    const readme = root.find((e) => e.name === 'README.md');
    expect((await mirror.readBlob(readme?.oid ?? '')).toString()).toBe('# catalog\n');
    expect(await mirror.treeOf(initial)).toBe(commit.tree);
    expect(await mirror.treeOf(commit.tree)).toBe(commit.tree);
  });

  it('lists, finds and reads files under a directory with paths relative to it', async () => {
    const mirror = await openMirror('list');
    await mirror.fetch();
    const listed = await mirror.listFiles(initial, { directory: 'catalog/redis' });
    expect(listed.map((f) => f.path)).toEqual(['Kptfile', 'sub/config.yaml']);
    const kptfiles = await mirror.findFiles(initial, 'Kptfile');
    expect(kptfiles.map((f) => f.path)).toEqual([
      'catalog/nginx/Kptfile',
      'catalog/redis/Kptfile',
      'other/Kptfile',
    ]);
    expect(
      (await mirror.findFiles(initial, 'Kptfile', { directory: 'catalog/' })).map((f) => f.path),
    ).toEqual(['nginx/Kptfile', 'redis/Kptfile']);
    const files = await mirror.readFiles(initial, { directory: 'catalog/nginx' });
    expect(Object.fromEntries([...files].map(([p, b]) => [p, b.toString()]))).toEqual({
      Kptfile: 'kind: Kptfile\n',
      'deployment.yaml': 'kind: Deployment\n',
    });
    expect(await mirror.listFiles(initial, { directory: 'no/such/dir' })).toEqual([]);
    expect((await mirror.readFile(initial, 'catalog/redis/Kptfile'))?.toString()).toContain('redis');
    expect(await mirror.readFile(initial, 'catalog/redis')).toBeUndefined();
    await expect(mirror.listFiles(initial, { directory: '../etc' })).rejects.toThrow(/must not contain/);
  });

  it('throws GitObjectNotFoundError for a missing object and a GitError for a wrong type', async () => {
    const mirror = await openMirror('missing-object');
    await mirror.fetch();
    await expect(mirror.readBlob('f'.repeat(40))).rejects.toBeInstanceOf(GitObjectNotFoundError);
    await expect(mirror.readBlob(initial)).rejects.toThrow(/is a commit, not a blob/);
  });

  it('restarts the cat-file process after it is killed, without failing reads in flight', async () => {
    const mirror = await openMirror('restart');
    await mirror.fetch();
    sharedObjectCache.clear(); // earlier tests read the same objects
    const entries = await mirror.listFiles(initial);
    const batch = (mirror as unknown as { batch: { pid: number | undefined } }).batch;
    const firstPid = batch.pid;
    expect(firstPid).toBeTypeOf('number');
    // Stopped first, so that the reads are certainly in flight (written, unanswered) when it dies;
    // and nothing is answered from memory.
    sharedObjectCache.clear();
    process.kill(firstPid ?? 0, 'SIGSTOP');
    const reads = Promise.all(entries.map((e) => mirror.readBlob(e.oid)));
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.kill(firstPid ?? 0, 'SIGKILL');
    expect((await reads).length).toBe(entries.length);
    expect(batch.pid).not.toBe(firstPid);
    const secondPid = batch.pid;
    // Killed while idle: the next read starts a new process.
    process.kill(secondPid ?? 0, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
    sharedObjectCache.clear();
    expect((await mirror.readBlob(entries[0]?.oid ?? '')).length).toBeGreaterThan(0);
    expect([firstPid, secondPid]).not.toContain(batch.pid);
  });

  it('sees objects fetched after the batch process started', async () => {
    const mirror = await openMirror('late');
    await mirror.fetch();
    await mirror.readCommit(initial); // starts cat-file
    const later = await commitToBranch(remote, 'late', { 'late.txt': 'new\n' });
    await mirror.fetch();
    expect((await mirror.readFile(later, 'late.txt'))?.toString()).toBe('new\n');
  });
});
