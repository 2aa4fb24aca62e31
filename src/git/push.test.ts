import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { gitAt, startGitServer } from '../../test/support/git-server.js';
import type { GitServer } from '../../test/support/git-server.js';
import { GitAuthenticationError, GitMirror, GitPushRejectedError } from './index.js';
import type { GitCredentials } from './index.js';
import { parsePorcelain } from './push.js';

const credentials: GitCredentials = { type: 'basic', username: 'porch', password: 'push-pw' };
const author = { name: 'Package Orchestration Service', email: 'porch@kpt.dev' };
let server: GitServer;
let tmp: string;
const mirrors: GitMirror[] = [];
let repoCount = 0;

async function newRepo(): Promise<{ name: string; initial: string }> {
  const name = `repo-${repoCount++}.git`;
  const initial = await server.createRepo(name, { files: { 'pkg/Kptfile': 'kind: Kptfile\n' } });
  return { name, initial: initial ?? '' };
}

type Transport = 'in-process' | 'git';

async function mirrorOfWith(
  repo: string,
  label: string,
  httpPush: Transport = 'in-process',
  creds: GitCredentials = credentials,
): Promise<GitMirror> {
  const mirror = await GitMirror.open(path.join(tmp, `${repo}-${label}`), server.url(repo), {
    credentials: creds,
    httpPush,
  });
  mirrors.push(mirror);
  await mirror.fetch();
  return mirror;
}

async function change(mirror: GitMirror, parent: string, content: string): Promise<string> {
  const tree = await mirror.writeTree(parent, { 'pkg/cm.yaml': Buffer.from(content) });
  return mirror.commitTree({ tree, parents: [parent], message: `set ${content}`, author });
}

async function remoteRefs(repo: string): Promise<Record<string, string>> {
  const out = await gitAt(server.repoPath(repo), ['for-each-ref', '--format=%(refname) %(objectname)']);
  return Object.fromEntries(
    out
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ') as [string, string]),
  );
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-push-'));
  server = await startGitServer({ auth: { username: 'porch', password: 'push-pw' } });
});

afterEach(async () => {
  await Promise.all(mirrors.splice(0).map((m) => m.close()));
});

afterAll(async () => {
  await server.stop();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

const pushesBy = (agent: (name: string) => boolean): number =>
  Object.entries(server.stats.pushesByAgent)
    .filter(([name]) => agent(name))
    .reduce((sum, [, count]) => sum + count, 0);
const lading = (name: string): boolean => name === 'git/lading';
const gitCli = (name: string): boolean => /^git\/\d/.test(name);

describe.each<Transport>(['in-process', 'git'])('GitMirror.push (%s)', (transport) => {
  const mirrorOf = (repo: string, label: string, creds?: GitCredentials): Promise<GitMirror> =>
    mirrorOfWith(repo, label, transport, creds);

  it('pushes several refs atomically: one stale lease and nothing is updated', async () => {
    const { name, initial } = await newRepo();
    const mirror = await mirrorOf(name, 'atomic');
    const next = await change(mirror, initial, 'v2');
    const updates = [
      { ref: 'refs/heads/main', newOid: next, expectedRemoteOid: initial },
      { ref: 'refs/tags/pkg/v1', newOid: next, expectedRemoteOid: null },
      { ref: 'refs/heads/proposed/pkg/ws', newOid: next, expectedRemoteOid: 'f'.repeat(40) },
    ];
    const error = await mirror.push(updates).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitPushRejectedError);
    const rejected = (error as GitPushRejectedError).rejected;
    expect(rejected).toContainEqual({ ref: 'refs/heads/proposed/pkg/ws', reason: 'stale info' });
    expect(rejected.map((r) => r.ref).sort()).toEqual(updates.map((u) => u.ref).sort());
    expect((error as Error).message).toContain('"refs/heads/proposed/pkg/ws" (stale info)');
    expect(await remoteRefs(name)).toEqual({ 'refs/heads/main': initial });
    expect(await mirror.resolve('refs/heads/main')).toBe(initial);

    const ok = updates.map((u) => ({
      ...u,
      expectedRemoteOid: u.ref === 'refs/heads/main' ? initial : null,
    }));
    expect(await mirror.push(ok)).toEqual(ok.map((u) => ({ ref: u.ref, status: 'ok' })));
    await gitAt(server.repoPath(name), ['fsck', '--strict', '--no-dangling']);
    expect(await remoteRefs(name)).toEqual({
      'refs/heads/main': next,
      'refs/heads/proposed/pkg/ws': next,
      'refs/tags/pkg/v1': next,
    });
    // The mirror reflects the pushed state without another fetch.
    expect((await mirror.listRefs()).map((r) => [r.name, r.oid])).toEqual(
      Object.entries(await remoteRefs(name)),
    );
  });

  it('moves a draft to proposed in one push (create + delete)', async () => {
    const { name, initial } = await newRepo();
    const mirror = await mirrorOf(name, 'propose');
    const draft = await change(mirror, initial, 'draft');
    await mirror.push([{ ref: 'refs/heads/drafts/pkg/ws', newOid: draft, expectedRemoteOid: null }]);
    await mirror.push([
      { ref: 'refs/heads/proposed/pkg/ws', newOid: draft, expectedRemoteOid: null },
      { ref: 'refs/heads/drafts/pkg/ws', newOid: null, expectedRemoteOid: draft },
    ]);
    expect(await remoteRefs(name)).toEqual({
      'refs/heads/main': initial,
      'refs/heads/proposed/pkg/ws': draft,
    });
    expect(await mirror.resolve('refs/heads/drafts/pkg/ws')).toBeUndefined();
  });

  it('never overwrites a commit another client pushed first; succeeds after re-fetch', async () => {
    const { name, initial } = await newRepo();
    const ours = await mirrorOf(name, 'ours');
    const theirs = await mirrorOf(name, 'theirs');
    const theirCommit = await change(theirs, initial, 'theirs');
    await theirs.push([{ ref: 'refs/heads/main', newOid: theirCommit, expectedRemoteOid: initial }]);

    const ourCommit = await change(ours, initial, 'ours');
    await expect(
      ours.push([{ ref: 'refs/heads/main', newOid: ourCommit, expectedRemoteOid: initial }]),
    ).rejects.toBeInstanceOf(GitPushRejectedError);
    expect((await remoteRefs(name))['refs/heads/main']).toBe(theirCommit);

    await ours.fetch();
    const tip = (await ours.resolve('refs/heads/main')) ?? '';
    expect(tip).toBe(theirCommit);
    const rebuilt = await change(ours, tip, 'ours');
    await ours.push([{ ref: 'refs/heads/main', newOid: rebuilt, expectedRemoteOid: tip }]);
    expect((await remoteRefs(name))['refs/heads/main']).toBe(rebuilt);
    expect((await ours.readCommit(rebuilt)).parents).toEqual([theirCommit]);
  });

  it('is refused by the remote itself when a lease no longer holds on a later push', async () => {
    const { name, initial } = await newRepo();
    const ours = await mirrorOf(name, 'later-ours');
    const theirs = await mirrorOf(name, 'later-theirs');
    // Our first push; the next one is checked only by the remote (no ref discovery in between).
    await ours.push([{ ref: 'refs/heads/ours', newOid: initial, expectedRemoteOid: null }]);
    const theirCommit = await change(theirs, initial, 'theirs');
    await theirs.push([{ ref: 'refs/heads/main', newOid: theirCommit, expectedRemoteOid: initial }]);
    const ourCommit = await change(ours, initial, 'ours');
    const error = await ours
      .push([
        { ref: 'refs/heads/main', newOid: ourCommit, expectedRemoteOid: initial },
        { ref: 'refs/tags/pkg/v1', newOid: ourCommit, expectedRemoteOid: null },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitPushRejectedError);
    expect((error as GitPushRejectedError).rejected.map((r) => r.ref)).toContain('refs/heads/main');
    expect(await remoteRefs(name)).toEqual({ 'refs/heads/main': theirCommit, 'refs/heads/ours': initial });
  });

  it('lets exactly one of two simultaneous pushes with the same lease win', async () => {
    const { name, initial } = await newRepo();
    const a = await mirrorOf(name, 'race-a');
    const b = await mirrorOf(name, 'race-b');
    const [ca, cb] = await Promise.all([change(a, initial, 'a'), change(b, initial, 'b')]);
    const results = await Promise.allSettled([
      a.push([{ ref: 'refs/heads/main', newOid: ca, expectedRemoteOid: initial }]),
      b.push([{ ref: 'refs/heads/main', newOid: cb, expectedRemoteOid: initial }]),
    ]);
    const won = results.findIndex((r) => r.status === 'fulfilled');
    const lost = results.find((r) => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(lost?.reason).toBeInstanceOf(GitPushRejectedError);
    expect((await remoteRefs(name))['refs/heads/main']).toBe(won === 0 ? ca : cb);
  });

  it("turns a hook's refusal into a rejection with the hook's reason", async () => {
    const { name, initial } = await newRepo();
    const hook = path.join(server.repoPath(name), 'hooks', 'pre-receive');
    await fs.promises.writeFile(hook, '#!/bin/sh\necho no pushes today >&2\nexit 1\n', { mode: 0o755 });
    const mirror = await mirrorOf(name, 'hook');
    const next = await change(mirror, initial, 'hooked');
    const error = await mirror
      .push([{ ref: 'refs/heads/main', newOid: next, expectedRemoteOid: initial }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitPushRejectedError);
    expect((error as GitPushRejectedError).rejected[0]?.reason).toMatch(/hook declined/);
    expect(await remoteRefs(name)).toEqual({ 'refs/heads/main': initial });
  });

  it('fails with an authentication error, naming no password, when the credentials are wrong', async () => {
    const { name, initial } = await newRepo();
    const mirror = await mirrorOf(name, 'creds');
    const next = await change(mirror, initial, 'x');
    mirror.setCredentials({ type: 'basic', username: 'porch', password: 'wrong-pw' });
    const error = await mirror
      .push([{ ref: 'refs/heads/main', newOid: next, expectedRemoteOid: initial }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expect(String(error)).not.toContain('wrong-pw');
  });

  it(`is carried by ${transport === 'git' ? 'the git CLI' : 'Lading itself'}`, async () => {
    const { name, initial } = await newRepo();
    const mirror = await mirrorOf(name, 'agent');
    const [ours, cli] = [pushesBy(lading), pushesBy(gitCli)];
    await mirror.push([{ ref: 'refs/heads/x', newOid: initial, expectedRemoteOid: null }]);
    expect([pushesBy(lading) - ours, pushesBy(gitCli) - cli]).toEqual(transport === 'git' ? [0, 1] : [1, 0]);
  });
});

describe('GitMirror.push in-process', () => {
  it('falls back to the git CLI when the remote lacks objects the mirror did not write itself', async () => {
    const { name, initial } = await newRepo();
    const mirror = await mirrorOfWith(name, 'fallback', 'in-process');
    // A commit made by git directly in the mirror: the in-process pack would not contain it.
    const tree = await gitAt(mirror.dir, ['rev-parse', `${initial}^{tree}`]);
    const commit = (
      await gitAt(mirror.dir, ['commit-tree', tree.trim(), '-p', initial, '-m', 'made by git'], {
        env: {
          GIT_AUTHOR_NAME: 'a',
          GIT_AUTHOR_EMAIL: 'a@x',
          GIT_COMMITTER_NAME: 'a',
          GIT_COMMITTER_EMAIL: 'a@x',
        },
      })
    ).trim();
    const [ours, cli] = [pushesBy(lading), pushesBy(gitCli)];
    await mirror.push([{ ref: 'refs/heads/main', newOid: commit, expectedRemoteOid: initial }]);
    expect((await remoteRefs(name))['refs/heads/main']).toBe(commit);
    expect([pushesBy(lading) - ours, pushesBy(gitCli) - cli]).toEqual([1, 1]);
    await gitAt(server.repoPath(name), ['fsck', '--strict', '--no-dangling']);
  });
});

describe('parsePorcelain', () => {
  it('reads flags, refs and reasons', () => {
    const out = [
      'To http://127.0.0.1:1/r.git',
      '*\tabc:refs/tags/p/v1\t[new tag]',
      '-\t:refs/heads/drafts/p/ws\t[deleted]',
      '!\tabc:refs/heads/main\t[rejected] (stale info)',
      '!\tabc:refs/heads/x\t[remote rejected] (pre-receive hook declined)',
      'Done',
    ].join('\n');
    expect(parsePorcelain(out)).toEqual([
      { flag: '*', ref: 'refs/tags/p/v1', reason: '[new tag]' },
      { flag: '-', ref: 'refs/heads/drafts/p/ws', reason: '[deleted]' },
      { flag: '!', ref: 'refs/heads/main', reason: 'stale info' },
      { flag: '!', ref: 'refs/heads/x', reason: 'pre-receive hook declined' },
    ]);
  });
});
