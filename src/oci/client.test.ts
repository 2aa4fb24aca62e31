import { afterEach, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerConfigCredentials, staticCredentials } from './credentials.js';
import { DigestError, sha256 } from './digest.js';
import {
  RegistryAuthError,
  RegistryNotFoundError,
  RegistryProtocolError,
  RegistryUnavailableError,
} from './errors.js';
import { encodeJson, MediaType, type ImageManifest } from './manifest.js';
import { startFakeRegistry, type FakeRegistry, type FakeRegistryOptions } from './test-fake-registry.js';

let registry: FakeRegistry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

async function start(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  registry = await startFakeRegistry(options);
  return registry;
}

const fast = { retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 5 } };

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

function manifestFor(config: Buffer, layer: Buffer): Buffer {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length }],
  };
  return encodeJson(manifest);
}

async function pushImage(
  client: RegistryClient,
  host: string,
  repository: string,
  tag: string,
): Promise<Buffer> {
  const config = Buffer.from(
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
  );
  const layer = Buffer.from(`layer of ${repository}`);
  const repo = { registry: host, repository };
  await client.pushBlob(repo, { digest: sha256(config), size: config.length }, config);
  await client.pushBlob(repo, { digest: sha256(layer), size: layer.length }, layer);
  const bytes = manifestFor(config, layer);
  await client.pushManifest({ ...repo, tag }, bytes, MediaType.ociManifest);
  return bytes;
}

describe('RegistryClient against an in-memory registry', () => {
  it('pushes, skips existing blobs, pulls and verifies', async () => {
    const r = await start();
    const client = new RegistryClient(fast);
    await client.ping(r.host);
    const repo = { registry: r.host, repository: 'team/app' };
    const data = Buffer.alloc(3 * 1024 * 1024 + 5, 9);
    const digest = sha256(data);
    const progress: number[] = [];
    expect(
      await client.pushBlob(repo, { digest, size: data.length }, data, {
        onProgress: (n) => progress.push(n),
      }),
    ).toBe('uploaded');
    expect(progress.at(-1)).toBe(data.length);
    expect(await client.pushBlob(repo, { digest, size: data.length }, data)).toBe('exists');
    expect(await client.blobExists(repo, digest)).toBe(data.length);
    expect(await client.blobExists(repo, sha256('nope'))).toBeUndefined();
    const download = await client.fetchBlob(repo, { digest, size: data.length });
    expect((await collect(download.stream)).equals(data)).toBe(true);
  });

  it('uploads in chunks', async () => {
    const r = await start();
    const client = new RegistryClient({ ...fast, chunkSize: 1000 });
    const repo = { registry: r.host, repository: 'app' };
    const data = Buffer.from('x'.repeat(4321));
    const source = async function* (): AsyncGenerator<Buffer> {
      for (let i = 0; i < data.length; i += 777) {
        await Promise.resolve();
        yield data.subarray(i, i + 777);
      }
    };
    expect(
      await client.pushBlob(repo, { digest: sha256(data), size: data.length }, source, { chunked: true }),
    ).toBe('uploaded');
    expect(r.log.filter((l) => l.startsWith('PATCH'))).toHaveLength(5);
    expect(r.blobs.get(`app@${sha256(data)}`)?.equals(data)).toBe(true);
  });

  it('mounts across repositories', async () => {
    const r = await start();
    const client = new RegistryClient(fast);
    const blob = Buffer.from('shared');
    await client.pushBlob(
      { registry: r.host, repository: 'a' },
      { digest: sha256(blob), size: blob.length },
      blob,
    );
    const result = await client.pushBlob(
      { registry: r.host, repository: 'b' },
      { digest: sha256(blob), size: blob.length },
      blob,
      { mountFrom: 'a' },
    );
    expect(result).toBe('mounted');
    expect(r.log.some((l) => l.startsWith('PUT /v2/b/blobs'))).toBe(false);
    expect(await client.mountBlob({ registry: r.host, repository: 'c' }, sha256('missing'), 'a')).toBe(false);
  });

  it('puts and gets manifests by tag and digest, and lists tags in pages', async () => {
    const r = await start();
    const client = new RegistryClient(fast);
    const bytes = await pushImage(client, r.host, 'app', 'v1');
    for (const tag of ['v2', 'v3', 'v4', 'v5'])
      await client.pushManifest({ registry: r.host, repository: 'app', tag }, bytes, MediaType.ociManifest);
    const byTag = await client.fetchManifest({ registry: r.host, repository: 'app', tag: 'v1' });
    expect(byTag.descriptor).toEqual({
      mediaType: MediaType.ociManifest,
      digest: sha256(bytes),
      size: bytes.length,
    });
    expect(byTag.parsed.kind).toBe('manifest');
    const byDigest = await client.fetchManifest({
      registry: r.host,
      repository: 'app',
      digest: sha256(bytes),
    });
    expect(byDigest.bytes.equals(bytes)).toBe(true);
    expect((await client.headManifest({ registry: r.host, repository: 'app', tag: 'v1' }))?.digest).toBe(
      sha256(bytes),
    );
    expect(await client.headManifest({ registry: r.host, repository: 'app', tag: 'nope' })).toBeUndefined();
    await expect(client.fetchManifest({ registry: r.host, repository: 'app', tag: 'nope' })).rejects.toThrow(
      RegistryNotFoundError,
    );
    expect(await client.listTags({ registry: r.host, repository: 'app' }, { pageSize: 2 })).toEqual([
      'v1',
      'v2',
      'v3',
      'v4',
      'v5',
    ]);
    expect(r.log.filter((l) => l.includes('/tags/list'))).toHaveLength(3);
  });
});

describe('authentication', () => {
  const users = { alice: 'wonderland' };
  it('follows the Bearer challenge with basic credentials at the token endpoint, and caches tokens', async () => {
    const r = await start({ auth: 'bearer', users });
    const client = new RegistryClient({
      ...fast,
      credentials: staticCredentials({ [r.host]: { username: 'alice', password: 'wonderland' } }),
    });
    await pushImage(client, r.host, 'secure/app', 'v1');
    const got = await client.fetchManifest({ registry: r.host, repository: 'secure/app', tag: 'v1' });
    expect(got.parsed.kind).toBe('manifest');
    const token = r.tokenRequests.find(
      (u) => u.searchParams.get('scope') === 'repository:secure/app:pull,push',
    );
    expect(token?.searchParams.get('service')).toBe('fake-registry');
    // One token per scope set, not one per request.
    expect(r.tokenRequests.length).toBeLessThanOrEqual(2);
  });

  it('exchanges an identity token with the refresh-token grant', async () => {
    const r = await start({ auth: 'bearer', users });
    const client = new RegistryClient({
      ...fast,
      credentials: staticCredentials({ [r.host]: { identityToken: 'refresh-alice' } }),
    });
    await pushImage(client, r.host, 'app', 'v1');
    expect(r.tokenRequests.length).toBeGreaterThan(0);
    expect(r.tokenRequests.every((u) => u.searchParams.get('service') === 'fake-registry')).toBe(true);
  });

  it('runs a docker credential helper', async () => {
    const r = await start({ auth: 'basic', users });
    const bin = await mkdtemp(join(tmpdir(), 'lading-credhelper-'));
    const path = process.env['PATH'];
    try {
      await writeFile(
        join(bin, 'docker-credential-fake'),
        `#!/bin/sh\nread server\necho '{"ServerURL":"'$server'","Username":"alice","Secret":"wonderland"}'\n`,
        { mode: 0o755 },
      );
      process.env['PATH'] = `${bin}:${path ?? ''}`;
      const client = new RegistryClient({
        ...fast,
        credentials: dockerConfigCredentials({ credHelpers: { [r.host]: 'fake' } }),
      });
      await client.ping(r.host);
    } finally {
      process.env['PATH'] = path;
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('reports wrong credentials as an auth error without the password', async () => {
    const r = await start({ auth: 'bearer', users });
    const client = new RegistryClient({
      ...fast,
      credentials: staticCredentials({ [r.host]: { username: 'alice', password: 'WRONG-pass' } }),
    });
    const err = await client
      .fetchManifest({ registry: r.host, repository: 'app', tag: 'v1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryAuthError);
    expect((err as Error).message).toMatch(/getting a token failed.*401/);
    expect((err as Error).message).not.toContain('WRONG-pass');
  });

  it('uses Basic auth when challenged so', async () => {
    const r = await start({ auth: 'basic', users });
    const client = new RegistryClient({
      ...fast,
      credentials: staticCredentials({ [r.host]: { username: 'alice', password: 'wonderland' } }),
    });
    await pushImage(client, r.host, 'app', 'v1');
    expect(r.tokenRequests).toHaveLength(0);
    const anonymous = new RegistryClient(fast);
    await expect(anonymous.ping(r.host)).rejects.toThrow(
      /requires a login and no credentials are configured/,
    );
  });

  it('a registry token is sent as is', async () => {
    const r = await start({ auth: 'bearer' });
    const grant = Buffer.from(JSON.stringify({ access: ['repository:app:pull,push'] })).toString('base64url');
    const client = new RegistryClient({
      ...fast,
      credentials: staticCredentials({ [r.host]: { registryToken: grant } }),
    });
    await pushImage(client, r.host, 'app', 'v1');
    expect(r.tokenRequests).toHaveLength(0);
  });
});

describe('failures', () => {
  it('retries 500 then succeeds; gives up with a clear error on 500 forever', async () => {
    let failures = 2;
    const r = await start({
      intercept: (req, res, url) => {
        if (url.pathname.includes('/manifests/flaky') && failures > 0) {
          failures -= 1;
          res.writeHead(500).end('{"errors":[{"code":"UNKNOWN","message":"boom"}]}');
          return true;
        }
        if (url.pathname.includes('/manifests/broken')) {
          res.writeHead(500).end('{"errors":[{"code":"UNKNOWN","message":"disk on fire"}]}');
          return true;
        }
        return false;
      },
    });
    const client = new RegistryClient(fast);
    const bytes = await pushImage(client, r.host, 'app', 'flaky');
    r.log.length = 0;
    failures = 2;
    const got = await client.fetchManifest({ registry: r.host, repository: 'app', tag: 'flaky' });
    expect(got.bytes.equals(bytes)).toBe(true);
    expect(r.log.filter((l) => l.includes('flaky'))).toHaveLength(3);
    const err = await client
      .fetchManifest({ registry: r.host, repository: 'app', tag: 'broken' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as Error).message).toBe(
      `registry "${r.host}", repository "app": GET manifest "broken": the registry answered 500 Internal Server Error (disk on fire) 3 time(s); it is failing or overloaded, try again later`,
    );
    expect((err as RegistryUnavailableError).status).toBe(500);
  });

  it('honours Retry-After on 429', async () => {
    let limited = 1;
    const r = await start({
      intercept: (_req, res) => {
        if (limited-- > 0) {
          res.writeHead(429, { 'retry-after': '0' }).end();
          return true;
        }
        return false;
      },
    });
    await new RegistryClient(fast).ping(r.host);
    expect(r.log).toHaveLength(2);
  });

  const tamper: Array<{ name: string; path: RegExp; error: RegExp }> = [
    {
      name: 'blob whose content does not match its digest',
      path: /\/blobs\/sha256/,
      error: /blob sha256:.* does not match its digest/,
    },
    {
      name: 'manifest by digest whose content does not match',
      path: /\/manifests\/sha256/,
      error: /does not match its digest/,
    },
    {
      name: 'manifest by tag that differs from Docker-Content-Digest',
      path: /\/manifests\/v1/,
      error: /does not match the registry's Docker-Content-Digest/,
    },
  ];
  it.each(tamper)('refuses a $name', async ({ path, error }) => {
    let armed = false;
    const r = await start({
      intercept: (req, res, url) => {
        if (!armed || req.method !== 'GET' || !path.test(url.pathname)) return false;
        const good = url.pathname.includes('/blobs/')
          ? r.blobs.get(`app@${url.pathname.split('/').pop()}`)
          : r.manifests.get(`app:${url.pathname.split('/').pop()}`)?.bytes;
        const bad = Buffer.from(good!);
        bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 1;
        res.writeHead(200, {
          'content-type': MediaType.ociManifest,
          'content-length': bad.length,
          'docker-content-digest': sha256(good!),
        });
        res.end(bad);
        return true;
      },
    });
    const client = new RegistryClient(fast);
    const bytes = await pushImage(client, r.host, 'app', 'v1');
    armed = true;
    const manifest = JSON.parse(bytes.toString()) as ImageManifest;
    const attempt = path.source.includes('blobs')
      ? client.readBlob({ registry: r.host, repository: 'app' }, manifest.layers[0]!)
      : client.fetchManifest({
          registry: r.host,
          repository: 'app',
          ...(path.source.includes('sha256') ? { digest: sha256(bytes) } : { tag: 'v1' }),
        });
    const err = await attempt.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestError);
    expect((err as Error).message).toMatch(error);
  });

  it('refuses an oversized manifest before reading it', async () => {
    const r = await start({
      intercept: (_req, res, url) => {
        if (!url.pathname.includes('/manifests/')) return false;
        res.writeHead(200, { 'content-type': MediaType.ociManifest, 'content-length': 5 * 1024 * 1024 });
        res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
        return true;
      },
    });
    const err = await new RegistryClient(fast)
      .fetchManifest({ registry: r.host, repository: 'app', tag: 'big' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryProtocolError);
    expect((err as Error).message).toMatch(/manifest "big" is larger than the limit of 4194304 bytes/);
  });

  it('stops on abort', async () => {
    const r = await start({ intercept: () => true }); // never answers
    const controller = new AbortController();
    const pending = new RegistryClient(fast).ping(r.host, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user cancelled')), 20);
    await expect(pending).rejects.toThrow(/user cancelled|aborted/);
  });

  it('names the registry when nothing listens', async () => {
    const { createServer } = await import('node:net');
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const err = await new RegistryClient(fast).ping(`127.0.0.1:${port}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `registry "127.0.0.1:${port}": ping failed after 3 attempt\\(s\\): fetch failed: connect ECONNREFUSED.*reachable at http://127.0.0.1:${port}$`,
      ),
    );
  });
});

describe('plain HTTP rule', () => {
  it.each([
    ['127.0.0.1:5000', {}, 'http://127.0.0.1:5000'],
    ['localhost:5000', {}, 'http://localhost:5000'],
    ['[::1]:5000', {}, 'http://[::1]:5000'],
    ['registry.example', {}, 'https://registry.example'],
    ['docker.io', {}, 'https://registry-1.docker.io'],
    ['registry.example:5000', { plainHttp: true }, 'http://registry.example:5000'],
    ['registry.example:5000', { insecure: true }, 'https://registry.example:5000'],
  ])('%s %j → %s', (host, options, want) => {
    expect(new RegistryClient(options).transport.baseUrl(host)).toBe(want);
  });
});
