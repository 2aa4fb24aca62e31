/**
 * What the v2 and v3 builders share: the kinds of a document in a stable order, their published
 * schemas under Kubernetes' definition names, their paths, and the hash that names a document.
 */
import { createHash } from 'node:crypto';
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import type { KindDefinition } from '../../registry/index.js';
import { definitionName } from './definitions.js';
import { kindPaths, type PathSpec } from './operations.js';
import {
  emitReferenced,
  emitSchema,
  listKindSchema,
  publishedKindSchema,
  type JsonObject,
  type SchemaNamer,
} from './schema-emit.js';

export interface OpenApiInfo {
  title: string;
  version: string;
}

export const DEFAULT_OPENAPI_INFO: OpenApiInfo = { title: 'Lading', version: 'unversioned' };

/** Every (kind, version) pair, ordered by group, version and kind so documents are deterministic. */
export function kindVersions(
  kinds: readonly KindDefinition[],
  filter?: { group: string; version: string },
): { kind: KindDefinition; version: string }[] {
  const pairs = kinds.flatMap((kind) =>
    kind.versions
      .filter((version) => !filter || (kind.group === filter.group && version === filter.version))
      .map((version) => ({ kind, version })),
  );
  const key = (p: { kind: KindDefinition; version: string }): string =>
    `${p.kind.group}\u0000${p.version}\u0000${p.kind.names.kind}`;
  return pairs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export interface Collected {
  /** Emitted kind and list definitions; `finish` adds the shared ones referenced. */
  definitions: JsonObject;
  paths: PathSpec[];
  /** Adds every referenced shared definition; call after rendering the paths. */
  finish(): JsonObject;
}

/** Emits the kind and list definitions of `pairs` and describes their paths. */
export function collect(
  pairs: readonly { kind: KindDefinition; version: string }[],
  namer: SchemaNamer,
): Collected {
  const definitions: JsonObject = {};
  const byName = new Map<string, JSONSchemaProps>();
  const paths: PathSpec[] = [];
  for (const { kind, version } of pairs) {
    const schema = publishedKindSchema(kind, version, namer);
    const name = definitionName(kind.group, version, kind.names.kind);
    namer.name(schema, name);
    const list = listKindSchema(kind, version, schema);
    const listName = definitionName(kind.group, version, kind.names.listKind);
    namer.name(list, listName);
    byName.set(name, schema).set(listName, list);
    definitions[name] = emitSchema(schema, namer, true);
    definitions[listName] = emitSchema(list, namer, true);
    paths.push(...kindPaths(kind, version, schema, list));
  }
  return {
    definitions,
    paths,
    finish: () => {
      emitReferenced(namer, definitions, byName);
      return definitions;
    },
  };
}

/** Kubernetes' document hash: SHA-512 of the served bytes, upper-case hex. */
export function openApiHash(json: string): string {
  return createHash('sha512').update(json).digest('hex').toUpperCase();
}
