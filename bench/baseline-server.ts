/**
 * The LIST baseline: a bare `node:http` server holding the same objects in memory, answering
 * full and paged lists by serializing them per request — what any hand-written server would do.
 * Run as a child process (like lading) so both servers get a core of their own.
 */
import { createServer } from 'node:http';

const items: unknown[] = [];
let listMeta = { resourceVersion: '1' };

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (req.method === 'PUT') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const list = JSON.parse(body) as { items: unknown[]; metadata: { resourceVersion: string } };
      items.splice(0, items.length, ...list.items);
      listMeta = { resourceVersion: list.metadata.resourceVersion };
      res.end('ok');
    });
    return;
  }
  const limit = Number(url.searchParams.get('limit') ?? 0);
  const start = Number(url.searchParams.get('continue') ?? 0);
  const page = limit > 0 ? items.slice(start, start + limit) : items;
  const more = limit > 0 && start + limit < items.length;
  const body = JSON.stringify({
    kind: 'ConfigMapList',
    apiVersion: 'v1',
    metadata: more ? { ...listMeta, continue: String(start + limit) } : listMeta,
    items: page,
  });
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(
    `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
  );
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
