import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { applyDefaults, checkStructural, pruneUnknownFields, validateValue } from './index.js';

const FIXTURES = join(import.meta.dirname, '../../../../shared/fixtures');
const P = 'spec.versions[0].schema.openAPIV3Schema';

function messages(causes: readonly StatusCause[]): string[] {
  return causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`);
}

function root(properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps {
  return { type: 'object', properties, ...extra };
}

const listMap = (extra: JSONSchemaProps): JSONSchemaProps => ({
  type: 'array',
  'x-kubernetes-list-type': 'map',
  'x-kubernetes-list-map-keys': ['name'],
  items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
  ...extra,
});

const cases: { name: string; schema: JSONSchemaProps; want: string[] }[] = [
  {
    name: 'a valid schema',
    schema: root({
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } },
      spec: {
        type: 'object',
        properties: {
          port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          ports: listMap({}),
          mode: { type: 'string', default: 'a', enum: ['a', 'b'] },
        },
        anyOf: [{ required: ['port'] }, { required: ['free'] }],
      },
    }),
    want: [],
  },
  {
    name: 'field without type',
    schema: root({ spec: { properties: { a: { type: 'string' } } } }),
    want: [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`],
  },
  {
    name: 'root without type',
    schema: { properties: {} },
    want: [`${P}.type: Required value: must not be empty at the root`],
  },
  {
    name: 'items without type',
    schema: root({ list: { type: 'array', items: {} } }),
    want: [`${P}.properties[list].items.type: Required value: must not be empty for specified array items`],
  },
  {
    name: 'array without items',
    schema: root({ list: { type: 'array' } }),
    want: [`${P}.properties[list].items: Required value: must be specified`],
  },
  {
    name: 'root of another type',
    schema: { type: 'string' },
    want: [`${P}.type: Invalid value: "string": must be object at the root`],
  },
  {
    name: 'additionalProperties at the root',
    schema: { type: 'object', additionalProperties: { type: 'string' } },
    want: [`${P}.additionalProperties: Forbidden: must not be used at the root`],
  },
  {
    name: 'properties and additionalProperties together',
    schema: root({
      spec: {
        type: 'object',
        properties: { a: { type: 'string' } },
        additionalProperties: { type: 'string' },
      },
    }),
    want: [
      `${P}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ],
  },
  {
    name: 'metadata restricting more than name',
    schema: root({ metadata: { type: 'object', properties: { labels: { type: 'object' } } } }),
    want: [
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ],
  },
  {
    name: 'default in top-level metadata',
    schema: root({ metadata: { type: 'object', default: { name: 'x' } } }),
    want: [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`],
  },
  {
    name: 'kind of the wrong type',
    schema: root({ kind: { type: 'integer' } }),
    want: [`${P}.properties[kind].type: Invalid value: "integer": must be string`],
  },
  {
    name: 'type in a value validation',
    schema: root({ spec: { type: 'object', anyOf: [{ type: 'object' }] } }),
    want: [`${P}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`],
  },
  {
    name: 'description and metadata in a value validation',
    schema: root({ spec: { type: 'object', oneOf: [{ description: 'x', properties: { metadata: {} } }] } }),
    want: [
      `${P}.properties[spec].oneOf[0].description: Forbidden: must be empty to be structural`,
      `${P}.properties[spec].oneOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`,
    ],
  },
  {
    name: 'a value validation naming a field the structure lacks',
    schema: root(
      { spec: { type: 'object' } },
      { allOf: [{ properties: { spec: { properties: { foo: { minimum: 1 } } } } }] },
    ),
    want: [
      `${P}.properties[spec].properties[foo]: Required value: because it is defined in ${P}.allOf[0].properties[spec].properties[foo]`,
    ],
  },
  {
    name: 'embedded resource without type',
    schema: root({
      tmpl: { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
    }),
    want: [
      `${P}.properties[tmpl].type: Required value: must be object if x-kubernetes-embedded-resource is true`,
    ],
  },
  {
    name: 'embedded resource without properties',
    schema: root({ tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true } }),
    want: [
      `${P}.properties[tmpl].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ],
  },
  {
    name: 'int-or-string that also preserves unknown fields',
    schema: root({ v: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } }),
    want: [
      `${P}.properties[v].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    ],
  },
  {
    name: 'preserve-unknown-fields false',
    schema: root({ v: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } }),
    want: [
      `${P}.properties[v].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ],
  },
  {
    name: 'uniqueItems',
    schema: root({ v: { type: 'array', items: { type: 'string' }, uniqueItems: true } }),
    want: [
      `${P}.properties[v].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
    ],
  },
  {
    name: 'list-type on a non-array',
    schema: root({ v: { type: 'object', 'x-kubernetes-list-type': 'set' } }),
    want: [
      `${P}.properties[v].type: Invalid value: "object": must be array if x-kubernetes-list-type is specified`,
    ],
  },
  {
    name: 'list-map-keys without list-type',
    schema: root({ v: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-map-keys': ['a'] } }),
    want: [
      `${P}.properties[v].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty`,
    ],
  },
  {
    name: 'list-type map without keys',
    schema: root({ v: listMap({ 'x-kubernetes-list-map-keys': [] }) }),
    want: [
      `${P}.properties[v].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`,
    ],
  },
  {
    name: 'list-map key that is not a property',
    schema: root({ v: listMap({ 'x-kubernetes-list-map-keys': ['id'] }) }),
    want: [
      `${P}.properties[v].x-kubernetes-list-map-keys: Invalid value: []string{"id"}: entries must all be names of item properties`,
    ],
  },
  {
    name: 'list-map key neither required nor defaulted, and not scalar',
    schema: root({ v: listMap({ items: { type: 'object', properties: { name: { type: 'object' } } } }) }),
    want: [
      `${P}.properties[v].items.properties[name].type: Invalid value: "object": must be a scalar type if parent array's x-kubernetes-list-type is map`,
      `${P}.properties[v].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`,
    ],
  },
  {
    name: 'unsupported list and map types',
    schema: root({ v: { type: 'object', 'x-kubernetes-map-type': 'other' as 'atomic' } }),
    want: [
      `${P}.properties[v].x-kubernetes-map-type: Unsupported value: "other": supported values: "atomic", "granular"`,
    ],
  },
  {
    name: 'a default of the wrong type',
    schema: root({ spec: { type: 'object', properties: { n: { type: 'integer', default: 'x' } } } }),
    // Kubernetes validates the default as a value of its own, so the path in the message is empty.
    want: [
      `${P}.properties[spec].properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
    ],
  },
  {
    name: 'a default with unknown fields',
    schema: root({
      spec: { type: 'object', properties: { a: { type: 'string' } }, default: { a: 'x', b: 'y' } },
    }),
    want: [
      `${P}.properties[spec].default: Invalid value: map[string]interface {}{"a":"x", "b":"y"}: must not have unknown fields`,
    ],
  },
  {
    name: 'an empty CEL rule',
    schema: root({ spec: { type: 'object', 'x-kubernetes-validations': [{ rule: ' ' }] } }),
    want: [`${P}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`],
  },
];

describe('checkStructural', () => {
  it.each(cases)('$name', ({ schema, want }) => {
    expect(messages(checkStructural(schema, P))).toEqual(want);
  });

  it('rejects a pattern that is not a regular expression', () => {
    const got = checkStructural(root({ s: { type: 'string', pattern: '(' } }), P);
    expect(got).toHaveLength(1);
    expect(got[0]?.field).toBe(`${P}.properties[s].pattern`);
    expect(got[0]?.message).toMatch(/^Invalid value: "\(": must be a valid regular expression, but isn't: /);
  });

  it('reports structural errors sorted, like Kubernetes', () => {
    const got = messages(checkStructural(root({ b: {}, a: {} }), P));
    expect(got).toEqual([...got].sort());
    expect(got).toHaveLength(2);
  });
});

interface CrdVersion {
  file: string;
  crd: string;
  version: string;
  schema: JSONSchemaProps;
}

function crdVersions(files: readonly string[]): CrdVersion[] {
  const out: CrdVersion[] = [];
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as {
        kind?: string;
        apiVersion?: string;
        metadata?: { name?: string };
        spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: JSONSchemaProps } }[] };
      } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || crd.apiVersion !== 'apiextensions.k8s.io/v1') continue;
      for (const v of crd.spec?.versions ?? []) {
        const schema = v.schema?.openAPIV3Schema;
        if (schema) out.push({ file, crd: crd.metadata?.name ?? '', version: v.name, schema });
      }
    }
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .map((f) => join(dir, f));
}

const externalSecrets = crdVersions(yamlFiles(join(FIXTURES, 'kpt/kpt-samples/external-secrets/crds')));
const free5gc = crdVersions(yamlFiles(join(FIXTURES, 'kpt/free5gc-packages/free5gc-operator/crds')));
const certManager = crdVersions(
  yamlFiles(join(FIXTURES, 'kpt/kpt/package-examples/cert-manager-basic/crds')),
);

describe('real CRDs from the fixtures', () => {
  it('found the CRDs', () => {
    expect(externalSecrets.length).toBeGreaterThanOrEqual(7);
    expect(free5gc.length).toBe(4);
    expect(certManager.length).toBeGreaterThanOrEqual(6);
  });

  it.each(
    [...externalSecrets, ...free5gc, ...certManager].map((v) => ({ ...v, name: `${v.crd} ${v.version}` })),
  )('$name passes', ({ schema }) => {
    expect(messages(checkStructural(schema, P))).toEqual([]);
  });

  it('every apiextensions.k8s.io/v1 CRD in the fixtures passes', () => {
    const all = crdVersions(yamlFiles(join(FIXTURES, 'kpt')));
    expect(all.length).toBeGreaterThan(200);
    const failing = all
      .filter((v) => checkStructural(v.schema, P).length > 0)
      .map((v) => `${v.crd} ${v.version}`);
    expect(failing).toEqual([]);
  });

  function schemaOf(list: readonly CrdVersion[], crd: string, version: string): JSONSchemaProps {
    const found = list.find((v) => v.crd === crd && v.version === version);
    if (!found) throw new Error(`fixture ${crd} ${version} not found`);
    return found.schema;
  }

  function sample(file: string): Record<string, unknown> {
    return parseAllDocuments(readFileSync(join(FIXTURES, file), 'utf8'))[0]?.toJS() as Record<
      string,
      unknown
    >;
  }

  it.each([
    {
      name: 'ExternalSecret',
      schema: () => schemaOf(externalSecrets, 'externalsecrets.external-secrets.io', 'v1beta1'),
      file: 'kpt/kpt-samples/backstage-ui-plugin/externalsecret-openid.yaml',
    },
    {
      name: 'ClusterIssuer',
      schema: () => schemaOf(certManager, 'clusterissuers.cert-manager.io', 'v1'),
      file: 'kpt/kpt-samples/cert-issuers/letsencrypt-staging.yaml',
    },
  ])('a sample $name prunes nothing and validates', ({ schema, file }) => {
    const object = sample(file);
    expect(pruneUnknownFields(object, schema())).toEqual([]);
    applyDefaults(object, schema());
    expect(validateValue(object, schema())).toEqual([]);
  });

  it('an AMFDeployment validates, and a bad quantity is reported', () => {
    const schema = schemaOf(free5gc, 'amfdeployments.workload.nephio.org', 'v1alpha1');
    const object = {
      apiVersion: 'workload.nephio.org/v1alpha1',
      kind: 'AMFDeployment',
      metadata: { name: 'amf', namespace: 'free5gc' },
      spec: { capacity: { maxUplinkThroughput: '1G', maxDownlinkThroughput: 5, maxSessions: 1000 } },
    };
    expect(pruneUnknownFields(object, schema)).toEqual([]);
    expect(validateValue(object, schema)).toEqual([]);
    object.spec.capacity.maxUplinkThroughput = 'lots';
    expect(messages(validateValue(object, schema))).toEqual([
      expect.stringMatching(
        /^spec\.capacity\.maxUplinkThroughput: Invalid value: "lots": spec\.capacity\.maxUplinkThroughput in body should match '\^/,
      ),
    ]);
  });

  it('an ExternalSecret with a wrong type reports the Kubernetes path and message', () => {
    const schema = schemaOf(externalSecrets, 'externalsecrets.external-secrets.io', 'v1beta1');
    const object = sample('kpt/kpt-samples/backstage-ui-plugin/externalsecret-openid.yaml');
    (object['spec'] as { dataFrom: unknown[] }).dataFrom = [{ extract: { key: 7 } }];
    expect(messages(validateValue(object, schema))).toEqual([
      'spec.dataFrom[0].extract.key: Invalid value: "integer": spec.dataFrom[0].extract.key in body must be of type string: "integer"',
    ]);
  });
});
