/**
 * Starts the real `lading fn-runner` (the built CLI) on a free loopback port and stops it with
 * SIGTERM. Run `npm run build` first; `npm test` does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from './lading-server.js';

export interface FnRunner {
  address: string;
  process: ChildProcess;
  logs: string[];
  stop(): Promise<number | null>;
}

export async function startFnRunner(args: string[]): Promise<FnRunner> {
  if (!existsSync(join(REPO_ROOT, 'dist/cli/index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` before the end-to-end tests (npm test does)');
  }
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'bin/lading.js'), 'fn-runner', '--listen', '127.0.0.1:0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fn-runner did not start within 30s\n${stderr}`)),
      30_000,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { msg?: string; address?: string };
        if (entry.msg === 'function runner is serving' && entry.address) {
          clearTimeout(timer);
          resolve(entry.address);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`fn-runner exited with ${code} before serving\n${stderr}`));
    });
  });
  return {
    address,
    process: child,
    logs,
    stop() {
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', (code) => resolve(code));
      });
      child.kill('SIGTERM');
      return exited;
    },
  };
}
