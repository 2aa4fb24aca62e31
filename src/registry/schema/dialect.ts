/**
 * The OpenAPI dialect rules apiextensions v1 applies to every node of a CRD schema
 * (`ValidateCustomResourceDefinitionOpenAPISchema`): list and map types, list-map keys,
 * mutually exclusive properties/additionalProperties, unsupported keywords, defaults in resource
 * metadata, and the texts of CEL rules (their expressions are not compiled here).
 */
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { isPlainObject } from '../../apimachinery/index.js';
import { childPath, goStrings, indexPath, k8sCause, keyPath } from './causes.js';

const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);
const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

const child = childPath;
const prop = (path: string, key: string): string => keyPath(child(path, 'properties'), key);
const at = (path: string, junctor: string, i: number): string => indexPath(child(path, junctor), i);

/** A schema as raw JSON: CRDs may carry keys our JSONSchemaProps type does not declare. */
function raw(schema: JSONSchemaProps): Record<string, unknown> {
  return schema as Record<string, unknown>;
}

function additionalSchema(schema: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

interface DialectContext {
  /** Why defaults are not allowed here, if they are not. */
  noDefaults?: string;
  insideMeta: boolean;
}

const UNSUPPORTED_KEYWORDS = [
  'id',
  'additionalItems',
  'patternProperties',
  'definitions',
  'dependencies',
  '$ref',
];

function dialect(
  s: JSONSchemaProps,
  path: string,
  ctx: DialectContext,
  isRoot: boolean,
  out: StatusCause[],
): void {
  const r = raw(s);
  const type = s.type ?? '';
  if (type !== '' && !OPENAPI_V3_TYPES.includes(type))
    out.push(k8sCause.notSupported(child(path, 'type'), type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && ctx.noDefaults !== undefined) {
    out.push(k8sCause.forbidden(child(path, 'default'), `must not be set ${ctx.noDefaults}`));
  }
  for (const keyword of UNSUPPORTED_KEYWORDS) {
    if (r[keyword] !== undefined)
      out.push(k8sCause.forbidden(child(path, keyword), `${keyword} is not supported`));
  }
  if ((type as string) === 'null') {
    out.push(
      k8sCause.forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'),
    );
  }
  if (Array.isArray(r['items'])) {
    out.push(k8sCause.forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  }
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource']) {
    out.push(
      k8sCause.forbidden(
        child(path, 'x-kubernetes-embedded-resource'),
        'must not be used inside of resource meta',
      ),
    );
  }
  if (s.uniqueItems) {
    out.push(
      k8sCause.forbidden(
        child(path, 'uniqueItems'),
        'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
      ),
    );
  }
  if (s.additionalProperties !== undefined) {
    if (Object.keys(s.properties ?? {}).length > 0 && s.additionalProperties !== true) {
      out.push(
        k8sCause.forbidden(
          child(path, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        ),
      );
    }
    const add = additionalSchema(s);
    const sub = ctx.insideMeta
      ? { ...ctx, noDefaults: 'inside additionalProperties applying to object metadata' }
      : ctx;
    if (add) dialect(add, child(path, 'additionalProperties'), sub, false, out);
  }
  for (const [key, property] of Object.entries(s.properties ?? {})) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META_FIELDS.has(key)) {
      sub = { ...sub, insideMeta: true, ...(isRoot ? { noDefaults: `in top-level ${key}` } : {}) };
    }
    dialect(property, prop(path, key), sub, false, out);
  }
  if (s.not) dialect(s.not, child(path, 'not'), ctx, false, out);
  for (const junctor of JUNCTORS)
    s[junctor]?.forEach((n, i) => dialect(n, at(path, junctor, i), ctx, false, out));
  if (isPlainObject(r['items'])) dialect(s.items as JSONSchemaProps, child(path, 'items'), ctx, false, out);
  listAndMapTypes(s, path, out);
  celRules(s, path, out);
}

function typeRequirement(
  s: JSONSchemaProps,
  want: string,
  detail: string,
  path: string,
  out: StatusCause[],
): void {
  if (s.type === want) return;
  out.push(
    s.type === undefined
      ? k8sCause.required(child(path, 'type'), detail)
      : k8sCause.invalid(child(path, 'type'), s.type, detail),
  );
}

function listAndMapTypes(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  const preserve = s['x-kubernetes-preserve-unknown-fields'];
  if (preserve === false) {
    out.push(
      k8sCause.invalid(
        child(path, 'x-kubernetes-preserve-unknown-fields'),
        false,
        'must be true or undefined',
      ),
    );
  }
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined) {
    typeRequirement(s, 'object', 'must be object if x-kubernetes-map-type is specified', path, out);
    if (mapType !== 'atomic' && mapType !== 'granular') {
      out.push(k8sCause.notSupported(child(path, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
    }
  }
  const listType = s['x-kubernetes-list-type'];
  const items = s.items;
  if (listType !== undefined && s.type !== 'array') {
    typeRequirement(s, 'array', 'must be array if x-kubernetes-list-type is specified', path, out);
  } else if (listType === 'set' && items) {
    const atomicDetail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemsList = items['x-kubernetes-list-type'];
    if (items.type === 'array' && itemsList !== undefined && itemsList !== 'atomic') {
      out.push(
        k8sCause.invalid(child(child(path, 'items'), 'x-kubernetes-list-type'), itemsList, atomicDetail),
      );
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      out.push(
        k8sCause.invalid(
          child(child(path, 'items'), 'x-kubernetes-map-type'),
          itemsList ?? null,
          atomicDetail,
        ),
      );
    }
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) {
    out.push(
      k8sCause.notSupported(child(path, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']),
    );
  }
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length > 0 && listType !== 'map') {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    const field = child(path, 'x-kubernetes-list-type');
    out.push(
      listType === undefined ? k8sCause.required(field, detail) : k8sCause.invalid(field, listType, detail),
    );
  }
  if (listType === 'map') listMap(s, keys, path, out);
  if ((listType === 'set' || listType === 'map') && items?.nullable) {
    out.push(
      k8sCause.forbidden(
        child(child(path, 'items'), 'nullable'),
        `cannot be nullable when x-kubernetes-list-type is ${listType}`,
      ),
    );
  }
}

function listMap(s: JSONSchemaProps, keys: readonly string[], path: string, out: StatusCause[]): void {
  const items = s.items;
  const keysPath = child(path, 'x-kubernetes-list-map-keys');
  if (keys.length === 0)
    out.push(k8sCause.required(keysPath, 'must not be empty if x-kubernetes-list-type is map'));
  if (!items) {
    out.push(k8sCause.required(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    return;
  }
  const itemsPath = child(path, 'items');
  if (items.type !== 'object') {
    out.push(
      k8sCause.invalid(
        child(itemsPath, 'type'),
        items.type ?? '',
        "must be object if parent array's x-kubernetes-list-type is map",
      ),
    );
    return;
  }
  const seen = new Set<string>();
  for (const key of keys) {
    const keySchema =
      items.properties && Object.hasOwn(items.properties, key) ? items.properties[key] : undefined;
    if (keySchema === undefined) {
      out.push(k8sCause.invalid(keysPath, goStrings(keys), 'entries must all be names of item properties'));
    } else {
      if (keySchema.type === 'array' || keySchema.type === 'object') {
        out.push(
          k8sCause.invalid(
            child(prop(itemsPath, key), 'type'),
            items.type,
            "must be a scalar type if parent array's x-kubernetes-list-type is map",
          ),
        );
      }
      const prefix = 'this property is in x-kubernetes-list-map-keys, so it';
      if (!(items.required ?? []).includes(key) && keySchema.default === undefined) {
        out.push(
          k8sCause.required(
            child(prop(itemsPath, key), 'default'),
            `${prefix} must have a default or be a required property`,
          ),
        );
      }
      if (keySchema.nullable)
        out.push(k8sCause.forbidden(child(prop(itemsPath, key), 'nullable'), `${prefix} cannot be nullable`));
    }
    if (seen.has(key))
      out.push(k8sCause.invalid(keysPath, goStrings(keys), 'must not contain duplicate entries'));
    seen.add(key);
  }
}

function celRules(s: JSONSchemaProps, path: string, out: StatusCause[]): void {
  s['x-kubernetes-validations']?.forEach((rule, i) => {
    const base = indexPath(child(path, 'x-kubernetes-validations'), i);
    const text = (rule.rule ?? '').trim();
    const message = (rule.message ?? '').trim();
    if (text === '') out.push(k8sCause.required(child(base, 'rule'), 'rule is not specified'));
    else if ((rule.message ?? '') !== '' && message === '') {
      out.push(
        k8sCause.invalid(child(base, 'message'), rule.message, 'message must be non-empty if specified'),
      );
    } else if (/[\n\r]/.test(message)) {
      out.push(
        k8sCause.invalid(child(base, 'message'), rule.message, 'message must not contain line breaks'),
      );
    } else if (/[\n\r]/.test(text) && message === '') {
      out.push(
        k8sCause.required(child(base, 'message'), 'message must be specified if rule contains line breaks'),
      );
    }
  });
}

/** Checks the dialect rules on `schema` (a CRD version's root schema at `path`). */
export function checkDialect(schema: JSONSchemaProps, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  dialect(schema, path, { insideMeta: false }, true, out);
  return out;
}
