import type * as childProcess from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

import { gitAt, startGitServer } from '../../test/support/git-server.js';
import type { GitServer } from '../../test/support/git-server.js';
import { remoteAccess } from './credentials.js';
import { GitAuthenticationError, GitError, GitMirror, redact } from './index.js';

// Record every child process our code starts, to prove what is (not) in argv.
const spawned = vi.hoisted(() => [] as Array<{ command: string; args: string[]; env: NodeJS.ProcessEnv }>);
vi.mock('node:child_process', async (importOriginal) => {
  const actual = await importOriginal<typeof childProcess>();
  const spawn = (command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv }) => {
    spawned.push({ command, args: [...args], env: { ...options.env } });
    return actual.spawn(command, args, options);
  };
  return { ...actual, spawn };
});

const PASSWORD = 'correct-horse-battery-staple';
const TOKEN = 'bearer-token-9f8e7d';
let server: GitServer;
let tmp: string;
const mirrors: GitMirror[] = [];

async function open(name: string, url: string, options: Parameters<typeof GitMirror.open>[2] = {}) {
  const mirror = await GitMirror.open(path.join(tmp, name), url, {
    ...options,
    home: path.join(tmp, 'home'),
  });
  mirrors.push(mirror);
  return mirror;
}

function gitSpawns() {
  return spawned.filter((s) => s.command === 'git');
}

/** Every file under `dir`, concatenated: nothing we write to disk may contain a secret. */
async function allFileContents(dir: string): Promise<string> {
  const parts: string[] = [];
  for (const entry of await fs.promises.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile())
      parts.push(await fs.promises.readFile(path.join(entry.parentPath, entry.name), 'latin1'));
  }
  return parts.join('\n');
}

function expectNoSecret(error: unknown, secret: string): void {
  expect(error).toBeInstanceOf(GitError);
  const e = error as GitError;
  for (const text of [e.message, e.stderr, e.command.join(' '), String(e.stack), JSON.stringify(e)]) {
    expect(text).not.toContain(secret);
  }
}

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-creds-'));
  server = await startGitServer({ auth: { username: 'alice', password: PASSWORD } });
  await server.createRepo('private.git', { files: { 'pkg/Kptfile': 'kind: Kptfile\n' } });
});

afterEach(async () => {
  await Promise.all(mirrors.splice(0).map((m) => m.close()));
});

afterAll(async () => {
  await server.stop();
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

describe('credentials over http', () => {
  it('pushes in-process with the password only in a request header, never in a process or file', async () => {
    spawned.length = 0;
    const mirror = await open('in-process', server.url('private.git'), {
      credentials: { type: 'basic', username: 'alice', password: PASSWORD },
    });
    await mirror.fetch();
    const main = (await mirror.resolve('refs/heads/main')) ?? '';
    await mirror.push([{ ref: 'refs/tags/pkg/in-process', newOid: main, expectedRemoteOid: null }]);
    expect(await gitAt(server.repoPath('private.git'), ['rev-parse', 'refs/tags/pkg/in-process'])).toBe(
      `${main}\n`,
    );
    const calls = gitSpawns();
    expect(calls.filter((c) => c.args[0] === 'push')).toEqual([]);
    for (const call of calls.filter((c) => c.args[0] !== 'fetch')) {
      expect([...call.args, ...Object.values(call.env)].join('\n')).not.toContain(PASSWORD);
    }
    expect(await allFileContents(mirror.dir)).not.toContain(PASSWORD);
  });

  it('fetches and pushes (git CLI) with the right password, which never reaches argv or disk', async () => {
    spawned.length = 0;
    const mirror = await open('right', server.url('private.git'), {
      credentials: { type: 'basic', username: 'alice', password: PASSWORD },
      httpPush: 'git',
    });
    await mirror.fetch();
    const main = (await mirror.resolve('refs/heads/main')) ?? '';
    await mirror.push([{ ref: 'refs/tags/pkg/v1', newOid: main, expectedRemoteOid: null }]);
    expect(server.stats.unauthorized).toBeGreaterThan(0); // the server did challenge us

    const calls = gitSpawns();
    expect(calls.length).toBeGreaterThan(2);
    for (const call of calls) expect(call.args.join(' ')).not.toContain(PASSWORD);
    const network = calls.filter((c) => c.args[0] === 'fetch' || c.args[0] === 'push');
    expect(network.map((c) => c.args[0])).toEqual(['fetch', 'push']);
    for (const call of network) expect(call.env.LADING_GIT_PASSWORD).toBe(PASSWORD);
    // Local commands (cat-file, for-each-ref, update-ref) never see the secret.
    for (const call of calls.filter((c) => !network.includes(c))) {
      expect(Object.values(call.env).join('\n')).not.toContain(PASSWORD);
    }
    expect(await allFileContents(mirror.dir)).not.toContain(PASSWORD);
    expect(await allFileContents(path.join(tmp, 'home'))).not.toContain(PASSWORD);
  });

  it('fails with a readable GitAuthenticationError on a wrong password, without the password', async () => {
    const wrong = 'wrong-password-123';
    const mirror = await open('wrong', server.url('private.git'), {
      credentials: { type: 'basic', username: 'alice', password: wrong },
    });
    const error = await mirror.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expect((error as Error).message).toMatch(
      /^git fetch failed \(exit code 128\):.*Authentication failed for 'http:\/\/127\.0\.0\.1:\d+\/private\.git\/'/s,
    );
    expectNoSecret(error, wrong);
  });

  it('fails with GitAuthenticationError when the server wants credentials and none are given', async () => {
    const mirror = await open('none', server.url('private.git'));
    const error = await mirror.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
  });

  it('moves credentials out of a URL with userinfo: works, and they show nowhere', async () => {
    const url = new URL(server.url('private.git'));
    url.username = 'alice';
    url.password = PASSWORD;
    spawned.length = 0;
    const mirror = await open('userinfo', url.toString());
    expect(mirror.url).toBe(server.url('private.git'));
    await mirror.fetch();
    expect(await mirror.resolve('refs/heads/main')).toMatch(/^[0-9a-f]{40}$/);
    for (const call of gitSpawns()) expect(call.args.join(' ')).not.toContain(PASSWORD);
    expect(await allFileContents(mirror.dir)).not.toContain(PASSWORD);

    url.password = 'bad-in-url-456';
    const bad = await open('userinfo-bad', url.toString());
    const error = await bad.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expectNoSecret(error, 'bad-in-url-456');
  });

  it('sends a bearer token through environment config only, and keeps it out of errors', async () => {
    spawned.length = 0;
    const mirror = await open('bearer', server.url('private.git'), {
      credentials: { type: 'bearer', token: TOKEN },
    });
    // The test server only knows basic auth, so the token is refused: what matters is where it went.
    const error = await mirror.fetch().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitAuthenticationError);
    expectNoSecret(error, TOKEN);
    const fetch = gitSpawns().find((c) => c.args[0] === 'fetch');
    expect(fetch?.args.join(' ')).not.toContain(TOKEN);
    const count = Number(fetch?.env.GIT_CONFIG_COUNT);
    const config = Array.from({ length: count }, (_, i) => [
      fetch?.env[`GIT_CONFIG_KEY_${i}`],
      fetch?.env[`GIT_CONFIG_VALUE_${i}`],
    ]);
    expect(config).toContainEqual([
      `http.${server.url('private.git')}.extraHeader`,
      `Authorization: Bearer ${TOKEN}`,
    ]);
  });
});

describe('remoteAccess', () => {
  const home = '/nonexistent-home';
  const cases: Array<{ name: string; url: string; expectedUrl: string; envKeys: string[]; configs: number }> =
    [
      {
        name: 'file URL: nothing',
        url: 'file:///srv/repo.git',
        expectedUrl: 'file:///srv/repo.git',
        envKeys: [],
        configs: 0,
      },
      {
        name: 'plain path: nothing',
        url: '/srv/repo.git',
        expectedUrl: '/srv/repo.git',
        envKeys: [],
        configs: 0,
      },
      {
        name: 'ssh URL: passed through',
        url: 'ssh://git@example.com/repo.git',
        expectedUrl: 'ssh://git@example.com/repo.git',
        envKeys: [],
        configs: 0,
      },
      {
        name: 'https with userinfo: moved to askpass',
        url: 'https://bob:p%40ss@example.com/r.git',
        expectedUrl: 'https://example.com/r.git',
        envKeys: ['GIT_ASKPASS', 'LADING_GIT_USERNAME', 'LADING_GIT_PASSWORD'],
        configs: 0,
      },
    ];
  it.each(cases)('$name', ({ url, expectedUrl, envKeys, configs }) => {
    const access = remoteAccess(url, undefined, home);
    expect(access.url).toBe(expectedUrl);
    expect(Object.keys(access.env)).toEqual(envKeys);
    expect(access.config).toHaveLength(configs);
  });

  it('decodes URL-encoded userinfo', () => {
    expect(
      remoteAccess('https://bob:p%40ss@example.com/r.git', undefined, home).env.LADING_GIT_PASSWORD,
    ).toBe('p@ss');
  });
});

describe('redact', () => {
  it.each([
    [
      'URL userinfo',
      "fatal: unable to access 'https://bob:hunter2@host/r.git/'",
      [],
      "fatal: unable to access 'https://***@host/r.git/'",
    ],
    ['raw secret', 'token hunter2 leaked', ['hunter2'], 'token *** leaked'],
    ['url-encoded secret', 'pw=p%40ss', ['p@ss'], 'pw=***'],
    ['base64 of user:password', `Basic ${Buffer.from('bob:pw').toString('base64')}`, ['bob:pw'], 'Basic ***'],
  ])('%s', (_name, text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});
