/**
 * One long-lived `git cat-file --batch` per mirror. Requests are pipelined: each is written as a
 * line and answered in order, so many reads in flight cost one process and no round-trip waits.
 * If the process dies (killed, crashed), requests in flight are re-sent once to a new process —
 * reads are idempotent — and the next read starts a fresh one.
 *
 * Concurrency: safe to call from many async tasks at once. A long-running cat-file sees objects
 * and packs written after it started (git re-scans packs on a miss).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

import { BatchFrameParser } from './batch-frames.js';
import type { BatchFrame, RawObject } from './batch-frames.js';
import { GitError, abortReason } from './errors.js';
import { gitSpawnOptions } from './run-git.js';
import type { GitEnvironmentOptions } from './run-git.js';

interface PendingRead {
  name: string;
  attempts: number;
  settled: boolean;
  resolve(object: RawObject | undefined): void;
  reject(error: Error): void;
}

interface RefHandle {
  ref?(): void;
  unref?(): void;
}

const COMMAND = ['git', 'cat-file', '--batch'] as const;
const MAX_ATTEMPTS = 2;
const CLOSE_GRACE_MS = 5_000;

export class CatFileBatch {
  private process: ChildProcess | undefined;
  private inflight: PendingRead[] = [];
  private stderr = '';
  private closed = false;

  constructor(private readonly environment: GitEnvironmentOptions) {}

  /** Pid of the current process, if one is running (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  /**
   * Reads an object by oid or by any name cat-file resolves (e.g. `refs/heads/main`).
   * Resolves `undefined` when it does not exist.
   */
  read(name: string, signal?: AbortSignal): Promise<RawObject | undefined> {
    if (this.closed) return Promise.reject(this.error('is closed'));
    if (name === '' || /[\r\n\0]/.test(name)) {
      return Promise.reject(this.error(`cannot read object name "${JSON.stringify(name)}"`));
    }
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<RawObject | undefined>((resolve, reject) => {
      const onAbort = () => settle(() => reject(signal ? abortReason(signal) : new Error('aborted')));
      const settle = (fn: () => void) => {
        if (request.settled) return;
        request.settled = true;
        signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const request: PendingRead = {
        name,
        attempts: 0,
        settled: false,
        resolve: (object) => settle(() => resolve(object)),
        reject: (error) => settle(() => reject(error)),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // An aborted request stays queued: its answer must still be consumed to keep the order.
      this.send(request);
    });
  }

  /** Ends the process after it has answered what is in flight. Later reads fail. */
  async close(): Promise<void> {
    this.closed = true;
    const proc = this.process;
    if (proc === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => proc.kill('SIGKILL'), CLOSE_GRACE_MS);
      proc.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      proc.stdin?.end();
    });
  }

  private send(request: PendingRead): void {
    let proc: ChildProcess;
    try {
      proc = this.ensureProcess();
    } catch (err) {
      request.reject(this.error('could not start', err));
      return;
    }
    request.attempts += 1;
    this.inflight.push(request);
    if (this.inflight.length === 1) setRef(proc, true);
    proc.stdin?.write(`${request.name}\n`);
  }

  private ensureProcess(): ChildProcess {
    if (this.process !== undefined) return this.process;
    const proc = spawn(COMMAND[0], COMMAND.slice(1), gitSpawnOptions(this.environment));
    this.process = proc;
    this.stderr = '';
    const parser = new BatchFrameParser((frame) => this.onFrame(frame));
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (this.process !== proc) return;
      try {
        parser.push(chunk);
      } catch (err) {
        this.stderr = err instanceof Error ? err.message : String(err);
        proc.kill('SIGKILL');
      }
    });
    proc.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4096);
    });
    proc.stdin?.on('error', () => undefined); // a dead process is handled on 'close'
    proc.on('error', (err) => this.onExit(proc, err));
    proc.on('close', () => this.onExit(proc));
    setRef(proc, false);
    return proc;
  }

  private onFrame(frame: BatchFrame): void {
    const request = this.inflight.shift();
    if (this.inflight.length === 0 && this.process !== undefined) setRef(this.process, false);
    if (request === undefined) return;
    request.resolve(frame.kind === 'object' ? frame.object : undefined);
  }

  private onExit(proc: ChildProcess, spawnError?: Error): void {
    if (this.process !== proc) return;
    this.process = undefined;
    const pending = this.inflight;
    this.inflight = [];
    const reason = spawnError ?? (this.stderr.trim() || 'exited unexpectedly');
    for (const request of pending) {
      if (request.settled) continue;
      if (this.closed || spawnError !== undefined || request.attempts >= MAX_ATTEMPTS) {
        request.reject(this.error(`failed while reading "${request.name}"`, reason));
      } else {
        this.send(request);
      }
    }
  }

  private error(message: string, cause?: unknown): GitError {
    const detail = typeof cause === 'string' ? cause : undefined;
    return new GitError(`git cat-file --batch ${message}${detail ? `: ${detail}` : ''}`, {
      command: COMMAND,
      failure: 'protocol',
      stderr: detail ?? '',
      cause: typeof cause === 'string' ? undefined : cause,
    });
  }
}

/** Keeps the event loop alive only while reads are in flight, so an idle mirror never blocks exit. */
function setRef(proc: ChildProcess, active: boolean): void {
  // Pipes of a child are net.Sockets at runtime; their stream types just do not declare ref/unref.
  const handles = [proc, proc.stdin, proc.stdout, proc.stderr] as unknown as Array<RefHandle | null>;
  for (const handle of handles) {
    if (active) handle?.ref?.();
    else handle?.unref?.();
  }
}
