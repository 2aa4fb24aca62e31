import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { HttpPusher } from './http-push.js';
import { FLUSH, pktLine } from './pkt-line.js';
import { ZERO_OID } from './refs.js';

/** The HTTP server a test talks to; closed after each test. */
let server: http.Server | undefined;

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const advertisement = Buffer.concat([
  pktLine('# service=git-receive-pack\n'),
  Buffer.from(FLUSH),
  pktLine(`${ZERO_OID} capabilities^{}\0report-status atomic delete-refs\n`),
  Buffer.from(FLUSH),
]);

function advertise(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/x-git-receive-pack-advertisement' });
  res.end(advertisement);
}

const update = [{ ref: 'refs/heads/x', newOid: 'a'.repeat(40), expectedRemoteOid: null }];
const options = { headers: { Authorization: 'Basic c2VjcmV0' }, secrets: ['c2VjcmV0'], timeoutMs: 300 };

describe('HttpPusher', () => {
  it('gives up on a push the server never answers, as a timeout', async () => {
    const url = await serve((req, res) => {
      if (req.method === 'GET') advertise(res);
    });
    await expect(new HttpPusher(url).push(update, [], options)).rejects.toMatchObject({
      failure: 'timeout',
      message: expect.stringContaining('git push to http://127.0.0.1') as unknown,
    });
  });

  it('leaves a redirected discovery to the git CLI (failure "protocol"), as git follows it only there', async () => {
    let posts = 0;
    const url = await serve((req, res) => {
      if (req.method === 'POST') posts += 1;
      res.writeHead(301, { Location: 'http://127.0.0.1:9/elsewhere.git/info/refs' }).end();
    });
    await expect(new HttpPusher(url).push(update, [], options)).rejects.toMatchObject({
      failure: 'protocol',
    });
    expect(posts).toBe(0);
  });

  it('sends the credentials only in the header, and reports the remote refusing them', async () => {
    const seen: Array<string | undefined> = [];
    const url = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('no');
    });
    const err = (await new HttpPusher(url).push(update, [], options).catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('GitAuthenticationError');
    expect(err.message).not.toContain('c2VjcmV0');
    expect(seen).toEqual(['Basic c2VjcmV0']);
  });
});
