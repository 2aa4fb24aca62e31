/**
 * Repositories hosted by `lading serve`: `lading repo create` makes one, and plain `git` clones,
 * pushes and fetches it over smart HTTP at /git/<name>.git — anonymously on loopback, and with a
 * token (as the basic-auth password) over TLS when a token file is configured.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startLading } from '../support/lading-server.js';

const exec = promisify(execFile);
const cli = (args: string[], cwd?: string) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin/lading.js'), ...args], {
    encoding: 'utf8',
    ...(cwd ? { cwd } : {}),
  });

async function git(args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await exec('git', args, {
    cwd,
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      HOME: cwd,
      GIT_AUTHOR_NAME: 'Tester',
      GIT_AUTHOR_EMAIL: 't@example.test',
      GIT_COMMITTER_NAME: 'Tester',
      GIT_COMMITTER_EMAIL: 't@example.test',
      ...env,
    },
  });
  return stdout;
}

describe('git repositories hosted by lading serve', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-git-hosting-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('creates a repository that git can clone, push to and fetch from', async () => {
    const server = await startLading();
    try {
      const created = cli(['repo', 'create', 'blueprints', '--data-dir', server.dataDir]);
      expect(created.status).toBe(0);
      const url = `${server.url}/git/blueprints.git`;
      expect(created.stdout).toBe(`repository "blueprints" created: ${url}\n`);
      const again = cli(['repo', 'create', 'blueprints', '--data-dir', server.dataDir]);
      expect(again.status).toBe(1);
      expect(again.stderr).toContain('already exists');
      expect(cli(['repo', 'create', 'Bad_Name', '--data-dir', server.dataDir]).stderr).toContain(
        'must be a DNS label',
      );
      // The default data dir is relative (./.lading): a relative one must work too.
      const relative = cli(['repo', 'create', 'relative', '--data-dir', 'data'], await tempDir());
      expect(relative.stderr).toBe('');
      expect(relative.status).toBe(0);

      const work = await tempDir();
      await git(['clone', '--quiet', url, 'one'], work);
      await writeFile(join(work, 'one', 'README.md'), 'hello\n');
      await git(['add', 'README.md'], join(work, 'one'));
      await git(['commit', '--quiet', '-m', 'first'], join(work, 'one'));
      await git(['push', '--quiet', 'origin', 'HEAD:main'], join(work, 'one'));
      await git(['clone', '--quiet', url, 'two'], work);
      expect(await readFile(join(work, 'two', 'README.md'), 'utf8')).toBe('hello\n');
      expect((await git(['log', '--format=%s'], join(work, 'two'))).trim()).toBe('first');
    } finally {
      await server.stop();
    }
  });

  it('requires the token (as the password) when a token file is configured', async () => {
    const dir = await tempDir();
    const tokens = join(dir, 'tokens.csv');
    await writeFile(tokens, 'git-token-123,alice,1\n');
    const server = await startLading({ args: ['--token-file', tokens] });
    try {
      expect(cli(['repo', 'create', 'secured', '--data-dir', server.dataDir]).status).toBe(0);
      const ca = join(server.dataDir, 'serving.crt');
      const base = `${server.url}/git/secured.git`;
      const env = { GIT_SSL_CAINFO: ca };
      await expect(git(['ls-remote', base], dir, env)).rejects.toThrow(
        /could not read Username|Authentication failed/,
      );
      const withToken = base.replace('https://', 'https://alice:git-token-123@');
      await expect(git(['ls-remote', withToken], dir, env)).resolves.toBe('');
    } finally {
      await server.stop();
    }
  });
});
