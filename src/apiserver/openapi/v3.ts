/**
 * OpenAPI 3.0 as Kubernetes serves it: an index at `/openapi/v3` naming one document per
 * group-version (`api/v1`, `apis/<group>/<version>`) with a content hash in its URL, and the
 * documents themselves. Clients (kubectl, client-go) cache a document by that URL, so the server
 * should answer `?hash=<hash>` with `Cache-Control: public, immutable`.
 *
 * kubectl 1.32 sends `fieldValidation=Strict` only if the PATCH operation carrying the kind's
 * `x-kubernetes-group-version-kind` lists a `fieldValidation` parameter (`QueryParamVerifierV3`);
 * every PATCH, PUT and POST here does.
 */
import type { KindDefinition } from '../../registry/index.js';
import { DEFAULT_OPENAPI_INFO, collect, kindVersions, openApiHash, type OpenApiInfo } from './document.js';
import { pathItemOf, type OperationSpec, type ParamSpec, type PathSpec } from './operations.js';
import { SchemaNamer, emitSchema, sortKeys, type JsonObject } from './schema-emit.js';

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: OpenApiInfo;
  paths: Record<string, JsonObject>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: JsonObject };
  security: JsonObject[];
}

export interface OpenApiV3Index {
  paths: Record<string, { serverRelativeURL: string }>;
}

/** One group-version document with its serialized form and hash, ready to serve. */
export interface OpenApiV3Entry {
  group: string;
  version: string;
  document: OpenApiV3Document;
  json: string;
  hash: string;
}

/** The index key of a group-version: `api/v1` for the core group, `apis/<group>/<version>` otherwise. */
export function openApiV3Path(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

function param(p: ParamSpec): JsonObject {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function content(schema: JsonObject, types: readonly string[]): JsonObject {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

function operation(op: OperationSpec, namer: SchemaNamer): JsonObject {
  const responses: JsonObject = {};
  const produces = [
    'application/json',
    'application/yaml',
    ...(op.streams ? ['application/json;stream=watch'] : []),
  ];
  for (const r of op.responses) {
    responses[String(r.code)] = {
      description: r.description,
      content: content(emitSchema(r.schema, namer), produces),
    };
  }
  responses['401'] = { description: 'Unauthorized' };
  const body = op.body;
  return {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
    ...(op.params.length > 0 ? { parameters: op.params.map(param) } : {}),
    ...(body
      ? {
          requestBody: {
            content: content(emitSchema(body.schema, namer), body.patchTypes ?? ['*/*']),
            required: body.required,
          },
        }
      : {}),
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

function pathItem(spec: PathSpec, namer: SchemaNamer): JsonObject {
  return pathItemOf(spec, namer, operation, param);
}

/** The OpenAPI 3.0 document of one group-version (empty paths if no kind serves it). */
export function buildOpenApiV3GroupVersion(
  kinds: readonly KindDefinition[],
  group: string,
  version: string,
  info: OpenApiInfo = DEFAULT_OPENAPI_INFO,
): OpenApiV3Document {
  const namer = new SchemaNamer('v3');
  const collected = collect(kindVersions(kinds, { group, version }), namer);
  const paths: Record<string, JsonObject> = {};
  for (const spec of collected.paths) paths[spec.path] = pathItem(spec, namer);
  const doc: OpenApiV3Document = {
    openapi: '3.0.0',
    info: { ...info },
    paths,
    components: {
      schemas: collected.finish() as Record<string, JsonObject>,
      securitySchemes: {
        BearerToken: {
          type: 'apiKey',
          name: 'authorization',
          in: 'header',
          description: 'Bearer Token authentication',
        },
      },
    },
    security: [{ BearerToken: [] }],
  };
  return sortKeys(doc) as OpenApiV3Document;
}

/** Every group-version document of `kinds`, keyed by its index path, with JSON and hash. */
export function buildOpenApiV3Documents(
  kinds: readonly KindDefinition[],
  info: OpenApiInfo = DEFAULT_OPENAPI_INFO,
): Map<string, OpenApiV3Entry> {
  const groupVersions = new Map<string, { group: string; version: string }>();
  for (const { kind, version } of kindVersions(kinds)) {
    groupVersions.set(openApiV3Path(kind.group, version), { group: kind.group, version });
  }
  const entries = new Map<string, OpenApiV3Entry>();
  for (const [path, { group, version }] of groupVersions) {
    const document = buildOpenApiV3GroupVersion(kinds, group, version, info);
    const json = JSON.stringify(document);
    entries.set(path, { group, version, document, json, hash: openApiHash(json) });
  }
  return entries;
}

/** The index served at `/openapi/v3`, from already built documents. */
export function openApiV3IndexOf(documents: ReadonlyMap<string, OpenApiV3Entry>): OpenApiV3Index {
  const paths: OpenApiV3Index['paths'] = {};
  for (const [path, entry] of [...documents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${entry.hash}` };
  }
  return { paths };
}

/** The index served at `/openapi/v3`; each URL carries the hash of the document it names. */
export function buildOpenApiV3Index(
  kinds: readonly KindDefinition[],
  info: OpenApiInfo = DEFAULT_OPENAPI_INFO,
): OpenApiV3Index {
  return openApiV3IndexOf(buildOpenApiV3Documents(kinds, info));
}
