/**
 * Writes objects into a mirror with plumbing only: blobs with `hash-object -w`, trees with one
 * `mktree -z --batch` process per write (each tree answered with its oid as soon as it is read,
 * so bottom-up construction is a series of pipelined lines, not a process per tree).
 */
import { randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { GitError } from './errors.js';
import type { FileMode } from './objects.js';
import { entryType } from './objects.js';
import { describeCommand, exitError, gitSpawnOptions, runGit } from './run-git.js';
import type { GitEnvironmentOptions } from './run-git.js';

export interface NewTreeEntry {
  name: string;
  mode: FileMode;
  oid: string;
}

/**
 * Writes blobs and returns their oids in order. One blob goes through stdin; several are staged
 * in a temp dir inside the git dir and hashed by one `hash-object --stdin-paths` process.
 */
export async function writeBlobs(
  contents: readonly Buffer[],
  options: GitEnvironmentOptions & { gitDir: string; signal?: AbortSignal },
): Promise<string[]> {
  if (contents.length === 0) return [];
  const base = ['hash-object', '-w', '--no-filters'];
  if (contents.length === 1) {
    const { stdout } = await runGit([...base, '--stdin'], { ...options, input: contents[0] ?? '' });
    return [stdout.toString('utf8').trim()];
  }
  const staging = path.join(options.gitDir, `lading-blobs-${randomUUID()}`);
  await fs.promises.mkdir(staging);
  try {
    const files = contents.map((_, i) => path.join(staging, String(i)));
    await Promise.all(contents.map((content, i) => fs.promises.writeFile(files[i] ?? '', content)));
    const { stdout } = await runGit([...base, '--stdin-paths'], {
      ...options,
      input: `${files.join('\n')}\n`,
    });
    const oids = stdout
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '');
    if (oids.length !== contents.length) {
      throw new GitError(`git hash-object returned ${oids.length} ids for ${contents.length} blobs`, {
        command: describeCommand([...base, '--stdin-paths']),
        failure: 'protocol',
      });
    }
    return oids;
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/**
 * A `git mktree -z --batch` process for the duration of one tree write. `write` may be called
 * concurrently; answers come back in order. `close` must always be called.
 */
export class MktreeSession {
  private readonly process;
  private readonly waiting: Array<{ resolve(oid: string): void; reject(err: unknown): void }> = [];
  private stdout = '';
  private stderr = '';
  private exited = false;

  constructor(private readonly environment: GitEnvironmentOptions) {
    this.process = spawn('git', MKTREE_ARGS, gitSpawnOptions(environment));
    this.process.stdout?.on('data', (chunk: Buffer) => this.onData(chunk.toString('utf8')));
    this.process.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096);
    });
    this.process.stdin?.on('error', () => undefined);
    this.process.on('error', (err) => this.fail(err));
    this.process.on('close', (code) => this.fail(code));
  }

  /** Writes one tree; entries need not be sorted (mktree sorts). Every referenced object must exist. */
  write(entries: readonly NewTreeEntry[]): Promise<string> {
    if (this.exited) return Promise.reject(this.failure(null));
    for (const { name } of entries) {
      if (name === '' || name.includes('/') || name.includes('\0'))
        throw new Error(`bad tree entry name "${name}"`);
    }
    const record = entries.map((e) => `${e.mode} ${entryType(e.mode)} ${e.oid}\t${e.name}\0`).join('');
    return new Promise<string>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      // An empty record (a lone NUL) ends the tree; with no entries it writes the empty tree.
      this.process.stdin?.write(`${record}\0`);
    });
  }

  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.process.once('close', () => resolve());
      this.process.stdin?.end();
    });
  }

  private onData(text: string): void {
    this.stdout += text;
    let newline = this.stdout.indexOf('\n');
    while (newline >= 0) {
      const oid = this.stdout.slice(0, newline).trim();
      this.stdout = this.stdout.slice(newline + 1);
      this.waiting.shift()?.resolve(oid);
      newline = this.stdout.indexOf('\n');
    }
  }

  private fail(reason: number | null | Error): void {
    this.exited = true;
    const error = this.failure(reason);
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }

  private failure(reason: number | null | Error): GitError {
    const command = describeCommand(MKTREE_ARGS);
    if (reason instanceof Error) {
      return new GitError(`git mktree: could not start: ${reason.message}`, {
        command,
        failure: 'spawn',
        cause: reason,
      });
    }
    return exitError(command, reason, this.stderr.trim());
  }
}

const MKTREE_ARGS = ['mktree', '-z', '--batch'];
