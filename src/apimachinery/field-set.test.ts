import { describe, expect, it } from 'vitest';
import { FieldSet, formatFieldPath } from './field-set.js';
import { decodeManagedFields, encodeManagedFields } from './managed-fields.js';

const fieldsV1 = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } },
    'f:finalizers': { 'v:"a"': {} },
  },
};

describe('FieldSet', () => {
  it('decodes FieldsV1: "." and empty objects mark members', () => {
    const set = FieldSet.fromFieldsV1(fieldsV1);
    expect(set.paths()).toEqual([
      ['f:metadata', 'f:labels'],
      ['f:metadata', 'f:labels', 'f:app'],
      ['f:spec', 'f:finalizers', 'v:"a"'],
      ['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'],
      ['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:port'],
    ]);
    expect(set.has(['f:metadata'])).toBe(false);
  });

  it('encodes back to the same FieldsV1', () => {
    expect(FieldSet.fromFieldsV1(fieldsV1).toFieldsV1()).toEqual(fieldsV1);
  });

  it('computes union, intersection and difference on exact paths', () => {
    const a = FieldSet.of([['f:a'], ['f:b', 'f:c']]);
    const b = FieldSet.of([['f:b'], ['f:b', 'f:c'], ['f:d']]);
    expect(a.union(b).paths()).toEqual([['f:a'], ['f:b'], ['f:b', 'f:c'], ['f:d']]);
    expect(a.intersection(b).paths()).toEqual([['f:b', 'f:c']]);
    expect(b.difference(a).paths()).toEqual([['f:b'], ['f:d']]);
    expect(b.withoutSubtree(['f:b']).paths()).toEqual([['f:d']]);
  });

  const malformed: { name: string; value: unknown; message: string }[] = [
    {
      name: 'a key without prefix',
      value: { spec: {} },
      message: 'FieldsV1 key "spec" has no f:, k:, v: or i: prefix',
    },
    { name: 'a non-object node', value: { 'f:spec': 1 }, message: 'FieldsV1 at .spec must be an object' },
  ];
  it.each(malformed)('rejects $name', ({ value, message }) => {
    expect(() => FieldSet.fromFieldsV1(value)).toThrow(message);
  });
});

describe('formatFieldPath', () => {
  const cases: { path: string[]; expected: string }[] = [
    { path: ['f:spec', 'f:replicas'], expected: '.spec.replicas' },
    {
      path: ['f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'],
      expected: '.spec.containers[name="nginx"].image',
    },
    {
      path: ['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}'],
      expected: '.spec.ports[port=80,protocol="TCP"]',
    },
    { path: ['f:metadata', 'f:finalizers', 'v:"a"'], expected: '.metadata.finalizers[="a"]' },
    { path: ['f:list', 'i:3'], expected: '.list[3]' },
  ];
  it.each(cases)('$expected', ({ path, expected }) => {
    expect(formatFieldPath(path)).toBe(expected);
  });
});

describe('managedFields entries', () => {
  it('sorts Apply before Update, then by time and manager, and drops empty or unreadable entries', () => {
    const owners = decodeManagedFields([
      {
        manager: 'z',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2024-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:a': {} },
      },
      {
        manager: 'y',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2024-01-03T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:b': {} },
      },
      {
        manager: 'x',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2024-01-02T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:c': {} },
      },
      { manager: 'empty', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} },
      {
        manager: 'broken',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { bad: {} },
      },
    ]);
    expect(encodeManagedFields(owners).map((e) => e.manager)).toEqual(['x', 'y', 'z']);
  });
});
