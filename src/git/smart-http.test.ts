import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitToBranch, gitAt } from '../../test/support/git-server.js';
import { gzipSync } from 'node:zlib';
import { FLUSH, pktLine } from './pkt-line.js';
import { serveSmartHttp, serviceSetting, smartRequest } from './smart-http.js';

describe('smartRequest', () => {
  it.each([
    [
      'GET',
      '/a.git/info/refs',
      'service=git-upload-pack',
      { service: 'upload-pack', advertise: true, dir: '/root/a.git' },
    ],
    [
      'GET',
      '/x/b/info/refs',
      'service=git-receive-pack',
      { service: 'receive-pack', advertise: true, dir: '/root/x/b' },
    ],
    ['POST', '/a/git-upload-pack', '', { service: 'upload-pack', advertise: false, dir: '/root/a' }],
    ['POST', '/a/git-receive-pack', '', { service: 'receive-pack', advertise: false, dir: '/root/a' }],
  ])('%s %s?%s is a smart request', (method, pathInfo, query, expected) => {
    expect(smartRequest(method, '/root', pathInfo, query)).toEqual(expected);
  });

  it.each([
    ['dumb info/refs', 'GET', '/a/info/refs', ''],
    ['an unknown service', 'GET', '/a/info/refs', 'service=git-archive'],
    ['a GET of a service', 'GET', '/a/git-upload-pack', ''],
    ['a POST of info/refs', 'POST', '/a/info/refs', 'service=git-upload-pack'],
    ['a path going up', 'POST', '/a/../../etc/git-upload-pack', ''],
    ['an empty segment', 'POST', '/a//b/git-upload-pack', ''],
    ['an object file', 'GET', '/a/objects/info/packs', ''],
  ])('leaves %s to http-backend', (_name, method, pathInfo, query) => {
    expect(smartRequest(method, '/root', pathInfo, query)).toBeUndefined();
  });
});

describe('serviceSetting', () => {
  it.each([
    ['[core]\n\tbare = true\n', 'receive-pack', null],
    ['[http]\n\treceivepack = true\n', 'receive-pack', true],
    ['[HTTP]\n\tReceivePack = off ; no\n', 'receive-pack', undefined],
    ['[http]\n\treceivepack = off\n', 'receive-pack', false],
    ['[http]\n\treceivepack\n', 'receive-pack', true],
    ['[http]\n\tuploadpack = false\n', 'upload-pack', false],
    ['[http]\n\tuploadpack = false\n', 'receive-pack', null],
    ['[http "https://x"]\n\treceivepack = false\n', 'receive-pack', null],
    ['[include]\n\tpath = other\n', 'receive-pack', undefined],
    ['[http]\n\treceivepack = maybe\n', 'receive-pack', undefined],
  ] as const)('%j for %s → %s', (config, service, expected) => {
    expect(serviceSetting(config, service)).toBe(expected);
  });
});

describe('serveSmartHttp with a plain git client', () => {
  let tmp: string;
  let server: http.Server;
  let url: string;
  const served: string[] = [];

  beforeAll(async () => {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-smart-http-'));
    await commitToBranch(path.join(tmp, 'repos/open.git'), 'main', { 'a.txt': 'one\n' });
    await gitAt(path.join(tmp, 'repos/open.git'), ['config', 'http.receivepack', 'true']);
    await commitToBranch(path.join(tmp, 'repos/closed.git'), 'main', { 'a.txt': 'one\n' });
    server = http.createServer((req, res) => {
      const [pathname = '', query = ''] = (req.url ?? '').split('?', 2);
      const request = smartRequest(req.method ?? '', path.join(tmp, 'repos'), pathname, query);
      if (!request) {
        res.writeHead(404).end();
        return;
      }
      const env = { PATH: process.env.PATH, HOME: tmp, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' };
      const protocol = req.headers['git-protocol'];
      void serveSmartHttp(
        req,
        res,
        request,
        typeof protocol === 'string' ? { ...env, GIT_PROTOCOL: protocol } : env,
      ).then((done) => {
        served.push(`${req.method ?? ''} ${pathname} ${String(done)}`);
        if (!done) res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });

  it.each(['0', '2'])('clones with protocol version %s, and takes a push', async (version) => {
    const work = path.join(tmp, `clone-v${version}`);
    const config = ['-c', `protocol.version=${version}`];
    await gitAt(undefined, [...config, 'clone', '--quiet', `${url}/open.git`, work]);
    expect(await fs.promises.readFile(path.join(work, 'a.txt'), 'utf8')).toBe('one\n');
    await fs.promises.writeFile(path.join(work, `v${version}.txt`), 'pushed\n');
    await gitAt(undefined, ['add', '.'], { cwd: work });
    await gitAt(undefined, ['commit', '--quiet', '-m', 'over smart http'], { cwd: work });
    await gitAt(undefined, [...config, 'push', '--quiet', 'origin', 'main'], { cwd: work });
    expect(await gitAt(path.join(tmp, 'repos/open.git'), ['show', `main:v${version}.txt`])).toBe('pushed\n');
    expect(served).toContain('POST /open.git/git-receive-pack true');
  });

  it('refuses an anonymous push where http.receivepack is not set, as http-backend does', async () => {
    const res = await fetch(`${url}/closed.git/info/refs?service=git-receive-pack`);
    expect(res.status).toBe(403);
    const clone = await fetch(`${url}/closed.git/info/refs?service=git-upload-pack`);
    expect(clone.status).toBe(200);
    expect(clone.headers.get('content-type')).toBe('application/x-git-upload-pack-advertisement');
    expect((await clone.text()).startsWith('001e# service=git-upload-pack\n0000')).toBe(true);
  });

  it('inflates a gzip-encoded request body', async () => {
    const request = Buffer.concat([
      pktLine('command=ls-refs\n'),
      Buffer.from('0001'),
      pktLine('ref-prefix refs/heads/\n'),
      Buffer.from(FLUSH),
    ]);
    const res = await fetch(`${url}/open.git/git-upload-pack`, {
      method: 'POST',
      headers: {
        'Content-Encoding': 'gzip',
        'Git-Protocol': 'version=2',
        'Content-Type': 'application/x-git-upload-pack-request',
      },
      body: gzipSync(request),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^003d[0-9a-f]{40} refs\/heads\/main\n0000$/);
  });

  it('leaves a repository that does not exist to http-backend', async () => {
    expect((await fetch(`${url}/missing.git/info/refs?service=git-upload-pack`)).status).toBe(404);
    expect(served).toContain('GET /missing.git/info/refs false');
  });
});
