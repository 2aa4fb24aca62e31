/**
 * Runs the system `git` with a controlled environment: our own HOME, no system config, no prompts,
 * C locale, no pager, and only the few inherited variables that networking needs (proxies, CA
 * bundles, ssh agent). Output is bounded; every run can be aborted or timed out.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import * as path from 'node:path';

import { GitAuthenticationError, GitError } from './errors.js';
import type { GitFailure } from './errors.js';
import { redact } from './redact.js';

export interface GitEnvironmentOptions {
  /** Our private HOME (see git-home.ts). */
  home: string;
  /** Sets `GIT_DIR`; without it the command runs in `home`, outside any repository. */
  gitDir?: string;
  /** Extra variables for this child only (credentials go here, never into argv). */
  env?: Readonly<Record<string, string>>;
  /** Config passed as `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`, not `-c` argv. */
  config?: ReadonlyArray<readonly [string, string]>;
}

export interface RunGitOptions extends GitEnvironmentOptions {
  input?: Buffer | string;
  signal?: AbortSignal;
  /** Default 120 s. */
  timeoutMs?: number;
  /** Limit on stdout; exceeding it kills git and fails. Default 256 MiB. */
  maxOutputBytes?: number;
  /** Exit codes that are returned rather than thrown (0 always is). */
  allowExitCodes?: readonly number[];
  /** Values to redact from the error's command and stderr. */
  secrets?: readonly string[];
}

export interface GitOutput {
  stdout: Buffer;
  stderr: string;
  exitCode: number;
}

const INHERITED = [
  'PATH',
  'TMPDIR',
  'SYSTEMROOT',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'SSH_AUTH_SOCK',
  'GIT_SSH_COMMAND',
];

const DEFAULT_TIMEOUT_MS = 120_000;
const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;
const MAX_STDERR = 64 * 1024;
const KILL_GRACE_MS = 2_000;

/** The full environment for a git child; nothing else from our process leaks in. */
export function gitEnvironment(options: GitEnvironmentOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  Object.assign(env, {
    HOME: options.home,
    XDG_CONFIG_HOME: options.home,
    GIT_CEILING_DIRECTORIES: path.dirname(options.home),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    LC_ALL: 'C',
    LANG: 'C',
  });
  // Never wait for an ssh password or host-key question: there is nobody to answer it.
  env.GIT_SSH_COMMAND ??= 'ssh -o BatchMode=yes';
  if (options.gitDir !== undefined) env.GIT_DIR = options.gitDir;
  const config = options.config ?? [];
  if (config.length > 0) {
    env.GIT_CONFIG_COUNT = String(config.length);
    config.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
  Object.assign(env, options.env);
  return env;
}

export function gitSpawnOptions(options: GitEnvironmentOptions): SpawnOptions {
  return {
    env: gitEnvironment(options),
    cwd: options.gitDir ?? options.home,
    stdio: ['pipe', 'pipe', 'pipe'],
  };
}

/** The command as shown in errors: `git <args>` with secrets and URL userinfo masked. */
export function describeCommand(args: readonly string[], secrets: readonly string[] = []): string[] {
  return ['git', ...args.map((arg) => redact(arg, secrets))];
}

/**
 * Runs `git <args>` to completion. Resolves with stdout for exit 0 (or an allowed code); otherwise
 * throws `GitError` (`GitAuthenticationError` when the remote refused credentials). Aborting or
 * timing out sends SIGTERM (git removes its lock files), then SIGKILL after a grace period.
 */
export function runGit(args: readonly string[], options: RunGitOptions): Promise<GitOutput> {
  const secrets = [...(options.secrets ?? [])];
  const command = describeCommand(args, secrets);
  const fail = (
    message: string,
    failure: GitFailure,
    extra: { exitCode?: number | null; stderr?: string; cause?: unknown },
  ) => new GitError(`${command.slice(0, 2).join(' ')}: ${message}`, { command, failure, ...extra });

  return new Promise<GitOutput>((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(fail('aborted before start', 'aborted', { cause: signal.reason }));
      return;
    }
    // Own process group: git's helpers (git-remote-https, index-pack) hold our pipes open, so
    // stopping git alone would leave a hung helper and no 'close' event. We signal the group.
    const child = spawn('git', [...args], { ...gitSpawnOptions(options), detached: true });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let stopped: { failure: GitFailure; message: string; cause?: unknown } | undefined;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (failure: GitFailure, message: string, cause?: unknown) => {
      if (stopped !== undefined) return;
      stopped = cause === undefined ? { failure, message } : { failure, message, cause };
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const limit = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(() => stop('timeout', `timed out after ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => stop('aborted', 'aborted', signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > limit) stop('output-limit', `output exceeded ${limit} bytes`);
      else stdout.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8');
    });
    // git may exit before reading all input (e.g. on a usage error); its exit status tells why.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');

    let spawnError: Error | undefined;
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killTimer !== undefined) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      const cleanStderr = redact(stderr.trim(), secrets);
      if (stopped !== undefined) {
        reject(
          fail(stopped.message, stopped.failure, {
            exitCode: code,
            stderr: cleanStderr,
            cause: stopped.cause,
          }),
        );
      } else if (spawnError !== undefined) {
        reject(fail(`could not start git: ${spawnError.message}`, 'spawn', { cause: spawnError }));
      } else if (code === 0 || (code !== null && options.allowExitCodes?.includes(code) === true)) {
        resolve({ stdout: Buffer.concat(stdout), stderr: cleanStderr, exitCode: code });
      } else {
        reject(exitError(command, code, cleanStderr));
      }
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    child.kill(signal); // the group is gone already, or was never created
  }
}

const AUTH_FAILURE =
  /Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|HTTP Basic: Access denied|Permission denied \(publickey/i;

/** The error for a non-zero exit, classified by stderr. `stderr` must already be redacted. */
export function exitError(command: readonly string[], exitCode: number | null, stderr: string): GitError {
  const summary = lastLines(stderr, 6);
  const message = `${command.slice(0, 2).join(' ')} failed (exit code ${exitCode ?? 'none'})${summary ? `: ${summary}` : ''}`;
  const details = { command, exitCode, stderr, failure: 'exit' as const };
  return AUTH_FAILURE.test(stderr)
    ? new GitAuthenticationError(message, details)
    : new GitError(message, details);
}

function lastLines(text: string, count: number): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.slice(-count).join('\n');
}
