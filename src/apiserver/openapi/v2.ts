/**
 * The Swagger 2.0 document served at `/openapi/v2`: every kind's definition (named as Kubernetes
 * names them, with `x-kubernetes-group-version-kind`), its list, the shared meta definitions, and
 * a path for every verb the kind serves with Kubernetes' query parameters.
 * Pure and deterministic: equal kinds give byte-identical documents.
 */
import type { KindDefinition } from '../../registry/index.js';
import { DEFAULT_OPENAPI_INFO, collect, kindVersions, type OpenApiInfo } from './document.js';
import { pathItemOf, type OperationSpec, type ParamSpec, type PathSpec } from './operations.js';
import { SchemaNamer, emitSchema, sortKeys, type JsonObject } from './schema-emit.js';

export interface OpenApiV2Document {
  swagger: '2.0';
  info: OpenApiInfo;
  paths: Record<string, JsonObject>;
  definitions: Record<string, JsonObject>;
  securityDefinitions: JsonObject;
  security: JsonObject[];
}

const JSON_YAML = ['application/json', 'application/yaml'];

function param(p: ParamSpec): JsonObject {
  return {
    uniqueItems: true,
    type: p.type,
    description: p.description,
    name: p.name,
    in: p.in,
    ...(p.required ? { required: true } : {}),
  };
}

function operation(op: OperationSpec, namer: SchemaNamer): JsonObject {
  const parameters: JsonObject[] = [];
  if (op.body) {
    parameters.push({
      name: 'body',
      in: 'body',
      required: op.body.required,
      schema: emitSchema(op.body.schema, namer),
    });
  }
  parameters.push(...op.params.map(param));
  const responses: JsonObject = {};
  for (const r of op.responses)
    responses[String(r.code)] = { description: r.description, schema: emitSchema(r.schema, namer) };
  responses['401'] = { description: 'Unauthorized' };
  return {
    description: op.description,
    consumes: op.body?.patchTypes ? [...op.body.patchTypes] : ['*/*'],
    produces: op.streams ? [...JSON_YAML, 'application/json;stream=watch'] : JSON_YAML,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    ...(parameters.length > 0 ? { parameters } : {}),
    responses,
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

function pathItem(spec: PathSpec, namer: SchemaNamer): JsonObject {
  return pathItemOf(spec, namer, operation, param);
}

/** Builds the `/openapi/v2` document of `kinds`. */
export function buildOpenApiV2(
  kinds: readonly KindDefinition[],
  info: OpenApiInfo = DEFAULT_OPENAPI_INFO,
): OpenApiV2Document {
  const namer = new SchemaNamer('v2');
  const collected = collect(kindVersions(kinds), namer);
  const paths: Record<string, JsonObject> = {};
  for (const spec of collected.paths) paths[spec.path] = pathItem(spec, namer);
  const doc: OpenApiV2Document = {
    swagger: '2.0',
    info: { ...info },
    paths,
    definitions: collected.finish() as Record<string, JsonObject>,
    securityDefinitions: {
      BearerToken: {
        type: 'apiKey',
        name: 'authorization',
        in: 'header',
        description: 'Bearer Token authentication',
      },
    },
    security: [{ BearerToken: [] }],
  };
  return sortKeys(doc) as OpenApiV2Document;
}
