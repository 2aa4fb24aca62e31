import { describe, expect, it } from 'vitest';
import { applyMergePatch } from './merge-patch.js';

describe('applyMergePatch', () => {
  // The examples of RFC 7386, appendix A.
  const rfcCases: { name: string; doc: unknown; patch: unknown; expected: unknown }[] = [
    { name: 'replace a value', doc: { a: 'b' }, patch: { a: 'c' }, expected: { a: 'c' } },
    { name: 'add a key', doc: { a: 'b' }, patch: { b: 'c' }, expected: { a: 'b', b: 'c' } },
    { name: 'null deletes', doc: { a: 'b' }, patch: { a: null }, expected: {} },
    { name: 'null deletes only its key', doc: { a: 'b', b: 'c' }, patch: { a: null }, expected: { b: 'c' } },
    { name: 'scalar replaces a list', doc: { a: ['b'] }, patch: { a: 'c' }, expected: { a: 'c' } },
    { name: 'list replaces a scalar', doc: { a: 'c' }, patch: { a: ['b'] }, expected: { a: ['b'] } },
    {
      name: 'nested merge',
      doc: { a: { b: 'c' } },
      patch: { a: { b: 'd', c: null } },
      expected: { a: { b: 'd' } },
    },
    {
      name: 'lists are replaced, not merged',
      doc: { a: [{ b: 'c' }] },
      patch: { a: [1] },
      expected: { a: [1] },
    },
    { name: 'list document replaced', doc: ['a', 'b'], patch: ['c', 'd'], expected: ['c', 'd'] },
    { name: 'list patch replaces an object', doc: { a: 'b' }, patch: ['c'], expected: ['c'] },
    { name: 'null patch replaces the document', doc: { a: 'foo' }, patch: null, expected: null },
    { name: 'scalar patch replaces the document', doc: { a: 'foo' }, patch: 'bar', expected: 'bar' },
    { name: 'existing nulls are kept', doc: { e: null }, patch: { a: 1 }, expected: { e: null, a: 1 } },
    {
      name: 'object patch on a list document',
      doc: [1, 2],
      patch: { a: 'b', c: null },
      expected: { a: 'b' },
    },
    {
      name: 'nulls inside new objects are dropped',
      doc: {},
      patch: { a: { bb: { ccc: null } } },
      expected: { a: { bb: {} } },
    },
  ];
  it.each(rfcCases)('$name', ({ doc, patch, expected }) => {
    expect(applyMergePatch(doc, patch)).toEqual(expected);
  });

  it('does not modify its inputs or share structure with them', () => {
    const doc = { spec: { a: { b: 1 } }, keep: { x: [1] } };
    const patch = { spec: { a: { c: 2 } } };
    const result = applyMergePatch(doc, patch) as { keep: { x: number[] } };
    expect(doc).toEqual({ spec: { a: { b: 1 } }, keep: { x: [1] } });
    expect(patch).toEqual({ spec: { a: { c: 2 } } });
    result.keep.x.push(2);
    expect(doc.keep.x).toEqual([1]);
  });

  it('treats "__proto__" as a plain key', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
  });
});
