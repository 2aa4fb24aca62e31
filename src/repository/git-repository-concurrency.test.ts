import { describe, expect, it, vi } from 'vitest';

import { commitToBranch } from '../../test/support/git-server.js';
import { ConflictError } from '../apimachinery/index.js';
import { GitAuthenticationError, GitMirror, RepositoryQueue } from '../git/index.js';
import {
  dataDir,
  git,
  gitServer,
  kptfile,
  newRemote,
  openRepo,
  setup,
  summary,
  useGitServer,
} from './git-repository.fixture.js';
import { createGitRepository } from './index.js';
import type { GitRepository } from './index.js';

useGitServer();

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
    const name = await newRemote({ 'README.md': 'r\n' });
    const error = await createGitRepository({
      dataDir: dataDir(),
      url: gitServer().url(name),
      credentials: { type: 'basic', username: 'porch', password: 'wrong-pw-123' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expect(String((error as Error).message)).toMatch(/auth/i);
    expect(
      JSON.stringify({ m: (error as Error).message, s: (error as GitAuthenticationError).stderr }),
    ).not.toContain('wrong-pw-123');
  });

  it('creates a missing branch only when asked, also on an empty remote', async () => {
    const name = await newRemote();
    await expect(openRepo(name)).rejects.toThrow(/branch "main" not found.*createBranch/);
    const repo = await openRepo(name, { createBranch: true });
    const remote = gitServer().repoPath(name);
    expect(await git(remote, 'log', '--format=%s', 'main')).toBe('Initial commit: Creating main branch');
    expect(await git(remote, 'show', 'main:README.md')).toBe('Created by porch');
    expect((await repo.refresh()).revisions).toEqual([]);
  });
});

describe('GitRepository under contention', () => {
  const draftOf = async (r: GitRepository, packagePath: string, workspaceName: string) =>
    r.propose(
      await r.createDraft({
        packagePath,
        workspaceName,
        files: new Map([['Kptfile', kptfile(packagePath)]]),
        message: 'Creating new empty revision',
      }),
    );

  it('gives two clients approving the same package v1 and v2, recomputing N on retry', async () => {
    const { name, remote, repo } = await setup({ 'README.md': 'r\n' });
    const other = await openRepo(name, { queue: new RepositoryQueue() });
    const a = await draftOf(repo, 'p', 'wa');
    await other.refresh();
    const b = await draftOf(other, 'p', 'wb');
    const results = await Promise.all([repo.approve(a), other.approve(b)]);
    expect(results.map((r) => r.revision).sort()).toEqual([1, 2]);
    expect(await git(remote, 'for-each-ref', '--format=%(refname)', 'refs/tags')).toBe(
      'refs/tags/p/v1\nrefs/tags/p/v2',
    );
    const byRevision = new Map(results.map((r) => [r.revision, r.workspaceName]));
    expect(summary((await repo.refresh()).revisions)).toEqual(
      [
        'p main -1 Published main',
        `p ${byRevision.get(1) ?? ''} 1 Published p/v1`,
        `p ${byRevision.get(2) ?? ''} 2 Published p/v2`,
      ].sort(),
    );
  });

  it('refuses to move a revision another client changed (Conflict), instead of overwriting it', async () => {
    const { name, repo } = await setup({ 'README.md': 'r\n' });
    const other = await openRepo(name, { queue: new RepositoryQueue() });
    const draft = await repo.createDraft({
      packagePath: 'p',
      workspaceName: 'ws',
      files: new Map([['Kptfile', kptfile('p')]]),
      message: 'm',
    });
    await other.updateDraft(draft, new Map([['Kptfile', kptfile('p2')]]), { message: 'theirs' });
    await expect(repo.propose(draft)).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps packages under spec.git.directory: refs and trailer use the full path', async () => {
    const { remote, repo } = await setup(
      { 'blueprints/a/Kptfile': kptfile('a') },
      { directory: 'blueprints' },
    );
    const published = await repo.approve(await draftOf(repo, 'b', 'ws'));
    expect(published).toMatchObject({ packagePath: 'b', ref: 'blueprints/b/v1' });
    expect(await git(remote, 'log', '-1', '--format=%B', 'main')).toBe(
      'Approving package revision blueprints/b/1\n\nkpt:{"package":"blueprints/b","workspaceName":"ws","revision":"1"}',
    );
    expect(await git(remote, 'show', 'main:blueprints/b/Kptfile')).toBe(kptfile('b').trim());
  });

  it('stops when the signal is aborted', async () => {
    const { repo } = await setup({ 'README.md': 'r\n' });
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    await expect(repo.refresh(controller.signal)).rejects.toThrow('client went away');
    await expect(
      repo.createDraft(
        { packagePath: 'p', workspaceName: 'ws', files: new Map([['Kptfile', 'x']]), message: 'm' },
        controller.signal,
      ),
    ).rejects.toThrow('client went away');
  });
});
