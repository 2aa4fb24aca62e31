import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import {
  GADGET_RESOURCE,
  WIDGET_RESOURCE,
  gadgetCrd,
  startRegistry,
  waitFor,
  widget,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

let r: RegistryFixture;
beforeEach(async () => {
  r = await startRegistry();
});
afterEach(async () => {
  await r.close();
});

const crdKey = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: 'customresourcedefinitions.apiextensions.k8s.io',
  namespace: '',
  name,
});

const widgetKey = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: WIDGET_RESOURCE,
  namespace: 'default',
  name,
});

const gadget = (name: string): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Gadget',
  metadata: { name },
  spec: { anything: { goes: true } },
});

/** gadgetCrd with its spec changed by `edit`. */
function gadgetWith(
  edit: (spec: Record<string, unknown>, version: Record<string, unknown>) => void,
): KubeObject {
  const crd = structuredClone(gadgetCrd) as unknown as KubeObject & { spec: Record<string, unknown> };
  const versions = crd.spec.versions as Record<string, unknown>[];
  edit(crd.spec, versions[0] ?? {});
  return crd;
}

describe('CRD controller', () => {
  it('serves the kind as soon as the create returns, and writes its status', async () => {
    expect(r.kinds.byGroupResource(GADGET_RESOURCE)).toBeUndefined();
    const created = await r.crds.create('', gadgetCrd, {});
    expect(created.metadata.finalizers).toEqual(['customresourcecleanup.apiextensions.k8s.io']);
    const kind = r.kinds.byGroupResource(GADGET_RESOURCE);
    expect(kind).toMatchObject({
      group: 'example.com',
      namespaced: false,
      versions: ['v1'],
      crd: GADGET_RESOURCE,
    });
    expect((await r.handler(GADGET_RESOURCE).create('', gadget('g'), {})).spec).toEqual({
      anything: { goes: true },
    });

    const crd = await r.crds.get('', GADGET_RESOURCE);
    const conditions = (crd.status as { conditions: { type: string; status: string }[] }).conditions;
    expect(conditions.map((c) => [c.type, c.status])).toEqual(
      expect.arrayContaining([
        ['NamesAccepted', 'True'],
        ['Established', 'True'],
      ]),
    );
    expect(crd.status).toMatchObject({
      acceptedNames: { plural: 'gadgets', kind: 'Gadget', listKind: 'GadgetList', singular: 'gadget' },
      storedVersions: ['v1'],
    });
  });

  it('deleting a CRD deletes its objects and stops serving the kind', async () => {
    const widgets = r.handler(WIDGET_RESOURCE);
    await widgets.create('default', widget('w1'), {});
    await widgets.create('default', widget('w2'), {});
    const { deleted } = await r.crds.delete('', WIDGET_RESOURCE, {}, {});
    expect(deleted).toBe(false);
    await waitFor('the CRD to be removed', async () =>
      (await r.stored(crdKey(WIDGET_RESOURCE))) ? undefined : true,
    );
    expect(r.kinds.byGroupResource(WIDGET_RESOURCE)).toBeUndefined();
    expect((await r.store.list({ resource: WIDGET_RESOURCE })).items).toEqual([]);
  });

  it('deleting a CRD waits for the finalizers of its objects', async () => {
    const widgets = r.handler(WIDGET_RESOURCE);
    await widgets.create('default', widget('held', {}, { finalizers: ['example.com/hold'] }), {});
    await widgets.create('default', widget('free'), {});
    await r.crds.delete('', WIDGET_RESOURCE, {}, {});
    const held = await waitFor('the held widget to be marked for deletion', async () => {
      const w = await r.stored(widgetKey('held'));
      return w?.metadata.deletionTimestamp ? w : undefined;
    });
    expect(held.metadata.finalizers).toEqual(['example.com/hold']);
    await waitFor('the free widget to be deleted', async () =>
      (await r.stored(widgetKey('free'))) ? undefined : true,
    );
    expect(await r.stored(crdKey(WIDGET_RESOURCE))).toBeDefined();
    expect(r.kinds.byGroupResource(WIDGET_RESOURCE)).toBeDefined();

    // While the CRD terminates, its kind takes no new objects.
    await expect(widgets.create('default', widget('late'), {})).rejects.toMatchObject({ code: 405 });

    await widgets.patch('default', 'held', 'merge', { metadata: { finalizers: null } }, {});
    await waitFor('the CRD to be removed', async () =>
      (await r.stored(crdKey(WIDGET_RESOURCE))) ? undefined : true,
    );
    expect(r.kinds.byGroupResource(WIDGET_RESOURCE)).toBeUndefined();
  });

  it('a CRD created again after deletion serves an empty kind', async () => {
    await r.handler(WIDGET_RESOURCE).create('default', widget('old'), {});
    const original = await r.crds.get('', WIDGET_RESOURCE);
    await r.crds.delete('', WIDGET_RESOURCE, {}, {});
    await waitFor('the CRD to be removed', async () =>
      (await r.stored(crdKey(WIDGET_RESOURCE))) ? undefined : true,
    );
    const { metadata: _m, status: _s, ...body } = original;
    await r.crds.create('', { ...body, metadata: { name: WIDGET_RESOURCE } }, {});
    expect((await r.handler(WIDGET_RESOURCE).list('', {})).items).toEqual([]);
  });

  it('an update of the schema takes effect at once', async () => {
    await r.crds.create('', gadgetCrd, {});
    const crd = await r.crds.get('', GADGET_RESOURCE);
    const spec = structuredClone(crd.spec) as { versions: { schema: { openAPIV3Schema: unknown } }[] };
    const [version] = spec.versions;
    if (!version) throw new Error('no version');
    version.schema.openAPIV3Schema = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 3 } } } },
    };
    await r.crds.update('', GADGET_RESOURCE, { ...crd, spec }, {});
    const created = await r.handler(GADGET_RESOURCE).create('', { ...gadget('g'), spec: {} }, {});
    expect(created.spec).toEqual({ size: 3 });
  });

  it('rejects a change of spec.scope with 422', async () => {
    await r.crds.create('', gadgetCrd, {});
    const crd = await r.crds.get('', GADGET_RESOURCE);
    await expect(
      r.crds.update(
        '',
        GADGET_RESOURCE,
        { ...crd, spec: { ...(crd.spec as object), scope: 'Namespaced' } },
        {},
      ),
    ).rejects.toMatchObject({
      code: 422,
      details: { causes: [expect.objectContaining({ field: 'spec.scope' })] },
    });
  });

  const invalid: { name: string; crd: KubeObject; fields: string[] }[] = [
    {
      name: 'name is not plural.group',
      crd: { ...gadgetWith(() => undefined), metadata: { name: 'wrong.example.com' } },
      fields: ['metadata.name'],
    },
    {
      name: 'no storage version',
      crd: gadgetWith((_, v) => (v.storage = false)),
      fields: ['spec.versions'],
    },
    {
      name: 'two storage versions',
      crd: gadgetWith((spec, v) => (spec.versions = [v, { ...v, name: 'v2' }])),
      fields: ['spec.versions'],
    },
    {
      name: 'no versions',
      crd: gadgetWith((spec) => (spec.versions = [])),
      fields: ['spec.versions'],
    },
    {
      name: 'non-structural schema (no type)',
      crd: gadgetWith(
        (_, v) => (v.schema = { openAPIV3Schema: { properties: { spec: { type: 'object' } } } }),
      ),
      fields: ['spec.versions[0].schema.openAPIV3Schema.type'],
    },
    {
      name: 'missing schema',
      crd: gadgetWith((_, v) => delete v.schema),
      fields: ['spec.versions[0].schema.openAPIV3Schema'],
    },
    {
      name: 'group without a dot',
      crd: { ...gadgetWith((spec) => (spec.group = 'example')), metadata: { name: 'gadgets.example' } },
      fields: ['spec.group'],
    },
    {
      name: 'plural not a DNS label',
      crd: {
        ...gadgetWith((spec) => (spec.names = { plural: 'Gad_gets', kind: 'Gadget' })),
        metadata: { name: 'Gad_gets.example.com' },
      },
      fields: ['spec.names.plural'],
    },
    {
      name: 'missing names',
      crd: gadgetWith((spec) => delete spec.names),
      fields: ['spec.names'],
    },
  ];
  it.each(invalid)('rejects an invalid CRD with 422: $name', async ({ crd, fields }) => {
    const before = await r.store.currentRv();
    const error: unknown = await r.crds.create('', crd, {}).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 422, reason: 'Invalid' });
    const causes = (error as { details: { causes: { field?: string }[] } }).details.causes.map(
      (c) => c.field,
    );
    expect(causes).toEqual(expect.arrayContaining(fields));
    expect(await r.store.currentRv()).toBe(before);
    expect(r.kinds.byGroupResource(GADGET_RESOURCE)).toBeUndefined();
  });
});

describe('a CRD with several versions', () => {
  const thingCrd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'things.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'things', kind: 'Thing' },
      versions: ['v1beta1', 'v1'].map((name) => ({
        name,
        served: true,
        storage: name === 'v1',
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', properties: { n: { type: 'integer' } } } },
          },
        },
      })),
    },
  };

  it('stores the storage version and serves each version with its apiVersion', async () => {
    await r.crds.create('', thingCrd, {});
    const kind = r.kinds.byGroupResource('things.example.com');
    if (!kind) throw new Error('kind not registered');
    expect(kind.versions).toEqual(['v1', 'v1beta1']);
    const beta = r.handlers.for(kind, 'v1beta1');
    const v1 = r.handlers.for(kind, 'v1');
    const created = await beta.create(
      'default',
      { apiVersion: 'example.com/v1beta1', kind: 'Thing', metadata: { name: 't' }, spec: { n: 1 } },
      {},
    );
    expect(created.apiVersion).toBe('example.com/v1beta1');
    expect(
      (await r.stored({ resource: 'things.example.com', namespace: 'default', name: 't' }))?.apiVersion,
    ).toBe('example.com/v1');
    expect((await v1.get('default', 't')).apiVersion).toBe('example.com/v1');
    const listed = (await beta.list('default', {})).items.map(
      (json) => (JSON.parse(json) as KubeObject).apiVersion,
    );
    expect(listed).toEqual(['example.com/v1beta1']);
    await expect(
      beta.create('default', { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'u' } }, {}),
    ).rejects.toMatchObject({ code: 400 });

    const { object } = await beta.patch('default', 't', 'merge', { spec: { n: 2 } }, {});
    expect(object.apiVersion).toBe('example.com/v1beta1');
    expect((await v1.get('default', 't')).spec).toEqual({ n: 2 });
  });
});

describe('two CRDs of one group naming the same kind', () => {
  it('deleting one stops serving its resource and leaves the other', async () => {
    const twin = structuredClone(gadgetCrd) as unknown as KubeObject & {
      spec: { names: Record<string, string> };
    };
    twin.metadata.name = 'widgetz.example.com';
    twin.spec.names = { plural: 'widgetz', kind: 'Widget' };
    await r.crds.create('', twin, {});
    expect(r.kinds.byGroupResource('widgetz.example.com')).toBeDefined();
    await r.crds.delete('', 'widgetz.example.com', {}, {});
    await waitFor('the twin CRD to be removed', async () =>
      (await r.stored(crdKey('widgetz.example.com'))) ? undefined : true,
    );
    expect(r.kinds.byGroupResource('widgetz.example.com')).toBeUndefined();
    expect(r.kinds.byGroupResource(WIDGET_RESOURCE)).toBeDefined();
  });
});
