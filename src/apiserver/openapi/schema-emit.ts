/**
 * Turns `JSONSchemaProps` into OpenAPI schema objects for Swagger 2.0 (`#/definitions/…`) or
 * OpenAPI 3.0 (`#/components/schemas/…`), and prepares a kind's published schema the way
 * apiextensions' OpenAPI builder does: type meta and an ObjectMeta `$ref` at the root and in
 * embedded resources, `x-kubernetes-group-version-kind`, int-or-string spelled out for v3, and
 * for v2 the reductions kubectl's v2 code needs (no junctors, no nullable, untyped
 * preserve-unknown-fields nodes).
 */
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import type { KindDefinition } from '../../registry/index.js';
import {
  LIST_META_DESCRIPTION,
  OBJECT_META_DESCRIPTION,
  listMetaSchema,
  metaDefinitions,
  objectMetaSchema,
  typeMetaFields,
} from './definitions.js';

export type OpenApiFlavor = 'v2' | 'v3';
export type JsonObject = Record<string, unknown>;

/** Named schemas by identity; emitting one of them anywhere but as its own root yields a `$ref`. */
export class SchemaNamer {
  private readonly names = new Map<JSONSchemaProps, string>();
  readonly used = new Set<string>();

  constructor(readonly flavor: OpenApiFlavor) {
    for (const [name, schema] of Object.entries(metaDefinitions)) this.names.set(schema, name);
  }

  name(schema: JSONSchemaProps, name: string): void {
    this.names.set(schema, name);
  }

  nameOf(schema: JSONSchemaProps): string | undefined {
    return this.names.get(schema);
  }

  ref(name: string): JsonObject {
    this.used.add(name);
    return { $ref: `${this.flavor === 'v2' ? '#/definitions/' : '#/components/schemas/'}${name}` };
  }
}

const JUNCTORS = ['allOf', 'anyOf', 'oneOf'] as const;

/** Keys that may sit next to a described reference without changing what it refers to. */
const REF_SIBLINGS = new Set(['description', 'default', 'allOf']);

/** Emits `schema` as an OpenAPI schema object; `asRoot` emits a named schema's own body. */
export function emitSchema(schema: JSONSchemaProps, namer: SchemaNamer, asRoot = false): JsonObject {
  const name = asRoot ? undefined : namer.nameOf(schema);
  if (name !== undefined) return namer.ref(name);
  const only = schema.allOf?.length === 1 ? schema.allOf[0] : undefined;
  const target = only && namer.nameOf(only);
  if (target !== undefined && Object.keys(schema).every((k) => REF_SIBLINGS.has(k) || k.startsWith('x-'))) {
    const { allOf: _allOf, ...siblings } = schema;
    const ref = namer.ref(target);
    return namer.flavor === 'v2'
      ? { ...ref, ...structuredClone(siblings) }
      : { ...structuredClone(siblings), allOf: [ref] };
  }
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (value === undefined) continue;
    if (key === 'properties') {
      const props: JsonObject = {};
      for (const [prop, sub] of Object.entries(value as Record<string, JSONSchemaProps>))
        props[prop] = emitSchema(sub, namer);
      out[key] = props;
    } else if (
      key === 'items' ||
      key === 'not' ||
      (key === 'additionalProperties' && typeof value === 'object')
    ) {
      out[key] = emitSchema(value as JSONSchemaProps, namer);
    } else if ((JUNCTORS as readonly string[]).includes(key)) {
      out[key] = (value as JSONSchemaProps[]).map((sub) => emitSchema(sub, namer));
    } else {
      out[key] = structuredClone(value);
    }
  }
  return out;
}

/** Applies `fn` to every node of a schema tree (copying it), leaving named schemas untouched. */
function mapSchema(
  schema: JSONSchemaProps,
  namer: SchemaNamer,
  fn: (copy: JSONSchemaProps) => JSONSchemaProps,
): JSONSchemaProps {
  if (namer.nameOf(schema) !== undefined) return schema;
  const copy: JSONSchemaProps = { ...schema };
  if (schema.properties) {
    copy.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, mapSchema(v, namer, fn)]),
    );
  }
  if (schema.items) copy.items = mapSchema(schema.items, namer, fn);
  if (typeof schema.additionalProperties === 'object') {
    copy.additionalProperties = mapSchema(schema.additionalProperties, namer, fn);
  }
  for (const j of JUNCTORS) {
    const list = schema[j];
    if (list) copy[j] = list.map((s) => mapSchema(s, namer, fn));
  }
  if (schema.not) copy.not = mapSchema(schema.not, namer, fn);
  return fn(copy);
}

/** apiextensions' `ToStructuralOpenAPIV2`: what kubectl's OpenAPI v2 code can cope with. */
function toV2(s: JSONSchemaProps, namer: SchemaNamer): JSONSchemaProps {
  const only = s.allOf?.length === 1 ? s.allOf[0] : undefined;
  if (!(only && namer.nameOf(only) !== undefined)) {
    delete s.allOf;
    delete s.anyOf;
    delete s.oneOf;
  }
  delete s.not;
  if (s.nullable) {
    delete s.type;
    delete s.nullable;
    delete s.items;
    delete s.properties;
  }
  if (s['x-kubernetes-preserve-unknown-fields']) {
    delete s.items;
    delete s.properties;
    if (s.type === 'object') delete s.type;
  }
  if (s.type === 'array' && s.items === undefined) delete s.type;
  const nullable = Object.entries(s.properties ?? {})
    .filter(([, p]) => p.nullable)
    .map(([k]) => k);
  if (s.required && nullable.length > 0) s.required = s.required.filter((r) => !nullable.includes(r));
  if (typeof s.additionalProperties === 'object' && s.additionalProperties.nullable) delete s.required;
  return s;
}

/** apiextensions' `Unfold` for v3: int-or-string spelled out as `anyOf`. */
function unfoldV3(s: JSONSchemaProps): JSONSchemaProps {
  if (s['x-kubernetes-int-or-string'] && !s.anyOf && !s.allOf?.some((a) => a.anyOf)) {
    s.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  return s;
}

function objectMetaRef(): JSONSchemaProps {
  return { description: OBJECT_META_DESCRIPTION, allOf: [objectMetaSchema] };
}

/** Type meta and ObjectMeta for an embedded resource (not for v2 when unknown fields are kept). */
function addEmbedded(s: JSONSchemaProps, flavor: OpenApiFlavor): JSONSchemaProps {
  if (!s['x-kubernetes-embedded-resource']) return s;
  if (flavor === 'v2' && s['x-kubernetes-preserve-unknown-fields']) return s;
  s.properties = { ...s.properties, ...typeMetaFields, metadata: objectMetaRef() };
  const required = new Set(s.required ?? []);
  s.required = [...(s.required ?? []), ...['kind', 'apiVersion'].filter((k) => !required.has(k))];
  return s;
}

export function gvkExtension(
  group: string,
  version: string,
  kind: string,
): { group: string; kind: string; version: string }[] {
  return [{ group, kind, version }];
}

/** The published schema of a kind in one version (not yet emitted). */
export function publishedKindSchema(
  kind: KindDefinition,
  version: string,
  namer: SchemaNamer,
): JSONSchemaProps {
  const gvk = gvkExtension(kind.group, version, kind.names.kind);
  const base = kind.schema;
  if (namer.flavor === 'v2' && base['x-kubernetes-preserve-unknown-fields']) {
    return { type: 'object', 'x-kubernetes-group-version-kind': gvk };
  }
  const flavor = namer.flavor;
  const shaped = mapSchema(base, namer, (s) =>
    addEmbedded(flavor === 'v2' ? toV2(s, namer) : unfoldV3(s), flavor),
  );
  const description = kind.description ?? base.description;
  return {
    ...shaped,
    ...(description !== undefined ? { description } : {}),
    type: 'object',
    properties: { ...shaped.properties, ...typeMetaFields, metadata: objectMetaRef() },
    'x-kubernetes-group-version-kind': gvk,
  };
}

/** The `<Kind>List` schema; `item` must be named in `namer` so items become a `$ref`. */
export function listKindSchema(
  kind: KindDefinition,
  version: string,
  item: JSONSchemaProps,
): JSONSchemaProps {
  return {
    description: `${kind.names.listKind} is a list of ${kind.names.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      ...typeMetaFields,
      items: {
        type: 'array',
        description: `List of ${kind.names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: item,
      },
      metadata: { description: LIST_META_DESCRIPTION, allOf: [listMetaSchema] },
    },
    'x-kubernetes-group-version-kind': gvkExtension(kind.group, version, kind.names.listKind),
  };
}

/**
 * Emits every definition `namer` has handed out a `$ref` to (and theirs, transitively) that is
 * not in `out` yet — the shared meta schemas a document's kinds depend on.
 */
export function emitReferenced(
  namer: SchemaNamer,
  out: JsonObject,
  byName: ReadonlyMap<string, JSONSchemaProps>,
): void {
  const tried = new Set(Object.keys(out));
  let pending = [...namer.used].filter((n) => !tried.has(n));
  while (pending.length > 0) {
    for (const name of pending) {
      tried.add(name);
      const schema = byName.get(name) ?? metaDefinitions[name];
      if (schema) out[name] = emitSchema(schema, namer, true);
    }
    pending = [...namer.used].filter((n) => !tried.has(n));
  }
}

/** Deep copy with object keys sorted, so documents serialize byte-for-byte the same. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as JsonObject)[key]);
  return out;
}
