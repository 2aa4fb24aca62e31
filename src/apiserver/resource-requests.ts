/**
 * Maps one resource request (method + parsed path + query + body) to a verb of the kind's
 * ResourceHandler and shapes the response (object, raw list, Table, PartialObjectMetadata).
 */
import {
  BadRequestError,
  MethodNotAllowedError,
  NotFoundError,
  apiVersionOf,
  type DeleteOptions,
  type KubeObject,
} from '../apimachinery/index.js';
import type {
  KindDefinition,
  KindRegistry,
  RawWatchEvent,
  ResourceHandler,
  Subresource,
} from '../registry/index.js';
import { decodeBody, decodePatch, negotiateResponse, type ResponseForm } from './negotiation.js';
import { Query } from './query.js';
import type { ResourcePath } from './request-path.js';
import { toTable } from './table.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequest {
  method: string;
  path: ResourcePath;
  params: URLSearchParams;
  headers: { accept?: string | undefined; contentType?: string | undefined; userAgent?: string | undefined };
  body: Buffer;
}

/** What to send back: a JSON body (string, already serialized) or a watch to stream. */
export type ResourceResponse =
  | { kind: 'body'; status: number; body: string; contentType: string; warnings: string[] }
  | {
      kind: 'watch';
      events: (signal: AbortSignal) => AsyncIterable<RawWatchEvent>;
      transform?: (event: RawWatchEvent) => string;
      timeoutMs?: number;
      contentType: string;
    };

export interface ResolvedRequest {
  verb: Verb;
  kind: KindDefinition;
  run: () => Promise<ResourceResponse>;
}

export type HandlerResolver = (kind: KindDefinition, version: string) => ResourceHandler;

function verbOf(method: string, path: ResourcePath, query: Query): Verb {
  switch (method) {
    case 'GET':
      if (path.watch || query.bool('watch')) return 'watch';
      return path.name === undefined ? 'list' : 'get';
    case 'POST':
      if (path.name !== undefined)
        throw new MethodNotAllowedError(`POST is not supported on a named ${path.plural}`);
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return path.name === undefined ? 'deletecollection' : 'delete';
    default:
      throw new MethodNotAllowedError(
        `the server does not allow this method on the requested resource: ${method}`,
      );
  }
}

function contentTypeOf(form: ResponseForm): string {
  return form.as === 'object'
    ? 'application/json'
    : `application/json;as=${form.as};g=meta.k8s.io;v=${form.version}`;
}

/** Finds the kind and verb; throws NotFound for unknown kinds, MethodNotAllowed for wrong verbs. */
export function resolveRequest(
  request: ResourceRequest,
  kinds: KindRegistry,
  handlerFor: HandlerResolver,
): ResolvedRequest {
  const { path } = request;
  const kind = kinds.byResource(path.group, path.version, path.plural);
  if (!kind) {
    throw new NotFoundError(
      { resource: path.plural, group: path.group },
      {
        message: `the server could not find the requested resource (${path.plural}${path.group ? `.${path.group}` : ''} ${path.version})`,
      },
    );
  }
  const query = new Query(request.params);
  const verb = verbOf(request.method, path, query);
  if (
    path.subresource !== undefined &&
    !(path.subresource === 'status' && kind.statusSubresource) &&
    !(kind.subresources ?? []).includes(path.subresource as never)
  ) {
    throw new NotFoundError({
      resource: `${path.plural}/${path.subresource}`,
      group: path.group,
      name: path.name ?? '',
    });
  }
  if (path.subresource && !['get', 'update', 'patch'].includes(verb)) {
    throw new MethodNotAllowedError(`${verb} is not supported on ${path.plural}/${path.subresource}`);
  }
  if (kind.namespaced && path.namespace === undefined && !['list', 'watch'].includes(verb)) {
    throw new NotFoundError(
      { resource: path.plural, group: path.group, name: path.name ?? '' },
      {
        message: `the server could not find the requested resource: ${path.plural} is namespaced; use /namespaces/<namespace>/${path.plural}`,
      },
    );
  }
  if (!kind.namespaced && path.namespace !== undefined) {
    throw new NotFoundError(
      { resource: path.plural, group: path.group, name: path.name ?? '' },
      {
        message: `the server could not find the requested resource: ${path.plural} is cluster-scoped`,
      },
    );
  }
  if (!(kind.verbs ?? [verb]).includes(verb)) {
    throw new MethodNotAllowedError(`${verb} is not supported on ${path.plural}`);
  }
  const handler = handlerFor(kind, path.version);
  return { verb, kind, run: () => execute(verb, kind, handler, request, query) };
}

async function execute(
  verb: Verb,
  kind: KindDefinition,
  handler: ResourceHandler,
  request: ResourceRequest,
  query: Query,
): Promise<ResourceResponse> {
  const { path } = request;
  const namespace = path.namespace ?? '';
  const name = path.name ?? '';
  const form = negotiateResponse(request.headers.accept);
  const warnings: string[] = [];
  const reply = (status: number, object: unknown): ResourceResponse => ({
    kind: 'body',
    status,
    body: shape(kind, form, object as KubeObject, query),
    contentType: contentTypeOf(form),
    warnings,
  });
  /** `options`: a delete's, whose `dryRun` counts too. */
  const write = (options: DeleteOptions = {}) =>
    query.write(request.headers.userAgent, warnings, options.dryRun ?? []);
  const sub: { subresource?: Subresource } =
    path.subresource === undefined ? {} : { subresource: path.subresource as Subresource };
  switch (verb) {
    case 'get':
      return reply(200, await handler.get(namespace, name));
    case 'list': {
      const list = await handler.list(namespace, query.list());
      return {
        kind: 'body',
        status: 200,
        body: listBody(kind, path.version, form, list, query),
        contentType: contentTypeOf(form),
        warnings,
      };
    }
    case 'watch': {
      const watch = query.watch();
      if (path.name !== undefined) {
        const byName = `metadata.name=${path.name}`;
        watch.fieldSelector = watch.fieldSelector ? `${watch.fieldSelector},${byName}` : byName;
      }
      const timeoutMs = query.watchTimeoutMs();
      const transform =
        form.as === 'object' ? undefined : (event: RawWatchEvent) => watchObject(kind, form, event, query);
      return {
        kind: 'watch',
        events: (signal) => handler.watch(namespace, watch, signal),
        ...(transform ? { transform } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        contentType: contentTypeOf(form),
      };
    }
    case 'create':
      return reply(
        201,
        await handler.create(namespace, decodeBody(request.headers.contentType, request.body), write()),
      );
    case 'update': {
      const result = await handler.update(
        namespace,
        name,
        decodeBody(request.headers.contentType, request.body),
        { ...write(), ...sub },
      );
      return reply(result.created ? 201 : 200, result.object);
    }
    case 'patch': {
      const { type, patch } = decodePatch(request.headers.contentType, request.body);
      const options = write();
      if (type === 'apply' && query.string('fieldManager') === undefined) {
        throw new BadRequestError('PATCH /apply requires fieldManager to be set');
      }
      if (type !== 'apply' && options.force)
        throw new BadRequestError('force is only allowed for apply patches');
      const result = await handler.patch(namespace, name, type, patch, { ...options, ...sub });
      return reply(result.created ? 201 : 200, result.object);
    }
    case 'delete': {
      const body =
        request.body.length === 0 ? undefined : decodeBody(request.headers.contentType, request.body);
      const options = query.deleteOptions(body);
      const result = await handler.delete(namespace, name, options, write(options));
      return reply(200, result.object);
    }
    case 'deletecollection': {
      const body =
        request.body.length === 0 ? undefined : decodeBody(request.headers.contentType, request.body);
      const options = query.deleteOptions(body);
      const deleted = await handler.deleteCollection(namespace, query.list(), options, write(options));
      const list = {
        apiVersion: apiVersionOf(kind.group, path.version),
        kind: kind.names.listKind,
        metadata: {},
        items: deleted,
      };
      return {
        kind: 'body',
        status: 200,
        body: JSON.stringify(list),
        contentType: 'application/json',
        warnings,
      };
    }
  }
}

function shape(kind: KindDefinition, form: ResponseForm, object: KubeObject, query: Query): string {
  switch (form.as) {
    case 'object':
      return JSON.stringify(object);
    case 'Table':
      return JSON.stringify(
        toTable(kind, [object], {
          include: query.includeObject(),
          metaVersion: form.version,
          listMeta: {},
          withColumns: true,
        }),
      );
    case 'PartialObjectMetadata':
      return JSON.stringify({
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${form.version}`,
        metadata: object.metadata,
      });
  }
}

function listBody(
  kind: KindDefinition,
  version: string,
  form: ResponseForm,
  list: { resourceVersion: string; continue?: string; remainingItemCount?: number; items: string[] },
  query: Query,
): string {
  const listMeta: Record<string, unknown> = { resourceVersion: list.resourceVersion };
  if (list.continue !== undefined) listMeta.continue = list.continue;
  if (list.remainingItemCount !== undefined) listMeta.remainingItemCount = list.remainingItemCount;
  switch (form.as) {
    case 'object':
      // Stored JSON is spliced in as is: no parse and re-serialize of every item.
      return `{"kind":${JSON.stringify(kind.names.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(kind.group, version))},"metadata":${JSON.stringify(listMeta)},"items":[${list.items.join(',')}]}`;
    case 'Table': {
      const objects = list.items.map((json) => JSON.parse(json) as KubeObject);
      return JSON.stringify(
        toTable(kind, objects, {
          include: query.includeObject(),
          metaVersion: form.version,
          listMeta,
          withColumns: true,
        }),
      );
    }
    case 'PartialObjectMetadata': {
      const items = list.items.map((json) => ({
        kind: 'PartialObjectMetadata',
        apiVersion: `meta.k8s.io/${form.version}`,
        metadata: (JSON.parse(json) as KubeObject).metadata,
      }));
      return JSON.stringify({
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${form.version}`,
        metadata: listMeta,
        items,
      });
    }
  }
}

function watchObject(kind: KindDefinition, form: ResponseForm, event: RawWatchEvent, query: Query): string {
  if (event.type === 'ERROR' || event.type === 'BOOKMARK') return event.json;
  const object = JSON.parse(event.json) as KubeObject;
  return shape(kind, form, object, query);
}
