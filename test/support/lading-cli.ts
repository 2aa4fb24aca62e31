/** Runs the `lading` CLI (bin/lading.js, built) as a child process, without the user's KUBECONFIG. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './lading-server.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function lading(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/lading.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
