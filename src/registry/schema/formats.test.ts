import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { validateValue } from './validate.js';

function spec(field: string, schema: JSONSchemaProps): JSONSchemaProps {
  return { type: 'object', properties: { spec: { type: 'object', properties: { [field]: schema } } } };
}

const typeInvalid = (field: string, message: string): StatusCause => ({
  reason: 'FieldValueTypeInvalid',
  field,
  message,
});

interface Case {
  name: string;
  schema: JSONSchemaProps;
  value: unknown;
  want: StatusCause[];
}

const cases: Case[] = [
  {
    name: 'format date-time',
    schema: spec('at', { type: 'string', format: 'date-time' }),
    value: { spec: { at: 'yesterday' } },
    want: [
      typeInvalid(
        'spec.at',
        'Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"',
      ),
    ],
  },
  {
    name: 'format date-time ok',
    schema: spec('at', { type: 'string', format: 'date-time' }),
    value: { spec: { at: '2024-02-29T23:59:59.5+01:00' } },
    want: [],
  },
  {
    name: 'format date rejects an impossible day',
    schema: spec('on', { type: 'string', format: 'date' }),
    value: { spec: { on: '2023-02-29' } },
    want: [
      typeInvalid(
        'spec.on',
        'Invalid value: "2023-02-29": spec.on in body must be of type date: "2023-02-29"',
      ),
    ],
  },
  {
    name: 'format ipv4',
    schema: spec('ip', { type: 'string', format: 'ipv4' }),
    value: { spec: { ip: '10.0.0.256' } },
    want: [
      typeInvalid(
        'spec.ip',
        'Invalid value: "10.0.0.256": spec.ip in body must be of type ipv4: "10.0.0.256"',
      ),
    ],
  },
  {
    name: 'format duration (Go)',
    schema: spec('d', { type: 'string', format: 'duration' }),
    value: { spec: { d: '1h30m' } },
    want: [],
  },
  {
    name: 'unknown format ignored',
    schema: spec('n', { type: 'string', format: 'k8s-short-name' }),
    value: { spec: { n: 'ANY THING' } },
    want: [],
  },
  {
    name: 'string format on integer ignored',
    schema: spec('n', { type: 'integer', format: 'uuid' }),
    value: { spec: { n: 5 } },
    want: [],
  },
  {
    name: 'format int32 range',
    schema: spec('port', { type: 'integer', format: 'int32' }),
    value: { spec: { port: 4294967296 } },
    want: [typeInvalid('spec.port', 'Invalid value: 4294967296: spec.port in body must be of type int32')],
  },
  {
    name: 'format uuid',
    schema: spec('id', { type: 'string', format: 'uuid' }),
    value: { spec: { id: 'not-a-uuid' } },
    want: [
      typeInvalid(
        'spec.id',
        'Invalid value: "not-a-uuid": spec.id in body must be of type uuid: "not-a-uuid"',
      ),
    ],
  },
  {
    name: 'format uuid upper case',
    schema: spec('id', { type: 'string', format: 'uuid' }),
    value: { spec: { id: 'A987FBC9-4BED-3078-CF07-9141BA07C9F3' } },
    want: [],
  },
  {
    name: 'format byte',
    schema: spec('b', { type: 'string', format: 'byte' }),
    value: { spec: { b: 'aGVsbG8=' } },
    want: [],
  },
  {
    name: 'format byte rejects non-base64',
    schema: spec('b', { type: 'string', format: 'byte' }),
    value: { spec: { b: 'hello!' } },
    want: [typeInvalid('spec.b', 'Invalid value: "hello!": spec.b in body must be of type byte: "hello!"')],
  },
  {
    name: 'format cidr',
    schema: spec('c', { type: 'string', format: 'cidr' }),
    value: { spec: { c: 'fd00::/64' } },
    want: [],
  },
  {
    name: 'format quantity',
    schema: spec('q', { type: 'string', format: 'quantity' }),
    value: { spec: { q: '1.5Gi' } },
    want: [],
  },
  {
    name: 'format on int-or-string applies to strings',
    schema: spec('p', { 'x-kubernetes-int-or-string': true, format: 'date' }),
    value: { spec: { p: 5 } },
    want: [],
  },
];

describe('string formats', () => {
  it.each(cases)('$name', ({ schema, value, want }) => {
    expect(validateValue(value, schema)).toEqual(want);
  });
});
