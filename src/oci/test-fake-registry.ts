/**
 * An in-memory distribution registry on node:http for unit tests: blobs, monolithic and chunked
 * uploads, mounts, manifests, paged tag lists, optional Basic or Bearer auth (with its own token
 * endpoint), and a hook to inject faults. Not a conformance reference: e2e tests use the real one.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRegistryOptions {
  auth?: 'basic' | 'bearer';
  users?: Record<string, string>;
  /** Return true after writing a response to take over a request (faults, corrupt content). */
  intercept?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean;
}

export interface FakeRegistry {
  host: string;
  url: string;
  /** `METHOD path` of every request, in order. */
  log: string[];
  tokenRequests: URL[];
  blobs: Map<string, Buffer>;
  manifests: Map<string, { bytes: Buffer; mediaType: string }>;
  close(): Promise<void>;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function error(res: ServerResponse, status: number, code: string, message = code): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ code, message }] }));
}

export async function startFakeRegistry(options: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const log: string[] = [];
  const tokenRequests: URL[] = [];
  const blobs = new Map<string, Buffer>(); // `${repo}@${digest}`
  const manifests = new Map<string, { bytes: Buffer; mediaType: string }>(); // `${repo}:${ref}`
  const uploads = new Map<string, { repo: string; data: Buffer[] }>();
  let nextUpload = 0;
  let host = '';

  const authorized = (req: IncomingMessage, repo: string | undefined, action: 'pull' | 'push'): boolean => {
    const header = req.headers.authorization ?? '';
    if (!options.auth) return true;
    if (options.auth === 'basic') {
      if (!header.startsWith('Basic ')) return false;
      const [u, p] = Buffer.from(header.slice(6), 'base64').toString().split(':');
      return options.users?.[u ?? ''] === p;
    }
    if (!header.startsWith('Bearer ')) return false;
    try {
      const grant = JSON.parse(Buffer.from(header.slice(7), 'base64url').toString()) as { access: string[] };
      if (repo === undefined) return true;
      return grant.access.some((s) => {
        const [type, name, actions] = s.split(':');
        return type === 'repository' && name === repo && (actions ?? '').split(',').includes(action);
      });
    } catch {
      return false;
    }
  };

  const challenge = (res: ServerResponse, repo: string | undefined, action: string): void => {
    const value =
      options.auth === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="http://${host}/token",service="fake-registry"${repo ? `,scope="repository:${repo}:${action}"` : ''}`;
    res.writeHead(401, { 'www-authenticate': value, 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
  };

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', `http://${host}`);
      log.push(`${req.method} ${url.pathname}${url.search}`);
      if (options.intercept?.(req, res, url)) return;
      if (url.pathname === '/token') {
        if (req.method !== 'POST') tokenRequests.push(url);
        const header = req.headers.authorization ?? '';
        let user = '';
        if (req.method === 'POST') {
          // OAuth2 refresh-token grant: the refresh token is "refresh-<user>".
          const form = new URLSearchParams((await readBody(req)).toString());
          const refresh = form.get('refresh_token') ?? '';
          if (form.get('grant_type') !== 'refresh_token' || !refresh.startsWith('refresh-')) {
            return error(res, 401, 'UNAUTHORIZED', 'bad refresh token');
          }
          for (const scope of (form.get('scope') ?? '').split(' ').filter(Boolean))
            url.searchParams.append('scope', scope);
          url.searchParams.set('service', form.get('service') ?? '');
          tokenRequests.push(url);
          const token = Buffer.from(
            JSON.stringify({ user: refresh.slice(8), access: url.searchParams.getAll('scope') }),
          ).toString('base64url');
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ access_token: token, expires_in: 300 }));
          return;
        }
        if (options.users) {
          const [u, p] = header.startsWith('Basic ')
            ? Buffer.from(header.slice(6), 'base64').toString().split(':')
            : [];
          if (!u || options.users[u] !== p) return error(res, 401, 'UNAUTHORIZED', 'bad credentials');
          user = u;
        }
        const access = url.searchParams.getAll('scope');
        const token = Buffer.from(JSON.stringify({ user, access })).toString('base64url');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ token, expires_in: 300 }));
        return;
      }
      if (url.pathname === '/v2/' || url.pathname === '/v2') {
        if (!authorized(req, undefined, 'pull')) return challenge(res, undefined, 'pull');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
        return;
      }
      const m =
        /^\/v2\/(.+?)\/(blobs\/uploads\/?(.*)|blobs\/(sha256:[a-f0-9]{64})|manifests\/([^/]+)|tags\/list)$/.exec(
          url.pathname,
        );
      if (!m) return error(res, 404, 'NAME_UNKNOWN');
      const repo = m[1]!;
      const push = req.method === 'PUT' || req.method === 'POST' || req.method === 'PATCH';
      if (!authorized(req, repo, push ? 'push' : 'pull'))
        return challenge(res, repo, push ? 'pull,push' : 'pull');
      if (m[2]!.startsWith('blobs/uploads')) {
        const id = m[3] ?? '';
        if (req.method === 'POST' && id === '') {
          const mount = url.searchParams.get('mount');
          const from = url.searchParams.get('from');
          if (mount && from && blobs.has(`${from}@${mount}`) && authorized(req, from, 'pull')) {
            blobs.set(`${repo}@${mount}`, blobs.get(`${from}@${mount}`)!);
            res.writeHead(201, { location: `/v2/${repo}/blobs/${mount}`, 'docker-content-digest': mount });
            res.end();
            return;
          }
          const uid = String((nextUpload += 1));
          uploads.set(uid, { repo, data: [] });
          await readBody(req);
          res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${uid}?_state=x`, range: '0-0' });
          res.end();
          return;
        }
        const upload = uploads.get(id);
        if (!upload) return error(res, 404, 'BLOB_UPLOAD_UNKNOWN');
        if (req.method === 'DELETE') {
          uploads.delete(id);
          res.writeHead(204);
          res.end();
          return;
        }
        upload.data.push(await readBody(req));
        if (req.method === 'PATCH') {
          const size = upload.data.reduce((n, b) => n + b.length, 0);
          res.writeHead(202, { location: `/v2/${repo}/blobs/uploads/${id}`, range: `0-${size - 1}` });
          res.end();
          return;
        }
        const digest = url.searchParams.get('digest') ?? '';
        const data = Buffer.concat(upload.data);
        uploads.delete(id);
        if (sha(data) !== digest)
          return error(res, 400, 'DIGEST_INVALID', 'provided digest did not match uploaded content');
        blobs.set(`${repo}@${digest}`, data);
        res.writeHead(201, { location: `/v2/${repo}/blobs/${digest}`, 'docker-content-digest': digest });
        res.end();
        return;
      }
      if (m[4]) {
        const data = blobs.get(`${repo}@${m[4]}`);
        if (!data) return error(res, 404, 'BLOB_UNKNOWN');
        res.writeHead(200, {
          'content-length': data.length,
          'docker-content-digest': m[4],
          'content-type': 'application/octet-stream',
        });
        res.end(req.method === 'HEAD' ? undefined : data);
        return;
      }
      if (m[5]) {
        const key = `${repo}:${m[5]}`;
        if (req.method === 'PUT') {
          const bytes = await readBody(req);
          const mediaType = req.headers['content-type'] ?? '';
          manifests.set(key, { bytes, mediaType });
          manifests.set(`${repo}:${sha(bytes)}`, { bytes, mediaType });
          res.writeHead(201, {
            location: `/v2/${repo}/manifests/${sha(bytes)}`,
            'docker-content-digest': sha(bytes),
          });
          res.end();
          return;
        }
        const found = manifests.get(key);
        if (!found) return error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
        res.writeHead(200, {
          'content-type': found.mediaType,
          'content-length': found.bytes.length,
          'docker-content-digest': sha(found.bytes),
        });
        res.end(req.method === 'HEAD' ? undefined : found.bytes);
        return;
      }
      // tags/list with paging
      const all = [...manifests.keys()]
        .filter((k) => k.startsWith(`${repo}:`) && !k.slice(repo.length + 1).startsWith('sha256:'))
        .map((k) => k.slice(repo.length + 1))
        .sort();
      const n = Number(url.searchParams.get('n') ?? all.length);
      const last = url.searchParams.get('last');
      const from = last ? all.findIndex((t) => t > last) : 0;
      const page = from === -1 ? [] : all.slice(from, from + n);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (from !== -1 && from + n < all.length)
        headers['link'] = `</v2/${repo}/tags/list?n=${n}&last=${page[page.length - 1]}>; rel="next"`;
      res.writeHead(200, headers);
      res.end(JSON.stringify({ name: repo, tags: page }));
    })().catch((err: unknown) => {
      res.destroy(err as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    log,
    tokenRequests,
    blobs,
    manifests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
