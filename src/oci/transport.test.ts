import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from './client.js';
import { RegistryUnavailableError } from './errors.js';

const run = promisify(execFile);
const openssl = await run('openssl', ['version']).then(
  () => true,
  () => false,
);
if (!openssl) console.warn('openssl is not installed: the self-signed HTTPS registry tests are skipped');

describe.skipIf(!openssl)('HTTPS with a self-signed certificate', () => {
  let dir: string;
  let server: Server;
  let host: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lading-tls-'));
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=registry.test',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    server = createServer(
      { key: await readFile(join(dir, 'key.pem')), cert: await readFile(join(dir, 'cert.pem')) },
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // A non-loopback name (so HTTPS is chosen) that a fetch wrapper maps to 127.0.0.1.
    host = `registry.test:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  const viaLoopback: typeof fetch = (url, init) =>
    fetch(
      (typeof url === 'string' ? url : url instanceof URL ? url.href : url.url).replace(
        '//registry.test:',
        '//127.0.0.1:',
      ),
      init,
    );

  it('is refused with verification on, and accepted with `insecure`', async () => {
    const strict = new RegistryClient({ retry: { retries: 0 }, fetch: viaLoopback });
    expect(strict.transport.baseUrl(host)).toBe(`https://${host}`);
    const err = await strict.ping(host).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryUnavailableError);
    expect((err as Error).message).toMatch(/self[- ]signed certificate/i);

    await new RegistryClient({ retry: { retries: 0 }, fetch: viaLoopback, insecure: true }).ping(host);
    await new RegistryClient({ retry: { retries: 0 }, fetch: viaLoopback, insecureRegistries: [host] }).ping(
      host,
    );
  });
});
