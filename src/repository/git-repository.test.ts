import { describe, expect, it } from 'vitest';

import { commitToBranch } from '../../test/support/git-server.js';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  BadRequestError,
} from '../apimachinery/index.js';
import { find, git, kptfile, setup, summary, useGitServer } from './git-repository.fixture.js';

useGitServer();

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

  it('refreshes and writes one package without fetching the refs of the others', async () => {
    const { remote, repo } = await setup({ 'a/Kptfile': kptfile('a'), 'b/Kptfile': kptfile('b') });
    await repo.refresh();
    const main = await git(remote, 'rev-parse', 'main');
    await git(remote, 'update-ref', 'refs/tags/a/v1', main);
    await git(remote, 'update-ref', 'refs/tags/b/v1', main);
    const scoped = await repo.refresh(undefined, { packagePath: 'a' });
    expect(summary(scoped.revisions)).toEqual(['a main -1 Published main', 'a v1 1 Published a/v1']);
    // A scoped write, then each package's scoped view and the full one agree.
    await repo.createDraft({
      packagePath: 'a',
      workspaceName: 'ws',
      files: new Map([['Kptfile', kptfile('a')]]),
      message: 'm',
    });
    expect(summary((await repo.refresh(undefined, { packagePath: 'b' })).revisions)).toEqual([
      'b main -1 Published main',
      'b v1 1 Published b/v1',
    ]);
    expect(summary((await repo.refresh()).revisions)).toEqual([
      'a main -1 Published main',
      'a v1 1 Published a/v1',
      'a ws 0 Draft drafts/a/ws',
      'b main -1 Published main',
      'b v1 1 Published b/v1',
    ]);
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
      ['b', 'main', ConflictError], // the placeholder's workspace
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
