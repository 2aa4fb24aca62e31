/**
 * The real CNCF distribution registry (Debian package `docker-registry`) for tests and
 * benchmarks: filesystem storage in a temp dir, listening on 127.0.0.1 with a free port,
 * optionally behind htpasswd basic auth (bcrypt entries made with `htpasswd -B`). stop() kills it
 * and removes the dir. When the binary (or htpasswd, for auth) is missing, `{skip}` says why;
 * the caller prints it and skips. Debian's build has no token-auth server: Bearer is unit-tested.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  host: string;
  url: string;
  /** Set when started with auth. */
  username?: string;
  password?: string;
  /** The registry's storage directory (for tests that inspect or damage it). */
  storage: string;
  stop(): Promise<void>;
}

export interface TestRegistryOptions {
  /** Require this user (htpasswd, bcrypt). */
  auth?: { username: string; password: string };
}

async function which(binary: string): Promise<boolean> {
  try {
    await run('sh', ['-c', `command -v ${binary}`]);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Why the registry cannot run here, or undefined when it can. */
export async function registryUnavailable(options: TestRegistryOptions = {}): Promise<string | undefined> {
  if (!(await which('docker-registry')))
    return 'the `docker-registry` binary is not installed (apt-get install docker-registry)';
  if (options.auth && !(await which('htpasswd')))
    return '`htpasswd` is not installed (apt-get install apache2-utils)';
  return undefined;
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within 15 s: ${log()}`);
}

export async function startTestRegistry(
  options: TestRegistryOptions = {},
): Promise<TestRegistry | { skip: string }> {
  const skip = await registryUnavailable(options);
  if (skip) return { skip };
  const dir = await mkdtemp(join(tmpdir(), 'lading-registry-'));
  const storage = join(dir, 'storage');
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storage}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: lading-test-secret',
  ];
  if (options.auth) {
    const htpasswd = join(dir, 'htpasswd');
    const { stdout } = await run('htpasswd', ['-Bbn', options.auth.username, options.auth.password]);
    await writeFile(htpasswd, stdout);
    lines.push('auth:', '  htpasswd:', '    realm: lading-test', `    path: ${htpasswd}`);
  }
  await writeFile(join(dir, 'config.yml'), lines.join('\n') + '\n');
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(url, child, () => stderr);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    storage,
    ...(options.auth ? { username: options.auth.username, password: options.auth.password } : {}),
    stop,
  };
}
