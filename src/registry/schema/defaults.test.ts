import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import { applyDefaults } from './defaults.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer', default: 1 },
        mode: { type: 'string', default: 'fast' },
        note: { type: 'string', nullable: true, default: 'n' },
        plain: { type: 'string' },
        strategy: {
          type: 'object',
          default: {},
          properties: {
            type: { type: 'string', default: 'Rolling' },
            maxSurge: { type: 'integer', default: 25 },
          },
        },
        ports: {
          type: 'array',
          items: {
            type: 'object',
            default: { name: 'default' },
            properties: { name: { type: 'string' }, protocol: { type: 'string', default: 'TCP' } },
          },
        },
        limits: {
          type: 'object',
          additionalProperties: { type: 'object', properties: { unit: { type: 'string', default: 'Mi' } } },
        },
        guarded: { type: 'object', allOf: [{ properties: { x: { default: 1 } } }] },
      },
    },
  },
};

describe('applyDefaults', () => {
  const cases: { name: string; object: Record<string, unknown>; want: Record<string, unknown> }[] = [
    {
      name: 'missing properties get defaults, recursing into defaulted objects',
      object: { spec: {} },
      want: { spec: { replicas: 1, mode: 'fast', note: 'n', strategy: { type: 'Rolling', maxSurge: 25 } } },
    },
    {
      name: 'present values are kept',
      object: { spec: { replicas: 3, mode: 'slow', note: 'x', strategy: { type: 'Recreate' } } },
      want: { spec: { replicas: 3, mode: 'slow', note: 'x', strategy: { type: 'Recreate', maxSurge: 25 } } },
    },
    {
      name: 'a non-nullable null is defaulted, a nullable null kept, other nulls dropped',
      object: { spec: { replicas: null, note: null, plain: null } },
      want: { spec: { replicas: 1, mode: 'fast', note: null, strategy: { type: 'Rolling', maxSurge: 25 } } },
    },
    {
      name: 'array items: null items take the items default, then every item is defaulted',
      object: { spec: { ports: [{ name: 'http' }, null] } },
      want: {
        spec: {
          replicas: 1,
          mode: 'fast',
          note: 'n',
          strategy: { type: 'Rolling', maxSurge: 25 },
          ports: [
            { name: 'http', protocol: 'TCP' },
            { name: 'default', protocol: 'TCP' },
          ],
        },
      },
    },
    {
      name: 'map values are defaulted through additionalProperties',
      object: { spec: { limits: { cpu: {}, memory: { unit: 'Gi' } } } },
      want: {
        spec: {
          replicas: 1,
          mode: 'fast',
          note: 'n',
          strategy: { type: 'Rolling', maxSurge: 25 },
          limits: { cpu: { unit: 'Mi' }, memory: { unit: 'Gi' } },
        },
      },
    },
    {
      name: 'defaults under allOf are not applied',
      object: { spec: { guarded: {} } },
      want: {
        spec: {
          replicas: 1,
          mode: 'fast',
          note: 'n',
          strategy: { type: 'Rolling', maxSurge: 25 },
          guarded: {},
        },
      },
    },
    { name: 'nothing is added where the parent is missing', object: {}, want: {} },
  ];
  it.each(cases)('$name', ({ object, want }) => {
    applyDefaults(object, schema);
    expect(object).toEqual(want);
  });

  it('copies defaults instead of sharing them', () => {
    const a: Record<string, unknown> = { spec: {} };
    const b: Record<string, unknown> = { spec: {} };
    applyDefaults(a, schema);
    applyDefaults(b, schema);
    ((a['spec'] as Record<string, unknown>)['strategy'] as Record<string, unknown>)['type'] = 'changed';
    expect((b['spec'] as Record<string, Record<string, unknown>>)['strategy']?.['type']).toBe('Rolling');
    expect(schema.properties?.['spec']?.properties?.['strategy']?.default).toEqual({});
  });
});
