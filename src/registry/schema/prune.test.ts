import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import { pruneUnknownFields, type PruneOptions } from './prune.js';

function root(spec: JSONSchemaProps): JSONSchemaProps {
  return { type: 'object', properties: { spec } };
}

interface Case {
  name: string;
  schema: JSONSchemaProps;
  object: Record<string, unknown>;
  options?: PruneOptions;
  removed: string[];
  after: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'nested unknown fields',
    schema: root({
      type: 'object',
      properties: {
        known: { type: 'integer' },
        nested: { type: 'object', properties: { ok: { type: 'integer' } } },
      },
    }),
    object: { spec: { known: 1, foo: 2, nested: { ok: 1, bar: { deep: true } } } },
    removed: ['spec.foo', 'spec.nested.bar'],
    after: { spec: { known: 1, nested: { ok: 1 } } },
  },
  {
    name: 'type meta and metadata of the resource are kept, unknown metadata fields are not',
    schema: root({ type: 'object' }),
    object: {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { a: 'b' }, bogus: 1 },
      status: { phase: 'x' },
      extra: 1,
    },
    removed: ['extra', 'metadata.bogus', 'status'],
    after: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', labels: { a: 'b' } } },
  },
  {
    name: 'preserve-unknown-fields keeps unknown fields but prunes inside known ones',
    schema: root({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      properties: { typed: { type: 'object', properties: { a: { type: 'integer' } } } },
    }),
    object: { spec: { anything: { deep: [1, { x: 2 }] }, typed: { a: 1, b: 2 } } },
    removed: ['spec.typed.b'],
    after: { spec: { anything: { deep: [1, { x: 2 }] }, typed: { a: 1 } } },
  },
  {
    name: 'additionalProperties schema applies to every map value',
    schema: root({
      type: 'object',
      properties: {
        map: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { v: { type: 'integer' } } },
        },
      },
    }),
    object: { spec: { map: { k1: { v: 1, junk: 2 }, k2: { v: 2 } } } },
    removed: ['spec.map.k1.junk'],
    after: { spec: { map: { k1: { v: 1 }, k2: { v: 2 } } } },
  },
  {
    name: 'array items',
    schema: root({
      type: 'object',
      properties: {
        list: { type: 'array', items: { type: 'object', properties: { a: { type: 'integer' } } } },
      },
    }),
    object: { spec: { list: [{ a: 1, z: 2 }, { a: 2 }, { y: 3 }] } },
    removed: ['spec.list[0].z', 'spec.list[2].y'],
    after: { spec: { list: [{ a: 1 }, { a: 2 }, {}] } },
  },
  {
    name: 'embedded resource keeps its type meta and metadata',
    schema: root({
      type: 'object',
      properties: {
        template: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          properties: { spec: { type: 'object', properties: { x: { type: 'integer' } } } },
        },
      },
    }),
    object: {
      spec: {
        template: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', bogus: 1 },
          spec: { x: 1, y: 2 },
          other: 3,
        },
      },
    },
    removed: ['spec.template.metadata.bogus', 'spec.template.other', 'spec.template.spec.y'],
    after: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 1 } } } },
  },
  {
    name: 'embedded resource with preserve-unknown-fields keeps everything but unknown metadata',
    schema: root({
      type: 'object',
      properties: {
        manifest: {
          type: 'object',
          'x-kubernetes-embedded-resource': true,
          'x-kubernetes-preserve-unknown-fields': true,
        },
      },
    }),
    object: {
      spec: {
        manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', x: 1 }, data: { a: 'b' } },
      },
    },
    removed: ['spec.manifest.metadata.x'],
    after: {
      spec: { manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } } },
    },
  },
  {
    name: 'a field the schema does not name is removed whole',
    schema: root({ type: 'object', properties: { list: { type: 'array', items: { type: 'string' } } } }),
    object: { spec: { list: ['a'], obj: { a: 1 } } },
    removed: ['spec.obj'],
    after: { spec: { list: ['a'] } },
  },
  {
    name: 'not a resource root: type meta is dropped silently',
    schema: { type: 'object', properties: { a: { type: 'string' } } },
    object: { apiVersion: 'v1', a: 'x', b: 'y' },
    options: { isResourceRoot: false },
    removed: ['b'],
    after: { a: 'x' },
  },
];

describe('pruneUnknownFields', () => {
  it.each(cases)('$name', ({ schema, object, options, removed, after }) => {
    expect(pruneUnknownFields(object, schema, options)).toEqual(removed);
    expect(object).toEqual(after);
  });

  it('returns sorted paths and nothing on a second run', () => {
    const schema = root({ type: 'object', properties: { a: { type: 'string' } } });
    const object = { spec: { z: 1, a: 'x', b: 2 }, y: 1 };
    expect(pruneUnknownFields(object, schema)).toEqual(['spec.b', 'spec.z', 'y']);
    expect(pruneUnknownFields(object, schema)).toEqual([]);
  });
});
