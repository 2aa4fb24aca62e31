/** A KindDefinition from the constants an API package declares about its kind (`apis/`). */
import type { ApiResourceInfo } from '../apis/index.js';
import type { JSONSchemaProps } from '../apimachinery/index.js';
import type { KindDefinition, Strategy } from './kind.js';

export function kindFromInfo(info: ApiResourceInfo, schema: unknown, strategy?: Strategy): KindDefinition {
  return {
    group: info.group,
    versions: info.versions,
    storageVersion: info.version,
    names: {
      kind: info.kind,
      listKind: info.listKind,
      plural: info.plural,
      singular: info.singular,
      shortNames: [...info.shortNames],
    },
    namespaced: info.namespaced,
    schema: schema as JSONSchemaProps,
    printerColumns: info.printerColumns.map((c) => ({ ...c })),
    statusSubresource: info.subresources.includes('status'),
    verbs: info.verbs,
    ...(strategy ? { strategy } : {}),
  };
}
