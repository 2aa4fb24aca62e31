/**
 * `lading serve` as a process: health, version, metrics and request logs; bearer-token
 * authentication; refusal of unsafe or impossible settings; graceful shutdown; data kept across
 * restarts; one process per data dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, kubectlMissing } from '../support/kubectl.js';
import { REPO_ROOT, startLading } from '../support/lading-server.js';

const runCli = (args: string[]) =>
  spawnSync(process.execPath, [join(REPO_ROOT, 'bin/lading.js'), ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('lading serve', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-server-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves health, version and metrics, and logs one structured line per request', async () => {
    const server = await startLading();
    try {
      for (const path of ['/healthz', '/livez', '/readyz']) {
        const res = await fetch(server.url + path);
        expect([path, res.status, await res.text()]).toEqual([path, 200, 'ok']);
      }
      const version = (await (await fetch(`${server.url}/version`)).json()) as { gitVersion: string };
      expect(version.gitVersion).toMatch(/^v1\.32\.0-lading\./);
      await fetch(`${server.url}/api/v1/namespaces/default/configmaps`);
      await fetch(`${server.url}/api/v1/namespaces/default/configmaps/missing`);
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(
        /apiserver_request_total\{verb="LIST",group="",version="v1",resource="configmaps",subresource="",code="200"\} 1/,
      );
      expect(metrics).toMatch(
        /apiserver_request_total\{verb="GET",group="",version="v1",resource="configmaps",subresource="",code="404"\} 1/,
      );
      expect(metrics).toContain('apiserver_request_duration_seconds_bucket');
      await waitFor(() => server.logs.some((l) => l.includes('"code":404')));
      const line = JSON.parse(server.logs.find((l) => l.includes('"code":404')) ?? '{}') as Record<
        string,
        unknown
      >;
      expect(line).toMatchObject({ msg: 'request', verb: 'GET', resource: 'configmaps', code: 404 });
      expect(typeof line.reqId).toBe('string');
      expect(typeof line.latencyMs).toBe('number');
    } finally {
      expect(await server.stop('SIGINT')).toBe(0);
    }
  });

  it('requires a bearer token over TLS when a token file is given, and writes both into the kubeconfig', async () => {
    const dir = await tempDir();
    const tokens = join(dir, 'tokens.csv');
    await writeFile(tokens, '# test tokens\ns3cr3t-token,alice,1001,"admins,dev"\n');
    const server = await startLading({ args: ['--token-file', tokens] });
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const ca = await readFile(join(server.dataDir, 'serving.crt'), 'utf8');
      const get = (path: string, token?: string) => httpsGet(server.url + path, ca, token);
      expect((await get('/api/v1/namespaces')).status).toBe(401);
      const wrong = await get('/api/v1/namespaces', 'nope');
      expect(wrong.status).toBe(401);
      expect((JSON.parse(wrong.body) as { reason: string }).reason).toBe('Unauthorized');
      expect((await get('/api/v1/namespaces', 's3cr3t-token')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(200);
      const kubeconfig = parse(await readFile(server.kubeconfig, 'utf8')) as {
        users: { user: { token?: string } }[];
        clusters: { cluster: Record<string, string> }[];
      };
      expect(kubeconfig.users[0]?.user.token).toBe('s3cr3t-token');
      expect(
        Buffer.from(kubeconfig.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString(),
      ).toBe(ca);
      if (!kubectlMissing()) {
        const result = await kubectl(server.kubeconfig, ['get', 'namespace', 'default', '-o', 'name']);
        expect(result.stdout).toBe('namespace/default\n');
      }
      await waitFor(() => server.logs.some((l) => l.includes('"user":"alice"')));
      expect(server.logs.join('\n')).not.toContain('s3cr3t-token');
    } finally {
      await server.stop();
    }
  });

  it.each([
    [
      'a non-loopback address without authentication',
      ['--listen', '0.0.0.0:0'],
      /refusing to listen on non-loopback address 0\.0\.0\.0 without authentication/,
    ],
    ['a malformed listen address', ['--listen', 'localhost'], /--listen must be host:port/],
    [
      'an unknown database URL scheme',
      ['--database-url', 'mysql://x'],
      /--database-url must start with postgres:\/\//,
    ],
    ['a bad duration', ['--history-retention', 'soon'], /--history-retention must be a duration/],
    ['a missing token file', ['--token-file', '/nonexistent/tokens.csv'], /nonexistent\/tokens\.csv/],
  ])('refuses %s with one clear line', async (_name, args, message) => {
    const result = runCli(['serve', '--data-dir', await tempDir(), ...args]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('keeps its data across a restart and allows one process per data dir', async () => {
    const dataDir = await tempDir();
    const first = await startLading({ dataDir });
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kept' },
      data: { a: '1' },
    });
    const created = await fetch(`${first.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(created.status).toBe(201);
    const second = runCli(['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/lock|in use|another/i);
    expect(await first.stop('SIGTERM')).toBe(0);
    const again = await startLading({ dataDir });
    try {
      const res = await fetch(`${again.url}/api/v1/namespaces/default/configmaps/kept`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as { data: unknown }).data).toEqual({ a: '1' });
    } finally {
      await again.stop();
    }
  });
});

function httpsGet(url: string, ca: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { ca, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
