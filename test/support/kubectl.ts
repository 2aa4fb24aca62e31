/** Runs the real `kubectl` against a Lading server. */
import { spawn, spawnSync } from 'node:child_process';

export interface KubectlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Why kubectl can't be used here, or undefined when it can. */
export function kubectlMissing(): string | undefined {
  const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0
    ? 'kubectl is not installed (CI installs it in .ci/run)'
    : undefined;
}

export function kubectl(
  kubeconfig: string,
  args: string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECACHEDIR: `${kubeconfig}.cache` },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/** Like kubectl(), but throws with kubectl's stderr unless it exits 0. */
export async function kubectlOk(kubeconfig: string, args: string[], input?: string): Promise<string> {
  const result = await kubectl(kubeconfig, args, input);
  if (result.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}
