import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { JSONSchemaProps } from '../../apimachinery/index.js';
import type { KindDefinition } from '../../registry/index.js';
import {
  buildOpenApiV3Documents,
  buildOpenApiV3GroupVersion,
  buildOpenApiV3Index,
  openApiHash,
  openApiV3Path,
  type OpenApiV3Document,
} from './index.js';

function gadgetKind(schema?: JSONSchemaProps, verbs?: string[]): KindDefinition {
  return {
    group: 'example.com',
    versions: ['v1'],
    names: { kind: 'Gadget', listKind: 'GadgetList', plural: 'gadgets', singular: 'gadget' },
    namespaced: false,
    printerColumns: [],
    statusSubresource: true,
    crd: 'gadgets.example.com',
    ...(verbs ? { verbs } : {}),
    schema: schema ?? {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            size: { 'x-kubernetes-int-or-string': true },
            note: { type: 'string', nullable: true },
          },
        },
      },
    },
  };
}

const secretKind: KindDefinition = {
  group: '',
  versions: ['v1'],
  names: { kind: 'Secret', listKind: 'SecretList', plural: 'secrets', singular: 'secret' },
  namespaced: true,
  printerColumns: [],
  statusSubresource: false,
  schema: {
    type: 'object',
    properties: { data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } } },
  },
};

type Json = Record<string, unknown>;

/** kubectl 1.32's `supportsQueryParamV3`: the first PATCH operation for the GVK decides. */
function supportsQueryParamV3(doc: OpenApiV3Document, gvk: Json, param: string): boolean {
  for (const item of Object.values(doc.paths)) {
    const op = item['patch'] as Json | undefined;
    if (!op) continue;
    const ext = op['x-kubernetes-group-version-kind'] as Json | undefined;
    if (
      ext?.['group'] !== gvk['group'] ||
      ext?.['version'] !== gvk['version'] ||
      ext?.['kind'] !== gvk['kind']
    )
      continue;
    return ((op['parameters'] ?? []) as Json[]).some((p) => p['name'] === param);
  }
  return false;
}

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);

describe('openApiV3Path', () => {
  it.each([
    { group: '', version: 'v1', want: 'api/v1' },
    { group: 'example.com', version: 'v1', want: 'apis/example.com/v1' },
  ])('$want', ({ group, version, want }) => {
    expect(openApiV3Path(group, version)).toBe(want);
  });
});

describe('buildOpenApiV3Index', () => {
  const kinds = [gadgetKind(), secretKind];
  const index = buildOpenApiV3Index(kinds);

  it('lists one document per group-version with a content hash in its URL', () => {
    expect(Object.keys(index.paths)).toEqual(['api/v1', 'apis/example.com/v1']);
    const url = index.paths['apis/example.com/v1']?.serverRelativeURL ?? '';
    expect(url).toMatch(/^\/openapi\/v3\/apis\/example\.com\/v1\?hash=[0-9A-F]{128}$/);
    const doc = buildOpenApiV3GroupVersion(kinds, 'example.com', 'v1');
    expect(url.split('hash=')[1]).toBe(openApiHash(JSON.stringify(doc)));
  });

  it('keeps hashes stable across rebuilds and kind order, and changes them with the content', () => {
    expect(buildOpenApiV3Index([secretKind, gadgetKind()])).toEqual(index);
    const changed = buildOpenApiV3Index([
      gadgetKind({ type: 'object', properties: { spec: { type: 'object', description: 'changed' } } }),
      secretKind,
    ]);
    expect(changed.paths['apis/example.com/v1']).not.toEqual(index.paths['apis/example.com/v1']);
    expect(changed.paths['api/v1']).toEqual(index.paths['api/v1']);
  });

  it('gives documents with the JSON and hash to serve', () => {
    const docs = buildOpenApiV3Documents(kinds);
    const entry = docs.get('api/v1');
    expect(entry?.hash).toBe(openApiHash(entry?.json ?? ''));
    expect(JSON.parse(entry?.json ?? '{}')).toEqual(buildOpenApiV3GroupVersion(kinds, '', 'v1'));
  });
});

describe('buildOpenApiV3GroupVersion', () => {
  const kinds = [gadgetKind(), secretKind];
  const doc = buildOpenApiV3GroupVersion(kinds, 'example.com', 'v1', { title: 'Lading', version: 'v1.0.0' });
  const schemas = doc.components.schemas;

  it('is an OpenAPI 3.0 document of that group-version only', () => {
    expect(doc.openapi).toBe('3.0.0');
    expect(doc.info).toEqual({ title: 'Lading', version: 'v1.0.0' });
    expect(Object.keys(doc.paths).every((p) => p.startsWith('/apis/example.com/v1/'))).toBe(true);
    expect(Object.keys(schemas)).toContain('com.example.v1.Gadget');
    expect(Object.keys(schemas)).not.toContain('io.k8s.api.core.v1.Secret');
  });

  it('tags kind schemas with their group-version-kind and refers to ObjectMeta', () => {
    expect(at(schemas, 'com.example.v1.Gadget', 'x-kubernetes-group-version-kind')).toEqual([
      { group: 'example.com', kind: 'Gadget', version: 'v1' },
    ]);
    expect(at(schemas, 'com.example.v1.Gadget', 'properties', 'metadata', 'allOf')).toEqual([
      { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
    ]);
  });

  it('spells int-or-string out and keeps nullable', () => {
    const spec = at(schemas, 'com.example.v1.Gadget', 'properties', 'spec', 'properties');
    expect(at(spec, 'size')).toEqual({
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      'x-kubernetes-int-or-string': true,
    });
    expect(at(spec, 'note')).toEqual({ type: 'string', nullable: true });
  });

  it('resolves every $ref within the document', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) expect(Object.keys(schemas)).toContain(ref.replace('#/components/schemas/', ''));
  });

  it.each([
    {
      name: 'Gadget',
      doc: () => doc,
      gvk: { group: 'example.com', version: 'v1', kind: 'Gadget' },
      want: true,
    },
    {
      name: 'Secret',
      doc: () => buildOpenApiV3GroupVersion(kinds, '', 'v1'),
      gvk: { group: '', version: 'v1', kind: 'Secret' },
      want: true,
    },
    {
      name: 'a kind not in the document',
      doc: () => doc,
      gvk: { group: 'example.com', version: 'v1', kind: 'Other' },
      want: false,
    },
    {
      name: 'a kind without patch',
      doc: () => buildOpenApiV3GroupVersion([gadgetKind(undefined, ['get', 'list'])], 'example.com', 'v1'),
      gvk: { group: 'example.com', version: 'v1', kind: 'Gadget' },
      want: false,
    },
  ])('kubectl sees fieldValidation support for $name: $want', ({ doc, gvk, want }) => {
    expect(supportsQueryParamV3(doc(), gvk, 'fieldValidation')).toBe(want);
  });

  it('declares fieldValidation on every POST, PUT and PATCH operation', () => {
    let count = 0;
    for (const item of Object.values(doc.paths)) {
      for (const method of ['post', 'put', 'patch']) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        count++;
        expect(((op['parameters'] ?? []) as Json[]).map((p) => p['name'])).toContain('fieldValidation');
      }
    }
    expect(count).toBe(5);
  });

  it('declares parameters with schemas and patch bodies by content type', () => {
    const patch = at(doc.paths, '/apis/example.com/v1/gadgets/{name}', 'patch');
    expect(at(patch, 'parameters', 3)).toEqual({
      name: 'force',
      in: 'query',
      description: expect.any(String) as string,
      schema: { type: 'boolean', uniqueItems: true },
    });
    expect(Object.keys(at(patch, 'requestBody', 'content') as Json).sort()).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
    ]);
    expect(at(patch, 'requestBody', 'content', 'application/merge-patch+json', 'schema', '$ref')).toBe(
      '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
    );
    expect(at(patch, 'responses', '200', 'content', 'application/json', 'schema', '$ref')).toBe(
      '#/components/schemas/com.example.v1.Gadget',
    );
  });

  it('is empty for a group-version no kind serves', () => {
    const empty = buildOpenApiV3GroupVersion(kinds, 'nothing.example.com', 'v1');
    expect(empty.paths).toEqual({});
    expect(Object.keys(empty.components.schemas)).toEqual([]);
  });
});

describe('a real CRD', () => {
  const file = join(
    import.meta.dirname,
    '../../../../shared/fixtures/kpt/kpt-samples/external-secrets/crds/externalsecrets-external-secrets-io.yaml',
  );
  const crd = parse(readFileSync(file, 'utf8')) as {
    spec: { group: string; versions: { name: string; schema: { openAPIV3Schema: JSONSchemaProps } }[] };
  };
  const version = crd.spec.versions.find((v) => v.name === 'v1beta1');
  if (!version) throw new Error('fixture lacks v1beta1');
  const kind: KindDefinition = {
    group: crd.spec.group,
    versions: ['v1beta1'],
    names: {
      kind: 'ExternalSecret',
      listKind: 'ExternalSecretList',
      plural: 'externalsecrets',
      singular: 'externalsecret',
    },
    namespaced: true,
    printerColumns: [],
    statusSubresource: true,
    crd: 'externalsecrets.external-secrets.io',
    schema: version.schema.openAPIV3Schema,
  };

  it('publishes a complete document kubectl can use', () => {
    const doc = buildOpenApiV3GroupVersion([kind], 'external-secrets.io', 'v1beta1');
    const schemas = doc.components.schemas;
    expect(
      at(schemas, 'io.external-secrets.v1beta1.ExternalSecret', 'x-kubernetes-group-version-kind'),
    ).toEqual([{ group: 'external-secrets.io', kind: 'ExternalSecret', version: 'v1beta1' }]);
    expect(
      at(
        schemas,
        'io.external-secrets.v1beta1.ExternalSecret',
        'properties',
        'spec',
        'properties',
        'secretStoreRef',
        'required',
      ),
    ).toEqual(['name']);
    for (const ref of refsOf(doc))
      expect(Object.keys(schemas)).toContain(ref.replace('#/components/schemas/', ''));
    expect(
      supportsQueryParamV3(
        doc,
        { group: 'external-secrets.io', version: 'v1beta1', kind: 'ExternalSecret' },
        'fieldValidation',
      ),
    ).toBe(true);
  });
});
