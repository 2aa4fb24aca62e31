/**
 * The rules Kubernetes enforces on a CRD version's `openAPIV3Schema` (apiextensions v1), with
 * its field paths and messages:
 * 1. structural-schema invariants and completeness (`apiserver/schema/validation.go`,
 *    `complete.go`), reported sorted as Kubernetes sorts them;
 * 2. if those pass, every `default` must validate against its schema and be pruned
 *    (`defaulting/validation.go`);
 * 3. the OpenAPI dialect rules of `dialect.ts`.
 */
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { childPath, indexPath, k8sCause, keyPath } from './causes.js';
import { compilePattern } from './pattern.js';
import { checkDialect } from './dialect.js';
import { pruneUnknownFields } from './prune.js';
import { validateValue } from './validate.js';

type Level = 'root' | 'item' | 'field';

const MISSING_TYPE: Record<Level, string> = {
  root: 'must not be empty at the root',
  item: 'must not be empty for specified array items',
  field: 'must not be empty for specified object fields',
};

const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

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

/** `anyOf: [{type: integer}, {type: string}]`, the spelling of int-or-string structural schemas allow. */
function isIntOrStringAnyOf(anyOf: readonly JSONSchemaProps[] | undefined): boolean {
  if (anyOf?.length !== 2) return false;
  const [a, b] = anyOf;
  const only = (s: JSONSchemaProps | undefined, type: string): boolean =>
    s !== undefined && s.type === type && Object.keys(s).length === 1;
  return only(a, 'integer') && only(b, 'string');
}

// ---- 1. structural invariants ----------------------------------------------------------------

function invariants(s: JSONSchemaProps, level: Level, path: string, out: StatusCause[]): void {
  if (s.type === 'array' && s.items === undefined)
    out.push(k8sCause.required(child(path, 'items'), 'must be specified'));
  if (s.items) invariants(s.items, 'item', child(path, 'items'), out);
  for (const [key, sub] of Object.entries(s.properties ?? {})) invariants(sub, 'field', prop(path, key), out);
  if (s.additionalProperties !== undefined) {
    if (level === 'root')
      out.push(k8sCause.forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    const add = additionalSchema(s);
    if (add) invariants(add, 'field', child(path, 'additionalProperties'), out);
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) {
    out.push(
      k8sCause.invalid(
        child(path, 'x-kubernetes-preserve-unknown-fields'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  if (intOrString && embedded) {
    out.push(
      k8sCause.invalid(
        child(path, 'x-kubernetes-embedded-resource'),
        true,
        'must be false if x-kubernetes-int-or-string is true',
      ),
    );
  }
  const skipFirstAllOfAnyOf = isIntOrStringAnyOf(s.allOf?.[0]?.anyOf);
  valueValidation(s, isIntOrStringAnyOf(s.anyOf), skipFirstAllOfAnyOf, path, out);

  const type = s.type ?? '';
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    out.push(
      type === ''
        ? k8sCause.required(child(path, 'type'), detail)
        : k8sCause.invalid(child(path, 'type'), type, detail),
    );
  } else if (type === '' && !intOrString && !preserve) {
    out.push(k8sCause.required(child(path, 'type'), MISSING_TYPE[level]));
  }
  if (embedded && s.additionalProperties !== undefined) {
    out.push(
      k8sCause.forbidden(
        child(path, 'additionalProperties'),
        'must not be used if x-kubernetes-embedded-resource is set',
      ),
    );
  }
  if (level === 'root' && type !== '' && type !== 'object') {
    out.push(k8sCause.invalid(child(path, 'type'), type, 'must be object at the root'));
  }
  const checkMetadata = level === 'root' || embedded;
  for (const key of ['kind', 'apiVersion']) {
    const sub = s.properties?.[key];
    if (checkMetadata && sub && sub.type !== 'string') {
      out.push(k8sCause.invalid(child(prop(path, key), 'type'), sub.type ?? '', 'must be string'));
    }
  }
  const metadata = s.properties?.['metadata'];
  if (metadata) metadataInvariants(metadata, checkMetadata, level, prop(path, 'metadata'), out);
  if (embedded && !preserve && Object.keys(s.properties ?? {}).length === 0) {
    out.push(
      k8sCause.required(
        child(path, 'properties'),
        'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields',
      ),
    );
  }
}

function metadataInvariants(
  m: JSONSchemaProps,
  checkMetadata: boolean,
  level: Level,
  path: string,
  out: StatusCause[],
): void {
  if (checkMetadata && m.type !== 'object')
    out.push(k8sCause.invalid(child(path, 'type'), m.type ?? '', 'must be object'));
  if (level !== 'root') return;
  // Only name and generateName may be restricted; defaults are reported by the dialect rules.
  const rest = Object.keys(m).filter((k) => k !== 'type' && k !== 'default');
  const props = Object.keys(m.properties ?? {});
  const onlyNames = props.length > 0 && props.every((p) => p === 'name' || p === 'generateName');
  if (rest.some((k) => k !== 'properties' || !onlyNames)) {
    out.push(
      k8sCause.forbidden(
        path,
        'must not specify anything other than name and generateName, but metadata is implicitly specified',
      ),
    );
  }
}

function valueValidation(
  v: JSONSchemaProps,
  skipAnyOf: boolean,
  skipFirstAllOfAnyOf: boolean,
  path: string,
  out: StatusCause[],
): void {
  if (!skipAnyOf) v.anyOf?.forEach((n, i) => nested(n, false, at(path, 'anyOf', i), out));
  v.allOf?.forEach((n, i) => nested(n, skipFirstAllOfAnyOf && i === 0, at(path, 'allOf', i), out));
  v.oneOf?.forEach((n, i) => nested(n, false, at(path, 'oneOf', i), out));
  if (v.not) nested(v.not, false, child(path, 'not'), out);
  if (v.pattern) {
    const compiled = compilePattern(v.pattern);
    if (!compiled.ok) {
      out.push(
        k8sCause.invalid(
          child(path, 'pattern'),
          v.pattern,
          `must be a valid regular expression, but isn't: ${compiled.error}`,
        ),
      );
    }
  }
}

const NESTED_FORBIDDEN: readonly (readonly [string, string])[] = [
  ['additionalProperties', 'must be undefined to be structural'],
  ['default', 'must be undefined to be structural'],
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['externalDocs', 'must be undefined to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-list-type', 'must be undefined to be structural'],
  ['x-kubernetes-map-type', 'must be undefined to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

/** A schema under allOf/anyOf/oneOf/not: value validation only, no structure. */
function nested(v: JSONSchemaProps, skipAnyOf: boolean, path: string, out: StatusCause[]): void {
  valueValidation(v, skipAnyOf, false, path, out);
  if (v.items) nested(v.items, false, child(path, 'items'), out);
  for (const [key, sub] of Object.entries(v.properties ?? {})) nested(sub, false, prop(path, key), out);
  if (v.type) out.push(k8sCause.forbidden(child(path, 'type'), 'must be empty to be structural'));
  for (const [key, detail] of NESTED_FORBIDDEN) {
    const value = raw(v)[key];
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) {
      out.push(k8sCause.forbidden(child(path, key), detail));
    }
  }
  for (const flag of [
    'nullable',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-int-or-string',
  ]) {
    if (raw(v)[flag] === true)
      out.push(k8sCause.forbidden(child(path, flag), 'must be false to be structural'));
  }
  if (v.properties && Object.hasOwn(v.properties, 'metadata')) {
    out.push(k8sCause.forbidden(prop(path, 'metadata'), 'must not be specified in a nested context'));
  }
}

/** Every field or array named in the root's value validation must exist in the structure too. */
function completeness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
  out: StatusCause[],
): void {
  if (v.not) nestedCompleteness(v.not, s, sPath, child(vPath, 'not'), out);
  for (const junctor of JUNCTORS)
    v[junctor]?.forEach((n, i) => nestedCompleteness(n, s, sPath, at(vPath, junctor, i), out));
}

function nestedCompleteness(
  v: JSONSchemaProps,
  s: JSONSchemaProps | undefined,
  sPath: string,
  vPath: string,
  out: StatusCause[],
): void {
  if (s === undefined) {
    out.push(k8sCause.required(sPath, `because it is defined in ${vPath}`));
    return;
  }
  completeness(v, s, sPath, vPath, out);
  if (v.items) nestedCompleteness(v.items, s.items, child(sPath, 'items'), child(vPath, 'items'), out);
  for (const [key, sub] of Object.entries(v.properties ?? {})) {
    const structural = s.properties && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
    if (structural === undefined) {
      out.push(k8sCause.required(prop(sPath, key), `because it is defined in ${prop(vPath, key)}`));
    } else {
      nestedCompleteness(sub, structural, prop(sPath, key), prop(vPath, key), out);
    }
  }
}

// ---- 2. defaults -----------------------------------------------------------------------------

function defaults(
  s: JSONSchemaProps,
  path: string,
  insideMeta: boolean,
  isResource: boolean,
  out: StatusCause[],
): void {
  // Defaults inside resource metadata are forbidden by the dialect rules; nothing to check here.
  const embedded = isResource || s['x-kubernetes-embedded-resource'] === true;
  if (s.default !== undefined && !insideMeta) {
    const pruned = structuredClone(s.default);
    if (pruneUnknownFields(pruned, s, { isResourceRoot: embedded }).length > 0) {
      out.push(k8sCause.invalid(child(path, 'default'), s.default, 'must not have unknown fields'));
    } else {
      out.push(...validateValue(s.default, s, child(path, 'default')));
    }
  }
  if (s.items) defaults(s.items, child(path, 'items'), insideMeta, false, out);
  for (const [key, sub] of Object.entries(s.properties ?? {})) {
    defaults(sub, prop(path, key), insideMeta || (embedded && META_FIELDS.has(key)), false, out);
  }
}

function errorText(c: StatusCause): string {
  return `${c.field ?? ''}: ${c.message ?? ''}`;
}

/**
 * Checks a CRD version's `openAPIV3Schema` (rooted at `path`, e.g.
 * `spec.versions[0].schema.openAPIV3Schema`) as Kubernetes does on CRD create/update.
 * Returns the causes; empty means Kubernetes would accept the schema.
 */
export function checkStructural(schema: JSONSchemaProps, path: string): StatusCause[] {
  const structural: StatusCause[] = [];
  invariants(schema, 'root', path, structural);
  completeness(schema, schema, path, path, structural);
  structural.sort((a, b) => (errorText(a) < errorText(b) ? -1 : errorText(a) > errorText(b) ? 1 : 0));
  const out = structural;
  if (out.length === 0) defaults(schema, path, false, true, out);
  out.push(...checkDialect(schema, path));
  return out;
}
