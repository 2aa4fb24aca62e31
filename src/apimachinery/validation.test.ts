import { describe, expect, it } from 'vitest';
import type { ObjectMeta } from './object.js';
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  nameIsDNSLabel,
  validateAnnotations,
  validateDNS1123Label,
  validateDNS1123Subdomain,
  validateLabelValue,
  validateLabels,
  validateObjectMeta,
  validateQualifiedName,
} from './validation.js';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
// Kubernetes' RegexError puts two spaces before each "or"; clients see exactly this text.
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const NAME_PART_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

describe('bare rules', () => {
  const cases: { name: string; fn: (v: string) => string[]; value: string; want: string[] }[] = [
    { name: 'subdomain ok', fn: isDNS1123Subdomain, value: 'my.name-1', want: [] },
    { name: 'subdomain uppercase', fn: isDNS1123Subdomain, value: 'My_Name', want: [SUBDOMAIN_MSG] },
    { name: 'subdomain trailing dot', fn: isDNS1123Subdomain, value: 'a.', want: [SUBDOMAIN_MSG] },
    {
      name: 'subdomain too long but well formed',
      fn: isDNS1123Subdomain,
      value: 'a'.repeat(254),
      want: ['must be no more than 253 characters'],
    },
    { name: 'label ok', fn: isDNS1123Label, value: 'web-1', want: [] },
    { name: 'label with dots', fn: isDNS1123Label, value: 'a.b', want: ['must not contain dots'] },
    { name: 'label uppercase', fn: isDNS1123Label, value: 'Web', want: [LABEL_MSG] },
    {
      name: 'label too long',
      fn: isDNS1123Label,
      value: 'a'.repeat(64),
      want: ['must be no more than 63 characters'],
    },
    { name: 'qualified name plain', fn: isQualifiedName, value: 'MyName', want: [] },
    { name: 'qualified name prefixed', fn: isQualifiedName, value: 'example.com/my_name', want: [] },
    {
      name: 'qualified name empty prefix',
      fn: isQualifiedName,
      value: '/foo',
      want: ['prefix part must be non-empty'],
    },
    {
      name: 'qualified name empty name',
      fn: isQualifiedName,
      value: 'example.com/',
      want: ['name part must be non-empty', NAME_PART_MSG],
    },
    {
      name: 'qualified name bad prefix',
      fn: isQualifiedName,
      value: 'Example_com/x',
      want: [`prefix part ${SUBDOMAIN_MSG}`],
    },
    {
      name: 'qualified name too long',
      fn: isQualifiedName,
      value: 'a'.repeat(64),
      want: ['name part must be no more than 63 characters'],
    },
    { name: 'qualified name bad char', fn: isQualifiedName, value: 'bad key', want: [NAME_PART_MSG] },
    {
      name: 'qualified name two slashes',
      fn: isQualifiedName,
      value: 'a/b/c',
      want: [
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      ],
    },
    { name: 'label value empty', fn: isValidLabelValue, value: '', want: [] },
    { name: 'label value ok', fn: isValidLabelValue, value: 'v1.2_3-x', want: [] },
    { name: 'label value leading dash', fn: isValidLabelValue, value: '-x', want: [LABEL_VALUE_MSG] },
    {
      name: 'label value too long',
      fn: isValidLabelValue,
      value: 'a'.repeat(64),
      want: ['must be no more than 63 characters'],
    },
  ];
  it.each(cases)('$name', ({ fn, value, want }) => {
    expect(fn(value)).toEqual(want);
  });
});

describe('field causes', () => {
  it.each([
    {
      name: 'subdomain',
      got: validateDNS1123Subdomain('Bad', 'metadata.name'),
      want: [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.name',
          message: `Invalid value: "Bad": ${SUBDOMAIN_MSG}`,
        },
      ],
    },
    {
      name: 'label',
      got: validateDNS1123Label('a.b', 'metadata.namespace'),
      want: [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.namespace',
          message: 'Invalid value: "a.b": must not contain dots',
        },
      ],
    },
    {
      name: 'qualified name',
      got: validateQualifiedName('bad key', 'metadata.finalizers'),
      want: [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.finalizers',
          message: `Invalid value: "bad key": ${NAME_PART_MSG}`,
        },
      ],
    },
    {
      name: 'label value',
      got: validateLabelValue('-x', 'metadata.labels'),
      want: [
        {
          reason: 'FieldValueInvalid',
          field: 'metadata.labels',
          message: `Invalid value: "-x": ${LABEL_VALUE_MSG}`,
        },
      ],
    },
  ])('$name', ({ got, want }) => {
    expect(got).toEqual(want);
  });
});

describe('validateLabels', () => {
  it('accepts valid labels', () => {
    expect(validateLabels({ app: 'web', 'example.com/tier': '' }, 'metadata.labels')).toEqual([]);
  });
  it('reports bad keys and values on the labels field', () => {
    expect(validateLabels({ 'bad key': 'ok', good: 'not ok!' }, 'metadata.labels')).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "bad key": ${NAME_PART_MSG}`,
      },
      {
        reason: 'FieldValueInvalid',
        field: 'metadata.labels',
        message: `Invalid value: "not ok!": ${LABEL_VALUE_MSG}`,
      },
    ]);
  });
});

describe('validateAnnotations', () => {
  it('checks keys case-insensitively', () => {
    expect(
      validateAnnotations({ 'Example.com/Some-Key': 'anything goes: ✓' }, 'metadata.annotations'),
    ).toEqual([]);
  });
  it('rejects a bad key', () => {
    expect(validateAnnotations({ 'a/b/c': 'x' }, 'metadata.annotations').map((c) => c.field)).toEqual([
      'metadata.annotations',
    ]);
  });
  it.each([
    { name: 'at the limit', size: 256 * 1024 - 1, want: 0 },
    { name: 'over the limit', size: 256 * 1024, want: 1 },
  ])('total size $name', ({ size, want }) => {
    const causes = validateAnnotations({ k: 'x'.repeat(size) }, 'metadata.annotations');
    expect(causes).toHaveLength(want);
    if (want > 0) {
      expect(causes[0]).toEqual({
        reason: 'FieldValueTooLong',
        field: 'metadata.annotations',
        message: 'Too long: must have at most 262144 bytes',
      });
    }
  });
});

describe('validateObjectMeta', () => {
  const cases: {
    name: string;
    meta: ObjectMeta;
    namespaced: boolean;
    want: { field: string; message: string }[];
  }[] = [
    { name: 'valid namespaced', meta: { name: 'web', namespace: 'default' }, namespaced: true, want: [] },
    {
      name: 'generateName only',
      meta: { generateName: 'web-', namespace: 'ns' },
      namespaced: true,
      want: [],
    },
    {
      name: 'no name',
      meta: { namespace: 'ns' },
      namespaced: true,
      want: [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }],
    },
    {
      name: 'bad generateName',
      meta: { generateName: 'Web-' },
      namespaced: false,
      want: [{ field: 'metadata.generateName', message: `Invalid value: "Web-": ${SUBDOMAIN_MSG}` }],
    },
    {
      name: 'missing namespace',
      meta: { name: 'x' },
      namespaced: true,
      want: [{ field: 'metadata.namespace', message: 'Required value' }],
    },
    {
      name: 'namespace on cluster-scoped kind',
      meta: { name: 'x', namespace: 'ns' },
      namespaced: false,
      want: [{ field: 'metadata.namespace', message: 'Forbidden: not allowed on this type' }],
    },
    {
      name: 'bad namespace',
      meta: { name: 'x', namespace: 'a.b' },
      namespaced: true,
      want: [{ field: 'metadata.namespace', message: 'Invalid value: "a.b": must not contain dots' }],
    },
    {
      name: 'bad finalizer and label',
      meta: { name: 'x', finalizers: ['example.com/ok', 'bad key'], labels: { ok: '-' } },
      namespaced: false,
      want: [
        { field: 'metadata.labels', message: `Invalid value: "-": ${LABEL_VALUE_MSG}` },
        { field: 'metadata.finalizers', message: `Invalid value: "bad key": ${NAME_PART_MSG}` },
      ],
    },
    {
      name: 'conflicting deletion finalizers',
      meta: { name: 'x', finalizers: ['orphan', 'foregroundDeletion'] },
      namespaced: false,
      want: [
        {
          field: 'metadata.finalizers',
          message:
            'Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set',
        },
      ],
    },
    {
      name: 'incomplete owner reference',
      meta: { name: 'x', ownerReferences: [{ apiVersion: 'apps/', kind: '', name: 'o', uid: '' }] },
      namespaced: false,
      want: [
        {
          field: 'metadata.ownerReferences.apiVersion',
          message: 'Invalid value: "apps/": version must not be empty',
        },
        { field: 'metadata.ownerReferences.kind', message: 'Invalid value: "": must not be empty' },
        { field: 'metadata.ownerReferences.uid', message: 'Invalid value: "": must not be empty' },
      ],
    },
    {
      name: 'two controllers',
      meta: {
        name: 'x',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
          { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
        ],
      },
      namespaced: false,
      want: [
        {
          field: 'metadata.ownerReferences',
          message: expect.stringContaining(
            'Only one reference can have Controller set to true. Found "true" in references for A/a and B/b',
          ) as string,
        },
      ],
    },
    {
      name: 'negative generation',
      meta: { name: 'x', generation: -1 },
      namespaced: false,
      want: [
        { field: 'metadata.generation', message: 'Invalid value: -1: must be greater than or equal to 0' },
      ],
    },
  ];
  it.each(cases)('$name', ({ meta, namespaced, want }) => {
    expect(
      validateObjectMeta(meta, { namespaced }).map(({ field, message }) => ({ field, message })),
    ).toEqual(want);
  });

  it('uses the given name rule and field path', () => {
    expect(
      validateObjectMeta({ name: 'a.b' }, { namespaced: false, nameValidator: nameIsDNSLabel, field: 'm' }),
    ).toEqual([
      {
        reason: 'FieldValueInvalid',
        field: 'm.name',
        message: 'Invalid value: "a.b": must not contain dots',
      },
    ]);
  });
});
