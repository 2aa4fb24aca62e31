/** The test server itself: real smart HTTP that a plain `git` client can clone from and push to. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { commitToBranch, gitAt, startGitServer } from '../../test/support/git-server.js';
import type { GitServer } from '../../test/support/git-server.js';

let server: GitServer;
let tmp: string;

function withAuth(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-http-'));
  server = await startGitServer({ auth: { username: 'alice', password: 's3cret' } });
  await server.createRepo('catalog.git', {
    files: { 'nginx/Kptfile': 'kind: Kptfile\n', 'README.md': 'hi\n' },
  });
});

afterAll(async () => {
  await server.stop();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('startGitServer', () => {
  it('serves a repository that plain `git clone` checks out, and takes a push', async () => {
    const work = path.join(tmp, 'clone');
    await gitAt(undefined, [
      'clone',
      '--quiet',
      withAuth(server.url('catalog.git'), 'alice', 's3cret'),
      work,
    ]);
    expect(await fs.promises.readFile(path.join(work, 'nginx/Kptfile'), 'utf8')).toBe('kind: Kptfile\n');

    await fs.promises.writeFile(path.join(work, 'new.txt'), 'pushed\n');
    await gitAt(undefined, ['add', 'new.txt'], { cwd: work });
    await gitAt(undefined, ['commit', '--quiet', '-m', 'push over http'], { cwd: work });
    await gitAt(undefined, ['push', '--quiet', 'origin', 'main'], { cwd: work });
    const shown = await gitAt(server.repoPath('catalog.git'), ['show', 'main:new.txt']);
    expect(shown).toBe('pushed\n');
  });

  it('answers 401 with a Basic challenge without or with wrong credentials', async () => {
    const bare = await fetch(`${server.url('catalog.git')}/info/refs?service=git-upload-pack`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Basic realm="git"');
    const wrong = await fetch(`${server.url('catalog.git')}/info/refs?service=git-upload-pack`, {
      headers: { Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    await expect(
      gitAt(undefined, ['ls-remote', withAuth(server.url('catalog.git'), 'alice', 'nope')]),
    ).rejects.toThrow(/Authentication failed/);
  });

  it('passes gzip-encoded request bodies through to http-backend', async () => {
    const work = path.join(tmp, 'gzip');
    await gitAt(undefined, [
      'clone',
      '--quiet',
      '--bare',
      withAuth(server.url('catalog.git'), 'alice', 's3cret'),
      work,
    ]);
    // Many local-only commits make the next fetch negotiation send > 1 KiB of `have` lines,
    // which git compresses.
    for (let i = 0; i < 40; i++) await commitToBranch(work, `local/${i}`, { [`f${i}`]: String(i) });
    await commitToBranch(server.repoPath('catalog.git'), 'main', { 'remote.txt': 'new\n' });
    const before = server.stats.gzipBodies;
    await gitAt(work, ['fetch', '--quiet', 'origin', '+refs/heads/main:refs/heads/main']);
    expect(server.stats.gzipBodies).toBeGreaterThan(before);
    expect(await gitAt(work, ['show', 'main:remote.txt'])).toBe('new\n');
  });
});
