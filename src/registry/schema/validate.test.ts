import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { validateValue } from './validate.js';

/** A whole-object schema with `field` under `spec`. */
function spec(field: string, schema: JSONSchemaProps, required?: string[]): JSONSchemaProps {
  return {
    type: 'object',
    properties: {
      spec: { type: 'object', properties: { [field]: schema }, ...(required ? { required } : {}) },
    },
  };
}

interface Case {
  name: string;
  schema: JSONSchemaProps;
  value: unknown;
  want: StatusCause[];
}

const invalid = (field: string, message: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message,
});
const typeInvalid = (field: string, message: string): StatusCause => ({
  reason: 'FieldValueTypeInvalid',
  field,
  message,
});

const cases: Case[] = [
  {
    name: 'type: string where integer',
    schema: spec('replicas', { type: 'integer' }),
    value: { spec: { replicas: 'string' } },
    want: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      ),
    ],
  },
  {
    name: 'type: fraction where integer',
    schema: spec('replicas', { type: 'integer' }),
    value: { spec: { replicas: 1.5 } },
    want: [
      typeInvalid(
        'spec.replicas',
        'Invalid value: "number": spec.replicas in body must be of type integer: "number"',
      ),
    ],
  },
  {
    name: 'type: integer where number',
    schema: spec('ratio', { type: 'number' }),
    value: { spec: { ratio: 2 } },
    want: [],
  },
  {
    name: 'type: object where array',
    schema: spec('list', { type: 'array', items: { type: 'string' } }),
    value: { spec: { list: {} } },
    want: [
      typeInvalid('spec.list', 'Invalid value: "object": spec.list in body must be of type array: "object"'),
    ],
  },
  {
    name: 'null where not nullable',
    schema: spec('name', { type: 'string' }),
    value: { spec: { name: null } },
    want: [
      typeInvalid('spec.name', 'Invalid value: "null": spec.name in body must be of type string: "null"'),
    ],
  },
  {
    name: 'null where nullable',
    schema: spec('name', { type: 'string', nullable: true }),
    value: { spec: { name: null } },
    want: [],
  },
  {
    name: 'int-or-string rejects boolean',
    schema: spec('port', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { port: true } },
    want: [
      typeInvalid(
        'spec.port',
        'Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      ),
    ],
  },
  {
    name: 'int-or-string takes a string',
    schema: spec('port', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { port: 'http' } },
    want: [],
  },
  {
    name: 'int-or-string takes an integer',
    schema: spec('port', { 'x-kubernetes-int-or-string': true }),
    value: { spec: { port: 80 } },
    want: [],
  },
  {
    name: 'required',
    schema: spec('name', { type: 'string' }, ['name']),
    value: { spec: {} },
    want: [{ reason: 'FieldValueRequired', field: 'spec.name', message: 'Required value' }],
  },
  {
    name: 'enum of strings',
    schema: spec('mode', { type: 'string', enum: ['a', 'b'] }),
    value: { spec: { mode: 'c' } },
    want: [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.mode',
        message: 'Unsupported value: "c": supported values: "a", "b"',
      },
    ],
  },
  {
    name: 'enum of numbers',
    schema: spec('n', { type: 'integer', enum: [1, 2] }),
    value: { spec: { n: 3 } },
    want: [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.n',
        message: 'Unsupported value: 3: supported values: "1", "2"',
      },
    ],
  },
  {
    name: 'const',
    schema: spec('kind', { type: 'string', const: 'Widget' }),
    value: { spec: { kind: 'Gadget' } },
    want: [
      {
        reason: 'FieldValueNotSupported',
        field: 'spec.kind',
        message: 'Unsupported value: "Gadget": supported values: "Widget"',
      },
    ],
  },
  {
    name: 'maxLength counts characters',
    schema: spec('name', { type: 'string', maxLength: 5 }),
    value: { spec: { name: 'abcdef' } },
    want: [
      { reason: 'FieldValueTooLong', field: 'spec.name', message: 'Too long: may not be longer than 5' },
    ],
  },
  {
    name: 'maxLength with multi-byte characters',
    schema: spec('name', { type: 'string', maxLength: 3 }),
    value: { spec: { name: 'äöü' } },
    want: [],
  },
  {
    name: 'minLength',
    schema: spec('name', { type: 'string', minLength: 3 }),
    value: { spec: { name: 'ab' } },
    want: [invalid('spec.name', 'Invalid value: "ab": spec.name in body should be at least 3 chars long')],
  },
  {
    name: 'pattern',
    schema: spec('name', { type: 'string', pattern: '^[a-z]+$' }),
    value: { spec: { name: 'ABC' } },
    want: [invalid('spec.name', `Invalid value: "ABC": spec.name in body should match '^[a-z]+$'`)],
  },
  {
    name: 'pattern with RE2 case flag',
    schema: spec('name', { type: 'string', pattern: '(?i)^abc$' }),
    value: { spec: { name: 'ABC' } },
    want: [],
  },
  {
    name: 'minimum',
    schema: spec('n', { type: 'integer', minimum: 1 }),
    value: { spec: { n: 0 } },
    want: [invalid('spec.n', 'Invalid value: 0: spec.n in body should be greater than or equal to 1')],
  },
  {
    name: 'exclusiveMinimum',
    schema: spec('n', { type: 'integer', minimum: 1, exclusiveMinimum: true }),
    value: { spec: { n: 1 } },
    want: [invalid('spec.n', 'Invalid value: 1: spec.n in body should be greater than 1')],
  },
  {
    name: 'maximum',
    schema: spec('n', { type: 'number', maximum: 10 }),
    value: { spec: { n: 10.5 } },
    want: [invalid('spec.n', 'Invalid value: 10.5: spec.n in body should be less than or equal to 10')],
  },
  {
    name: 'exclusiveMaximum',
    schema: spec('n', { type: 'integer', maximum: 10, exclusiveMaximum: true }),
    value: { spec: { n: 10 } },
    want: [invalid('spec.n', 'Invalid value: 10: spec.n in body should be less than 10')],
  },
  {
    name: 'multipleOf',
    schema: spec('n', { type: 'integer', multipleOf: 3 }),
    value: { spec: { n: 7 } },
    want: [invalid('spec.n', 'Invalid value: 7: spec.n in body should be a multiple of 3')],
  },
  {
    name: 'multipleOf fraction',
    schema: spec('n', { type: 'number', multipleOf: 0.1 }),
    value: { spec: { n: 0.3 } },
    want: [],
  },
  {
    name: 'minItems',
    schema: spec('list', { type: 'array', items: { type: 'string' }, minItems: 1 }),
    value: { spec: { list: [] } },
    want: [invalid('spec.list', 'Invalid value: 0: spec.list in body should have at least 1 items')],
  },
  {
    name: 'maxItems',
    schema: spec('list', { type: 'array', items: { type: 'string' }, maxItems: 2 }),
    value: { spec: { list: ['a', 'b', 'c'] } },
    want: [
      { reason: 'FieldValueTooMany', field: 'spec.list', message: 'Too many: 3: must have at most 2 items' },
    ],
  },
  {
    name: 'uniqueItems',
    schema: spec('list', { type: 'array', items: { type: 'object' }, uniqueItems: true }),
    value: { spec: { list: [{ a: 1 }, { a: 1 }] } },
    want: [invalid('spec.list', `Invalid value: "": spec.list in body shouldn't contain duplicates`)],
  },
  {
    name: 'minProperties',
    schema: spec('labels', { type: 'object', additionalProperties: { type: 'string' }, minProperties: 1 }),
    value: { spec: { labels: {} } },
    want: [invalid('spec.labels', 'Invalid value: 0: spec.labels in body should have at least 1 properties')],
  },
  {
    name: 'maxProperties',
    schema: spec('labels', { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 }),
    value: { spec: { labels: { a: 'x', b: 'y' } } },
    want: [
      {
        reason: 'FieldValueTooMany',
        field: 'spec.labels',
        message: 'Too many: 2: must have at most 1 items',
      },
    ],
  },
  {
    name: 'path into an array item',
    schema: spec('ports', {
      type: 'array',
      items: { type: 'object', properties: { port: { type: 'integer' } } },
    }),
    value: { spec: { ports: [{ port: 80 }, { port: 'http' }] } },
    want: [
      typeInvalid(
        'spec.ports[1].port',
        'Invalid value: "string": spec.ports[1].port in body must be of type integer: "string"',
      ),
    ],
  },
  {
    name: 'path into a map value',
    schema: spec('limits', { type: 'object', additionalProperties: { type: 'string' } }),
    value: { spec: { limits: { cpu: 1 } } },
    want: [
      typeInvalid(
        'spec.limits.cpu',
        'Invalid value: "integer": spec.limits.cpu in body must be of type string: "integer"',
      ),
    ],
  },
  {
    name: 'additionalProperties false',
    schema: spec('x', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: false }),
    value: { spec: { x: { a: 'ok', extra: 1 } } },
    want: [invalid('spec.x', 'Invalid value: "extra": spec.x.extra in body is a forbidden property')],
  },
  {
    name: 'allOf',
    schema: spec('n', { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] }),
    value: { spec: { n: 7 } },
    want: [
      invalid('spec.n', 'Invalid value: 7: spec.n in body should be less than or equal to 5'),
      invalid('spec.n', 'Invalid value: "": "spec.n" must validate all the schemas (allOf)'),
    ],
  },
  {
    name: 'anyOf with none matching reports the closest branch',
    schema: spec('v', { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 1 }] }),
    value: { spec: { v: 'abc' } },
    want: [
      invalid('spec.v', 'Invalid value: "": "spec.v" must validate at least one schema (anyOf)'),
      { reason: 'FieldValueTooLong', field: 'spec.v', message: 'Too long: may not be longer than 1' },
    ],
  },
  {
    name: 'anyOf with one matching',
    schema: spec('v', { anyOf: [{ type: 'integer' }, { type: 'string' }] }),
    value: { spec: { v: 'x' } },
    want: [],
  },
  {
    name: 'oneOf with two matching',
    schema: spec('v', { oneOf: [{ minimum: 0 }, { maximum: 10 }] }),
    value: { spec: { v: 5 } },
    want: [
      invalid(
        'spec.v',
        'Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found 2 valid alternatives',
      ),
    ],
  },
  {
    name: 'oneOf with none matching',
    schema: spec('v', { oneOf: [{ type: 'string' }, { type: 'boolean' }] }),
    value: { spec: { v: 5 } },
    want: [
      invalid(
        'spec.v',
        'Invalid value: "": "spec.v" must validate one and only one schema (oneOf). Found none valid',
      ),
      typeInvalid('spec.v', 'Invalid value: "integer": spec.v in body must be of type string: "integer"'),
    ],
  },
  {
    name: 'not',
    schema: spec('v', { type: 'string', not: { enum: ['forbidden'] } }),
    value: { spec: { v: 'forbidden' } },
    want: [invalid('spec.v', 'Invalid value: "": "spec.v" must not validate the schema (not)')],
  },
  {
    name: 'list-type set duplicates',
    schema: spec('tags', { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' }),
    value: { spec: { tags: ['a', 'b', 'a', 'a'] } },
    want: [{ reason: 'FieldValueDuplicate', field: 'spec.tags[2]', message: 'Duplicate value: "a"' }],
  },
  {
    name: 'list-type map duplicate keys',
    schema: spec('ports', {
      type: 'array',
      items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer' } } },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    value: {
      spec: {
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 81 },
          { name: 'https', port: 443 },
        ],
      },
    },
    want: [
      {
        reason: 'FieldValueDuplicate',
        field: 'spec.ports[1]',
        message: 'Duplicate value: map[string]interface {}{"name":"http"}',
      },
    ],
  },
  {
    name: 'list-type map with a scalar item',
    schema: spec('ports', {
      type: 'array',
      items: { 'x-kubernetes-preserve-unknown-fields': true },
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    }),
    value: { spec: { ports: ['x'] } },
    want: [invalid('spec.ports[0]', 'Invalid value: "x": must be an object for an array of list-type map')],
  },
  {
    name: 'list-type errors inside a map use key paths, after schema errors',
    schema: spec('groups', {
      type: 'object',
      additionalProperties: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    }),
    value: { spec: { groups: { a: ['x', 'x', 1] } } },
    want: [
      typeInvalid(
        'spec.groups.a[2]',
        'Invalid value: "integer": spec.groups.a[2] in body must be of type string: "integer"',
      ),
      { reason: 'FieldValueDuplicate', field: 'spec.groups[a][1]', message: 'Duplicate value: "x"' },
    ],
  },
];

describe('validateValue', () => {
  it.each(cases)('$name', ({ schema, value, want }) => {
    expect(validateValue(value, schema)).toEqual(want);
  });

  it('prefixes fields with the given path but keeps messages relative', () => {
    const schema: JSONSchemaProps = { type: 'object', properties: { replicas: { type: 'integer' } } };
    expect(validateValue({ replicas: 'x' }, schema, 'spec')).toEqual([
      typeInvalid(
        'spec.replicas',
        'Invalid value: "string": replicas in body must be of type integer: "string"',
      ),
    ]);
  });

  it('reports every problem of an object', () => {
    const schema: JSONSchemaProps = {
      type: 'object',
      required: ['spec'],
      properties: {
        spec: {
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' }, size: { type: 'integer', minimum: 0 } },
        },
      },
    };
    expect(validateValue({ spec: { size: -1 } }, schema).map((c) => c.field)).toEqual([
      'spec.size',
      'spec.name',
    ]);
    expect(validateValue({}, schema)).toEqual([
      { reason: 'FieldValueRequired', field: 'spec', message: 'Required value' },
    ]);
  });

  it('reuses compiled data for the same schema object', () => {
    const schema = spec('name', { type: 'string', pattern: '^a' });
    expect(validateValue({ spec: { name: 'abc' } }, schema)).toEqual([]);
    expect(validateValue({ spec: { name: 'xbc' } }, schema)).toHaveLength(1);
  });
});
