/**
 * The HTTP front of Lading: Kubernetes-style resource paths, discovery, OpenAPI, health and
 * metrics. Every error leaves as a `Status` object, converted in `sendError` only.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, NotFoundError, RequestEntityTooLargeError, toApiError } from '../apimachinery/index.js';
import { serveHttpBackend } from '../git/index.js';
import type { KindRegistry } from '../registry/index.js';
import type { Authenticator, UserInfo } from './authentication.js';
import { coreVersions, group, groupList, resourceList } from './discovery.js';
import type { ApiMetrics, RequestLabels } from './metrics.js';
import { OpenApiDocuments } from './openapi-documents.js';
import { parseResourcePath } from './request-path.js';
import { resolveRequest, type HandlerResolver } from './resource-requests.js';
import { streamWatch } from './watch-stream.js';

/** Kubernetes' request body limit. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ApiServerDeps {
  kinds: KindRegistry;
  handlerFor: HandlerResolver;
  authenticator: Authenticator;
  metrics: ApiMetrics;
  log: Logger;
  /** Whether the server is ready to serve (store open, kinds loaded). */
  ready: () => boolean;
  /** `host:port` clients use, for `/api`'s serverAddressByClientCIDRs. */
  serverAddress: () => string;
  version: { gitVersion: string };
  /**
   * Watches without `timeoutSeconds` end after a random time between this and twice this, as
   * kube-apiserver's `--min-request-timeout` does, so load spreads as clients reconnect.
   */
  minRequestTimeoutMs: number;
  /** Host the bare repositories in `projectRoot` over smart HTTP at `/git/…`. */
  gitHosting?: { projectRoot: string; home: string };
  /** Serve HTTPS with this certificate and key (PEM); plain HTTP when unset. */
  tls?: { cert: string; key: string };
}

interface RequestState {
  start: number;
  user?: UserInfo;
  labels: RequestLabels;
}

const states = new WeakMap<FastifyRequest, RequestState>();

export function createApiServer(deps: ApiServerDeps): FastifyInstance {
  const tls = deps.tls;
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    genReqId: requestId,
    // One code path for both: Fastify's own `https` option would change the instance's type.
    serverFactory: (handler) =>
      tls
        ? (createHttpsServer({ cert: tls.cert, key: tls.key }, handler) as unknown as Server)
        : createServer(handler),
  });
  const openapi = new OpenApiDocuments(deps.kinds);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  app.addHook('onRequest', (req, _reply, done) => {
    const path = parseResourcePath(req.url.split('?')[0] ?? '');
    states.set(req, {
      start: performance.now(),
      labels: {
        verb: req.method,
        group: path?.group ?? '',
        version: path?.version ?? '',
        resource: path?.plural ?? '',
        subresource: path?.subresource ?? '',
        code: '',
      },
    });
    done();
  });

  app.addHook('onResponse', (req, reply, done) => {
    finish(deps, req, reply.statusCode);
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const fastifyErr = err as { code?: string; statusCode?: number };
    if (fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(
        reply,
        new RequestEntityTooLargeError(`Request entity too large: limit is ${MAX_BODY_BYTES}`),
        req,
        deps.log,
      );
    }
    return sendError(reply, err, req, deps.log);
  });

  app.setNotFoundHandler((req, reply) =>
    sendError(
      reply,
      new NotFoundError({ resource: '' }, { message: 'the server could not find the requested resource' }),
      req,
      deps.log,
    ),
  );

  // Health and version are open to anyone, as Kubernetes grants them to unauthenticated users.
  for (const path of ['/healthz', '/livez'])
    app.get(path, (_req, reply) => reply.type('text/plain').send('ok'));
  app.get('/readyz', (_req, reply) =>
    deps.ready() ? reply.type('text/plain').send('ok') : reply.code(503).type('text/plain').send('not ready'),
  );
  app.get('/version', () => ({
    major: '1',
    minor: '32',
    gitVersion: deps.version.gitVersion,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: '',
    compiler: 'lading',
    platform: `${process.platform}/${process.arch}`,
  }));

  app.register((authed, _opts, done) => {
    authed.addHook('onRequest', (req, _reply, next) => {
      try {
        const user = deps.authenticator.authenticate(req.headers.authorization);
        const state = states.get(req);
        if (state) state.user = user;
        next();
      } catch (err) {
        next(err as Error);
      }
    });
    authed.get('/metrics', async (_req, reply) =>
      reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
    );
    authed.get('/api', () => coreVersions(deps.serverAddress()));
    authed.get('/apis', () => groupList(deps.kinds));
    authed.get('/openapi/v2', (req, reply) => openapi.sendV2(req, reply));
    authed.get('/openapi/v3', (_req, reply) => reply.send(openapi.v3Index()));
    authed.get('/openapi/v3/*', (req, reply) => openapi.sendV3(req, reply));
    if (deps.gitHosting) registerGitHosting(authed, deps, deps.gitHosting);
    authed.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/api/*',
      handler: (req, reply) => serveApi(deps, req, reply),
    });
    authed.route({
      method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      url: '/apis/*',
      handler: (req, reply) => serveApi(deps, req, reply),
    });
    done();
  });
  return app;
}

let requestCounter = 0;
function requestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${process.pid.toString(36)}-${requestCounter.toString(36)}`;
}

async function serveApi(deps: ApiServerDeps, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const [pathname = '', search = ''] = req.url.split('?', 2);
  const path = parseResourcePath(pathname);
  if (!path) {
    const discovery = discoveryDocument(deps, pathname);
    if (discovery === undefined || req.method !== 'GET') {
      throw new NotFoundError(
        { resource: '' },
        { message: 'the server could not find the requested resource' },
      );
    }
    return reply.send(discovery);
  }
  const resolved = resolveRequest(
    {
      method: req.method,
      path,
      params: new URLSearchParams(search),
      headers: {
        accept: req.headers.accept,
        contentType: req.headers['content-type'],
        userAgent: req.headers['user-agent'],
      },
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    },
    deps.kinds,
    deps.handlerFor,
  );
  const state = states.get(req);
  if (state) state.labels.verb = resolved.verb.toUpperCase();
  const response = await resolved.run();
  if (response.kind === 'watch') {
    reply.hijack();
    await streamWatch(reply.raw, {
      ...response,
      timeoutMs: response.timeoutMs ?? deps.minRequestTimeoutMs * (1 + Math.random()),
      onEnd: (err) => {
        if (err) deps.log.debug({ err, reqId: req.id }, 'watch ended with an error');
        finish(deps, req, 200);
      },
    });
    return reply;
  }
  for (const warning of response.warnings) void reply.header('Warning', `299 - ${JSON.stringify(warning)}`);
  return reply.code(response.status).type(response.contentType).send(response.body);
}

/**
 * `/git/<name>.git/…`: smart HTTP through `git http-backend`. Bodies are streamed to the backend,
 * not parsed (pushes may be far larger than the API's body limit).
 */
function registerGitHosting(
  app: FastifyInstance,
  deps: ApiServerDeps,
  hosting: { projectRoot: string; home: string },
): void {
  void app.register((git, _opts, done) => {
    git.removeAllContentTypeParsers();
    git.addContentTypeParser('*', (_req, _payload, next) => next(null));
    git.route({
      method: ['GET', 'POST'],
      url: '/git/*',
      handler: async (req, reply) => {
        const [pathname = '', query = ''] = req.url.split('?', 2);
        reply.hijack();
        const user = states.get(req)?.user;
        await serveHttpBackend(req.raw, reply.raw, {
          projectRoot: hosting.projectRoot,
          pathInfo: decodeURIComponent(pathname.slice('/git'.length)),
          query,
          home: hosting.home,
          ...(user ? { remoteUser: user.name } : {}),
        });
        finish(deps, req, reply.raw.statusCode);
      },
    });
    done();
  });
}

function discoveryDocument(deps: ApiServerDeps, pathname: string): unknown {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) return resourceList(deps.kinds, '', parts[1] ?? '');
  if (parts[0] === 'apis' && parts.length === 2) return group(deps.kinds, parts[1] ?? '');
  if (parts[0] === 'apis' && parts.length === 3)
    return resourceList(deps.kinds, parts[1] ?? '', parts[2] ?? '');
  return undefined;
}

function sendError(reply: FastifyReply, err: unknown, req: FastifyRequest, log: Logger): FastifyReply {
  const apiError = err instanceof ApiError ? err : toApiError(err);
  // git prompts for (or sends stored) credentials only when asked to.
  if (apiError.code === 401 && req.url.startsWith('/git/'))
    void reply.header('WWW-Authenticate', 'Basic realm="lading"');
  if (apiError.code >= 500) log.error({ err, reqId: req.id }, 'request failed');
  return reply.code(apiError.code).type('application/json').send(JSON.stringify(apiError.toStatus()));
}

/** One log line and one metrics observation per request (watches: when the stream ends). */
function finish(deps: ApiServerDeps, req: FastifyRequest, code: number): void {
  const state = states.get(req);
  if (!state || state.labels.code !== '') return;
  state.labels.code = String(code);
  const seconds = (performance.now() - state.start) / 1000;
  deps.metrics.observe(state.labels, seconds);
  deps.log.info(
    {
      reqId: req.id,
      verb: state.labels.verb,
      resource: state.labels.resource || undefined,
      group: state.labels.group || undefined,
      subresource: state.labels.subresource || undefined,
      path: req.url.split('?')[0],
      code,
      latencyMs: Math.round(seconds * 100000) / 100,
      user: state.user?.name,
    },
    'request',
  );
}
