import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { commitToBranch, gitAt, startGitServer } from '../../test/support/git-server.js';
import type { GitServer } from '../../test/support/git-server.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  BadRequestError,
} from '../apimachinery/index.js';
import { GitAuthenticationError, GitMirror, RepositoryQueue } from '../git/index.js';
import { createGitRepository } from './index.js';
import type { GitRepository, GitRepositoryOptions, RevisionRecord } from './index.js';

const auth = { username: 'porch', password: 's3cret-pw' };
const credentials = { type: 'basic' as const, ...auth };
let server: GitServer;
let tmp: string;
let counter = 0;
const open: GitRepository[] = [];

beforeAll(async () => {
  server = await startGitServer({ auth });
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-repository-'));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(open.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await server.stop();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

/** A fresh remote seeded with `files` on main, and a GitRepository on it with its own data dir. */
async function setup(
  files: Record<string, string>,
  options: Partial<GitRepositoryOptions> = {},
): Promise<{ name: string; remote: string; repo: GitRepository }> {
  const name = `repo-${++counter}.git`;
  await server.createRepo(name, { files });
  const repo = await openRepo(name, options);
  return { name, remote: server.repoPath(name), repo };
}

async function openRepo(name: string, options: Partial<GitRepositoryOptions> = {}): Promise<GitRepository> {
  const repo = await createGitRepository({
    dataDir: path.join(tmp, `data-${++counter}`),
    url: server.url(name),
    credentials,
    retryBackoffMs: 5,
    ...options,
  });
  open.push(repo);
  return repo;
}

const git = (remote: string, ...args: string[]) => gitAt(remote, args).then((s) => s.trim());

function find(revisions: RevisionRecord[], packagePath: string, workspaceName: string) {
  return revisions.find((r) => r.packagePath === packagePath && r.workspaceName === workspaceName);
}

function summary(revisions: RevisionRecord[]): string[] {
  return revisions
    .map((r) => `${r.packagePath} ${r.workspaceName} ${r.revision} ${r.lifecycle} ${r.ref}`)
    .sort();
}

const kptfile = (name: string) => `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n`;

describe('GitRepository discovery', () => {
  it('lists placeholders, drafts, proposed, published and deletion-proposed revisions from the refs', async () => {
    const { remote, repo } = await setup(
      {
        'README.md': 'r\n',
        'pkgs/a/Kptfile': kptfile('a'),
        'pkgs/a/cm.yaml': 'cm\n',
        'pkgs/a/sub/Kptfile': kptfile('sub'),
        'pkgs/team/b/Kptfile': kptfile('b'),
        'other/c/Kptfile': kptfile('c'),
      },
      { directory: 'pkgs' },
    );
    const main = await git(remote, 'rev-parse', 'main');
    await git(remote, 'update-ref', 'refs/tags/pkgs/a/v1', main);
    await git(remote, 'update-ref', 'refs/tags/v9', main); // no '/': ignored
    await git(remote, 'update-ref', 'refs/tags/other/c/v1', main); // outside the directory
    const trailer =
      'kpt:{"package":"pkgs/team/b","workspaceName":"ws1","revision":"0","task":{"type":"init"}}';
    await git(remote, 'update-ref', 'refs/heads/drafts/pkgs/team/b/ws1', main);
    const draft = await commitToBranch(
      remote,
      'drafts/pkgs/team/b/ws1',
      { 'pkgs/team/b/x.yaml': 'x\n' },
      `Creating new empty revision\n\n${trailer}`,
    );
    await git(remote, 'update-ref', 'refs/heads/proposed/pkgs/a/ws2', main);
    await git(remote, 'update-ref', 'refs/heads/deletionProposed/pkgs/a/v1', main);

    const { version, revisions } = await repo.refresh();
    expect(summary(revisions)).toEqual([
      'a main -1 Published main',
      'a v1 1 DeletionProposed pkgs/a/v1',
      'a ws2 0 Proposed proposed/pkgs/a/ws2',
      'team/b main -1 Published main',
      'team/b ws1 0 Draft drafts/pkgs/team/b/ws1',
    ]);
    const b = find(revisions, 'team/b', 'ws1');
    expect(b).toMatchObject({ commit: draft, task: { type: 'init' } });
    expect(b?.updated).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect([...(await repo.readResources(b!)).keys()]).toEqual(['Kptfile', 'x.yaml']);
    // Subpackages are part of their package's resources.
    expect([...(await repo.readResources(find(revisions, 'a', 'main')!)).keys()]).toEqual([
      'Kptfile',
      'cm.yaml',
      'sub/Kptfile',
    ]);
    expect((await repo.refresh()).version).toBe(version);
  });

  it('sees a package pushed by plain git on the next refresh, with a new version', async () => {
    const { remote, repo } = await setup({ 'a/Kptfile': kptfile('a') });
    const before = await repo.refresh();
    await commitToBranch(remote, 'main', { 'new/Kptfile': kptfile('new') }, 'plain git commit');
    const after = await repo.refresh();
    expect(after.version).not.toBe(before.version);
    expect(summary(after.revisions)).toEqual(['a main -1 Published main', 'new main -1 Published main']);
  });
});

describe('GitRepository lifecycle', () => {
  it('creates, updates, proposes, rejects, re-proposes and approves in Porch layout', async () => {
    const { remote, repo } = await setup({
      'README.md': 'r\n',
      'other/Kptfile': kptfile('other'),
      'other/x.yaml': 'x\n',
    });
    const task = { type: 'init', init: { description: 'p description' } };
    let rev = await repo.createDraft({
      packagePath: 'team/p',
      workspaceName: 'ws1',
      files: new Map([['Kptfile', kptfile('p')]]),
      task,
      message: 'Creating new empty revision',
      author: { name: 'Alice', email: 'alice@example.com' },
    });
    expect(rev).toMatchObject({ lifecycle: 'Draft', revision: 0, ref: 'drafts/team/p/ws1' });
    expect(await git(remote, 'rev-parse', 'refs/heads/drafts/team/p/ws1')).toBe(rev.commit);
    expect(await git(remote, 'log', '-1', '--format=%an <%ae>%n%B', rev.commit)).toBe(
      'Alice <alice@example.com>\nCreating new empty revision\n\n' +
        'kpt:{"package":"team/p","workspaceName":"ws1","revision":"0","task":{"type":"init","init":{"description":"p description"}}}',
    );

    rev = await repo.updateDraft(
      rev,
      new Map([
        ['Kptfile', kptfile('p')],
        ['cm.yaml', 'cm\n'],
      ]),
      { message: 'Intermediate commit' },
    );
    expect(Object.fromEntries(await repo.readResources(rev))).toEqual({
      Kptfile: kptfile('p'),
      'cm.yaml': 'cm\n',
    });

    rev = await repo.propose(rev);
    expect(rev).toMatchObject({ lifecycle: 'Proposed', ref: 'proposed/team/p/ws1' });
    expect(await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe(
      'refs/heads/main\nrefs/heads/proposed/team/p/ws1',
    );
    rev = await repo.rejectProposal(rev);
    expect(
      await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/heads/drafts', 'refs/heads/proposed'),
    ).toBe('refs/heads/drafts/team/p/ws1');
    rev = await repo.propose(rev);
    await expect(repo.approve({ ...rev, lifecycle: 'Draft' })).rejects.toBeInstanceOf(BadRequestError);

    const mainBefore = await git(remote, 'rev-parse', 'main');
    const published = await repo.approve(rev, { publishedBy: { name: 'Bob', email: 'bob@example.com' } });
    expect(published).toMatchObject({
      lifecycle: 'Published',
      revision: 1,
      ref: 'team/p/v1',
      workspaceName: 'ws1',
    });
    const main = await git(remote, 'rev-parse', 'main');
    expect(main).toBe(published.commit);
    expect(await git(remote, 'rev-parse', 'refs/tags/team/p/v1')).toBe(main);
    expect(await git(remote, 'cat-file', '-t', 'team/p/v1')).toBe('commit'); // lightweight
    expect(await git(remote, 'log', '-1', '--format=%cn%n%B', main)).toBe(
      'Bob\nApproving package revision team/p/1\n\n' +
        'kpt:{"package":"team/p","workspaceName":"ws1","revision":"1","task":{"type":"init","init":{"description":"p description"}}}',
    );
    expect(await git(remote, 'rev-parse', `${main}^`)).toBe(mainBefore);
    expect((await git(remote, 'diff-tree', '--name-only', '-r', mainBefore, main)).split('\n')).toEqual([
      'team/p/Kptfile',
      'team/p/cm.yaml',
    ]);
    expect(await git(remote, 'for-each-ref', 'refs/heads/proposed', 'refs/heads/drafts')).toBe('');

    const { revisions } = await repo.refresh();
    expect(find(revisions, 'team/p', 'ws1')).toEqual(published);

    // A second revision of the same package gets v2.
    const ws2 = await repo.createDraft({
      packagePath: 'team/p',
      workspaceName: 'ws2',
      files: await repo.readResources(published),
      message: 'Creating new revision by copying previous revision',
    });
    const v2 = await repo.approve(await repo.propose(ws2));
    expect(v2).toMatchObject({ revision: 2, ref: 'team/p/v2' });
    expect(await git(remote, 'log', '-1', '--format=%s', 'main')).toBe('Approving package revision team/p/2');
    await expect(
      repo.createDraft({
        packagePath: 'team/p',
        workspaceName: 'ws1',
        files: new Map([['Kptfile', kptfile('p')]]),
        message: 'm',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it('proposes deletion, rejects it, and deletes published, draft and placeholder revisions', async () => {
    const { remote, repo } = await setup({ 'a/Kptfile': kptfile('a'), 'b/Kptfile': kptfile('b') });
    const draft = await repo.createDraft({
      packagePath: 'a',
      workspaceName: 'ws',
      files: new Map([['Kptfile', kptfile('a')]]),
      message: 'm',
    });
    const v1 = await repo.approve(await repo.propose(draft));
    await expect(repo.delete(v1)).rejects.toBeInstanceOf(ForbiddenError);

    const proposed = await repo.proposeDeletion(v1);
    expect(await git(remote, 'rev-parse', 'refs/heads/deletionProposed/a/v1')).toBe(v1.commit);
    expect(find((await repo.refresh()).revisions, 'a', 'ws')?.lifecycle).toBe('DeletionProposed');
    const back = await repo.rejectDeletion(proposed);
    expect(back.lifecycle).toBe('Published');
    expect(await git(remote, 'for-each-ref', 'refs/heads/deletionProposed')).toBe('');
    await repo.delete(await repo.proposeDeletion(back));
    expect(await git(remote, 'for-each-ref', 'refs/tags', 'refs/heads/deletionProposed')).toBe('');

    const other = await repo.createDraft({
      packagePath: 'a',
      workspaceName: 'ws3',
      files: new Map([['Kptfile', kptfile('a')]]),
      message: 'm',
    });
    await repo.delete(other);
    await expect(repo.delete(other)).rejects.toBeInstanceOf(NotFoundError);

    const placeholder = find((await repo.refresh()).revisions, 'b', 'main')!;
    await repo.delete(placeholder);
    expect(await git(remote, 'log', '-1', '--format=%s', 'main')).toBe('Delete b');
    expect(summary((await repo.refresh()).revisions)).toEqual(['a main -1 Published main']);
  });

  it('rejects invalid names, nested packages, stale revisions and bad file paths', async () => {
    const { repo } = await setup({ 'a/Kptfile': kptfile('a') });
    const files = new Map([['Kptfile', kptfile('x')]]);
    const cases: Array<[string, string, unknown]> = [
      ['x', 'Bad_WS', InvalidError],
      ['../x', 'ws', InvalidError],
      ['x/', 'ws', InvalidError],
      ['a/inner', 'ws', InvalidError], // child of package a
    ];
    for (const [packagePath, workspaceName, error] of cases) {
      await expect(
        repo.createDraft({ packagePath, workspaceName, files, message: 'm' }),
        packagePath,
      ).rejects.toBeInstanceOf(error);
    }
    await expect(
      repo.createDraft({
        packagePath: 'y',
        workspaceName: 'ws',
        files: new Map([['../evil', 'x']]),
        message: 'm',
      }),
    ).rejects.toBeInstanceOf(InvalidError);
    const rev = await repo.createDraft({ packagePath: 'y', workspaceName: 'ws', files, message: 'm' });
    await repo.updateDraft(rev, files, { message: 'm2' });
    await expect(repo.updateDraft(rev, files, { message: 'stale' })).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('GitRepository concurrency and errors', () => {
  it('retries when another client pushes between our fetch and our push, keeping their commit', async () => {
    const { remote, repo } = await setup({ 'a/Kptfile': kptfile('a') });
    const rev = await repo.propose(
      await repo.createDraft({
        packagePath: 'a',
        workspaceName: 'ws',
        files: new Map([['Kptfile', kptfile('a2')]]),
        message: 'm',
      }),
    );
    let theirs = '';
    const spy = vi.spyOn(GitMirror.prototype, 'push').mockImplementationOnce(async function (
      this: GitMirror,
      ...args
    ) {
      theirs = await commitToBranch(remote, 'main', { 'z/other.txt': 'theirs\n' }, 'someone else');
      // The once-implementation is used up: this call runs the real push, which the lease rejects.
      return this.push(...args);
    });
    const published = await repo.approve(rev);
    expect(spy.mock.calls.length).toBe(3); // ours (rejected), then the rebuilt push
    // Our approval was rebuilt on top of their commit, not over it.
    expect(await git(remote, 'rev-parse', `${published.commit}^`)).toBe(theirs);
    expect(await git(remote, 'show', 'main:z/other.txt')).toBe('theirs');
    expect(await git(remote, 'show', 'main:a/Kptfile')).toBe(kptfile('a2').trim());
  });

  it('lands concurrent approvals of two packages from two independent clients', async () => {
    const { name, remote, repo } = await setup({ 'README.md': 'r\n' });
    const other = await openRepo(name, { queue: new RepositoryQueue() });
    const make = async (r: GitRepository, p: string) =>
      r.propose(
        await r.createDraft({
          packagePath: p,
          workspaceName: 'ws',
          files: new Map([['Kptfile', kptfile(p)]]),
          message: 'm',
        }),
      );
    const [p1, p2] = await Promise.all([make(repo, 'one'), make(other, 'two')]);
    const [v1, v2] = await Promise.all([repo.approve(p1), other.approve(p2)]);
    expect([v1.ref, v2.ref]).toEqual(['one/v1', 'two/v1']);
    const log = (await git(remote, 'log', '--format=%s', 'main')).split('\n');
    expect(log).toContain('Approving package revision one/1');
    expect(log).toContain('Approving package revision two/1');
  });

  it('reports a wrong password readably, without the password', async () => {
    const name = `repo-${++counter}.git`;
    await server.createRepo(name, { files: { 'README.md': 'r\n' } });
    const error = await createGitRepository({
      dataDir: path.join(tmp, 'bad'),
      url: server.url(name),
      credentials: { type: 'basic', username: 'porch', password: 'wrong-pw-123' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expect(String((error as Error).message)).toMatch(/auth/i);
    expect(
      JSON.stringify({ m: (error as Error).message, s: (error as GitAuthenticationError).stderr }),
    ).not.toContain('wrong-pw-123');
  });

  it('creates a missing branch only when asked, also on an empty remote', async () => {
    const name = `repo-${++counter}.git`;
    await server.createRepo(name);
    await expect(openRepo(name)).rejects.toThrow(/branch "main" not found.*createBranch/);
    const repo = await openRepo(name, { createBranch: true });
    const remote = server.repoPath(name);
    expect(await git(remote, 'log', '--format=%s', 'main')).toBe('Initial commit: Creating main branch');
    expect(await git(remote, 'show', 'main:README.md')).toBe('Created by porch');
    expect((await repo.refresh()).revisions).toEqual([]);
  });
});
