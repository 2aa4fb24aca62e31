/**
 * Serves `/openapi/v2` and `/openapi/v3[/…]`, rebuilding the documents only when the set of kinds
 * changes. v3 documents are addressed with a content hash (`?hash=`), so clients may cache them
 * for good, as kube-apiserver allows.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError } from '../apimachinery/index.js';
import type { KindRegistry } from '../registry/index.js';
import {
  buildOpenApiV2,
  buildOpenApiV3Documents,
  openApiV3IndexOf,
  type OpenApiV3Entry,
  type OpenApiV3Index,
} from './openapi/index.js';

const INFO = { title: 'Lading', version: 'v1.32.0' };

export class OpenApiDocuments {
  #generation = -1;
  #v2: string | undefined;
  #v3 = new Map<string, OpenApiV3Entry>();
  #v3Index: OpenApiV3Index = { paths: {} };

  constructor(private readonly kinds: KindRegistry) {}

  #refresh(): void {
    if (this.#generation === this.kinds.generation) return;
    this.#generation = this.kinds.generation;
    this.#v2 = undefined;
    this.#v3 = buildOpenApiV3Documents(this.kinds.all(), INFO);
    this.#v3Index = openApiV3IndexOf(this.#v3);
  }

  sendV2(_req: FastifyRequest, reply: FastifyReply): FastifyReply {
    this.#refresh();
    // v2 is large and rarely asked for (kubectl uses v3): built on first request.
    this.#v2 ??= JSON.stringify(buildOpenApiV2(this.kinds.all(), INFO));
    return reply.type('application/json').send(this.#v2);
  }

  v3Index(): OpenApiV3Index {
    this.#refresh();
    return this.#v3Index;
  }

  sendV3(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    this.#refresh();
    const [pathname = '', search = ''] = req.url.split('?', 2);
    const key = decodeURIComponent(pathname.replace(/^\/openapi\/v3\//, ''));
    const entry = this.#v3.get(key);
    if (!entry) throw new NotFoundError({ resource: '' }, { message: `no OpenAPI v3 document for ${key}` });
    const hash = new URLSearchParams(search).get('hash');
    if (hash === entry.hash) void reply.header('Cache-Control', 'public, immutable');
    else void reply.header('Cache-Control', 'no-cache, private');
    void reply.header('ETag', `"${entry.hash}"`);
    return reply.type('application/json').send(entry.json);
  }
}
