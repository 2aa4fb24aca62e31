import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { GitError, prepareGitHome, runGit } from './index.js';
import { gitEnvironment } from './run-git.js';

let home: string;
let silent: net.Server;
let silentUrl: string;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  home = await prepareGitHome(await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-run-')));
  // Accepts connections and never answers: a remote that hangs.
  silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.resume(); // read (and drop) the request, so that the client's close is noticed
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/repo.git`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  await fs.promises.rm(home, { recursive: true, force: true });
});

describe('gitEnvironment', () => {
  it('isolates git from our process environment and user configuration', () => {
    process.env.GIT_DIR = '/somewhere/else';
    process.env.LADING_UNRELATED_SECRET = 'x';
    try {
      const env = gitEnvironment({ home, config: [['gc.auto', '0']], env: { EXTRA: '1' } });
      expect(env).toMatchObject({
        HOME: home,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        LC_ALL: 'C',
        GIT_PAGER: 'cat',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'gc.auto',
        GIT_CONFIG_VALUE_0: '0',
        EXTRA: '1',
      });
      expect(env.GIT_DIR).toBeUndefined();
      expect(env.LADING_UNRELATED_SECRET).toBeUndefined();
    } finally {
      delete process.env.GIT_DIR;
      delete process.env.LADING_UNRELATED_SECRET;
    }
  });

  it('is what git actually runs with', async () => {
    const { stdout } = await runGit(['var', 'GIT_PAGER'], { home });
    expect(stdout.toString().trim()).toBe('cat');
    const config = await runGit(['config', '--list', '--show-origin'], {
      home,
      config: [['lading.test', 'yes']],
    });
    expect(config.stdout.toString().trim()).toBe('command line:\tlading.test=yes');
  });
});

describe('runGit', () => {
  it('turns a non-zero exit into a GitError with the command, exit code and stderr', async () => {
    const error = await runGit(['no-such-command'], { home }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    expect(error).toMatchObject({ exitCode: 1, failure: 'exit', command: ['git', 'no-such-command'] });
    expect((error as GitError).stderr).toMatch(/is not a git command/);
  });

  it('returns allowed non-zero exit codes', async () => {
    const result = await runGit(['no-such-command'], { home, allowExitCodes: [1] });
    expect(result.exitCode).toBe(1);
  });

  it('kills git and its helpers when the timeout passes', { timeout: 15_000 }, async () => {
    const started = Date.now();
    const error = await runGit(['ls-remote', silentUrl], { home, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'timeout' });
    expect((error as Error).message).toMatch(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    // git-remote-http held the connection; it is gone too.
    await expect.poll(() => sockets.size, { timeout: 3_000 }).toBe(0);
  });

  it('kills git when the signal aborts, with the reason as cause', { timeout: 15_000 }, async () => {
    const controller = new AbortController();
    const reason = new Error('shutting down');
    setTimeout(() => controller.abort(reason), 200);
    const error = await runGit(['ls-remote', silentUrl], { home, signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ failure: 'aborted' });
    expect((error as Error).cause).toBe(reason);
    await expect(runGit(['version'], { home, signal: controller.signal })).rejects.toMatchObject({
      failure: 'aborted',
    });
  });

  it('stops git when its output exceeds the limit', async () => {
    const error = await runGit(['version', '--build-options'], { home, maxOutputBytes: 20 }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ failure: 'output-limit' });
  });

  it('redacts URL userinfo and secrets from the command and stderr', async () => {
    const error = await runGit(['ls-remote', 'http://bob:hunter2@127.0.0.1:1/x.git', '--', 'tok3n'], {
      home,
      secrets: ['tok3n'],
      timeoutMs: 10_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitError);
    const text = `${(error as GitError).message} ${(error as GitError).stderr} ${(error as GitError).command.join(' ')}`;
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('tok3n');
    expect((error as GitError).command).toContain('http://***@127.0.0.1:1/x.git');
  });
});
