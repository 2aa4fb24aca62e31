import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.js';
import { escapeFieldValue, parseFieldSelector, unsupportedFieldLabelError } from './fields.js';

describe('parseFieldSelector', () => {
  const cases: {
    name: string;
    text: string;
    requirements: unknown[];
    canonical: string;
    fields: string[];
  }[] = [
    { name: 'empty', text: '', requirements: [], canonical: '', fields: [] },
    {
      name: 'single equality',
      text: 'metadata.name=foo',
      requirements: [{ field: 'metadata.name', operator: '=', value: 'foo' }],
      canonical: 'metadata.name=foo',
      fields: ['metadata.name'],
    },
    {
      name: 'terms are sorted by text, == prints as =',
      text: 'spec.nodeName!=,metadata.name==foo',
      requirements: [
        { field: 'metadata.name', operator: '==', value: 'foo' },
        { field: 'spec.nodeName', operator: '!=', value: '' },
      ],
      canonical: 'metadata.name=foo,spec.nodeName!=',
      fields: ['metadata.name', 'spec.nodeName'],
    },
    {
      name: 'escaped comma and equals in a value',
      text: 'metadata.name=a\\,b\\=c\\\\d',
      requirements: [{ field: 'metadata.name', operator: '=', value: 'a,b=c\\d' }],
      canonical: 'metadata.name=a\\,b\\=c\\\\d',
      fields: ['metadata.name'],
    },
    {
      name: 'empty terms are skipped; fields listed once',
      text: 'b=1,,a=2,a!=3',
      requirements: [
        { field: 'a', operator: '!=', value: '3' },
        { field: 'a', operator: '=', value: '2' },
        { field: 'b', operator: '=', value: '1' },
      ],
      canonical: 'a!=3,a=2,b=1',
      fields: ['a', 'b'],
    },
  ];
  it.each(cases)('$name', ({ text, requirements, canonical, fields }) => {
    const selector = parseFieldSelector(text);
    expect(selector.requirements).toEqual(requirements);
    expect(selector.toString()).toBe(canonical);
    expect(selector.fields()).toEqual(fields);
    expect(selector.empty).toBe(requirements.length === 0);
  });

  const errors: { name: string; text: string; message: string }[] = [
    { name: 'no operator', text: 'foo', message: "invalid selector: 'foo'; can't understand 'foo'" },
    {
      name: 'no operator in second term',
      text: 'a=b,c',
      message: "invalid selector: 'a=b,c'; can't understand 'c'",
    },
    {
      name: 'unescaped equals in value',
      text: 'a=b=c',
      message: 'invalid field selector: unescaped character in value: 61',
    },
    {
      name: 'unknown escape',
      text: 'a=b\\x',
      message: 'invalid field selector: invalid escape sequence: \\x',
    },
    {
      name: 'dangling backslash',
      text: 'a=b\\',
      message: 'invalid field selector: invalid escape sequence: \\',
    },
  ];
  it.each(errors)('rejects $name', ({ text, message }) => {
    expect(() => parseFieldSelector(text)).toThrow(BadRequestError);
    expect(() => parseFieldSelector(text)).toThrow(message);
  });
});

describe('FieldSelector.matches', () => {
  const object: Record<string, string> = { 'metadata.name': 'web', 'metadata.namespace': 'prod' };
  const get = (field: string): string | undefined => object[field];
  const cases: { name: string; text: string; expected: boolean }[] = [
    { name: 'equal', text: 'metadata.name=web', expected: true },
    { name: 'not equal value', text: 'metadata.name=db', expected: false },
    { name: '!= on a different value', text: 'metadata.name!=db', expected: true },
    { name: '!= on the same value', text: 'metadata.name!=web', expected: false },
    { name: 'missing field equals the empty string', text: 'spec.nodeName=', expected: true },
    { name: 'missing field differs from a value', text: 'spec.nodeName!=node-1', expected: true },
    { name: 'conjunction', text: 'metadata.name=web,metadata.namespace=dev', expected: false },
    { name: 'empty selector', text: '', expected: true },
  ];
  it.each(cases)('$name', ({ text, expected }) => {
    expect(parseFieldSelector(text).matches(get)).toBe(expected);
  });

  it('reports an exact-match requirement for indexed lookups', () => {
    const selector = parseFieldSelector('metadata.name==web,spec.x!=y');
    expect(selector.requiresExactMatch('metadata.name')).toBe('web');
    expect(selector.requiresExactMatch('spec.x')).toBeUndefined();
  });
});

describe('field selector helpers', () => {
  it('escapes values so that they round-trip', () => {
    const value = 'a,b=c\\d';
    expect(parseFieldSelector(`x=${escapeFieldValue(value)}`).requirements[0]?.value).toBe(value);
  });

  it('names the unsupported field', () => {
    const err = unsupportedFieldLabelError('spec.foo');
    expect(err.message).toBe('field label not supported: spec.foo');
    expect(err.code).toBe(400);
  });
});
