/**
 * Starts the real `lading serve` (the built CLI, as users run it) on a free loopback port with a
 * fresh data dir, and stops it. Run `npm run build` first; `npm test` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO_ROOT, 'bin/lading.js');

export interface LadingServer {
  url: string;
  dataDir: string;
  kubeconfig: string;
  process: ChildProcess;
  /** Log lines (JSON) printed so far. */
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Keep the data dir after stop (to restart on it). */
  keepDataDir?: boolean;
  /** Flags for node itself, e.g. `--cpu-prof` to profile the server. */
  nodeArgs?: string[];
}

export async function startLading(options: StartOptions = {}): Promise<LadingServer> {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests (npm test does)');
  }
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'lading-e2e-')));
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      CLI,
      'serve',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--log-level',
      'info',
      ...(options.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  const logs: string[] = [];
  let stderr = '';
  let serving = false;
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`lading did not start within 30s\n${stderr}`)), 30_000);
    lines.on('line', (line) => {
      logs.push(line);
      if (serving) return;
      try {
        const entry = JSON.parse(line) as { msg?: string; url?: string };
        if (entry.msg === 'lading is serving' && entry.url) {
          serving = true;
          clearTimeout(timer);
          resolve(entry.url);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`lading exited with ${code} before serving\n${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    kubeconfig: join(dataDir, 'kubeconfig'),
    process: child,
    logs,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      child.kill(signal);
      const code = await exited;
      if (!options.keepDataDir && !options.dataDir) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

/** Connections reused across calls: the benches' clients should cost the machine little. */
const keepAlive = new http.Agent({ keepAlive: true });

/** A JSON API call against a plain-HTTP server; throws with the answer unless it is 2xx. */
export function apiCall<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = http.request(
      baseUrl + path,
      {
        method,
        agent: keepAlive,
        headers: { 'content-type': 'application/json', 'content-length': payload?.length ?? 0 },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) reject(new Error(`${method} ${path}: ${status} ${text}`));
          else resolve(JSON.parse(text) as T);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
