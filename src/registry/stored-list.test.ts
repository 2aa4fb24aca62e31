import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import type { ListRequest, RawList, ResourceHandler } from './handler.js';
import {
  WIDGET_RESOURCE,
  configMap,
  startRegistry,
  widget,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

let r: RegistryFixture;
beforeEach(async () => {
  r = await startRegistry({ controllers: false });
});
afterEach(async () => {
  await r.close();
});

function names(list: RawList): string[] {
  return list.items.map((json) => (JSON.parse(json) as KubeObject).metadata.name ?? '');
}

async function pages(handler: ResourceHandler, namespace: string, request: ListRequest): Promise<string[][]> {
  const result: string[][] = [];
  let token: string | undefined;
  do {
    const list = await handler.list(namespace, { ...request, ...(token ? { continue: token } : {}) });
    result.push(names(list));
    token = list.continue;
  } while (token);
  return result;
}

describe('list', () => {
  beforeEach(async () => {
    await r.createNamespace('other');
    const objects: [string, string, Record<string, string>][] = [
      ['default', 'a', { app: 'web', tier: 'front' }],
      ['default', 'b', { app: 'web', tier: 'back' }],
      ['default', 'c', { app: 'db' }],
      ['other', 'd', { app: 'web' }],
    ];
    for (const [namespace, name, labels] of objects) {
      await r.configMaps.create(namespace, configMap(name, {}, { metadata: { labels } }), {});
    }
  });

  const selectorCases: { name: string; namespace: string; request: ListRequest; expected: string[] }[] = [
    { name: 'all in a namespace', namespace: 'default', request: {}, expected: ['a', 'b', 'c'] },
    { name: 'across namespaces', namespace: '', request: {}, expected: ['a', 'b', 'c', 'd'] },
    {
      name: 'label equality',
      namespace: '',
      request: { labelSelector: 'app=web' },
      expected: ['a', 'b', 'd'],
    },
    { name: 'label set', namespace: '', request: { labelSelector: 'tier in (back)' }, expected: ['b'] },
    { name: 'label absence', namespace: 'default', request: { labelSelector: '!tier' }, expected: ['c'] },
    {
      name: 'field metadata.name',
      namespace: '',
      request: { fieldSelector: 'metadata.name=b' },
      expected: ['b'],
    },
    {
      name: 'field metadata.namespace',
      namespace: '',
      request: { fieldSelector: 'metadata.namespace!=default' },
      expected: ['d'],
    },
    {
      name: 'labels and fields together',
      namespace: '',
      request: { labelSelector: 'app=web', fieldSelector: 'metadata.name!=a' },
      expected: ['b', 'd'],
    },
  ];
  it.each(selectorCases)('selects: $name', async ({ namespace, request, expected }) => {
    expect(names(await r.configMaps.list(namespace, request))).toEqual(expected);
  });

  it('rejects an unsupported field selector with 400', async () => {
    const failure: unknown = await r.configMaps
      .list('', { fieldSelector: 'data.x=1' })
      .catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: 400 });
    expect((failure as Error).message).toContain('data.x');
  });

  it.each([
    { name: 'label selector', request: { labelSelector: 'a in (b' } },
    { name: 'field selector', request: { fieldSelector: 'metadata.name' } },
  ])('rejects a malformed $name with 400', async ({ request }) => {
    await expect(r.configMaps.list('', request)).rejects.toMatchObject({ code: 400 });
  });

  it('selects by a kind-specific field (Secret type)', async () => {
    await r.secrets.create(
      'default',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, type: 'x/y' },
      {},
    );
    await r.secrets.create('default', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2' } }, {});
    expect(names(await r.secrets.list('default', { fieldSelector: 'type=x/y' }))).toEqual(['s1']);
  });

  it("selects by a CRD's selectableFields", async () => {
    const widgets = r.handler(WIDGET_RESOURCE);
    await widgets.create('default', widget('w1', { color: 'red' }), {});
    await widgets.create('default', widget('w2', { color: 'blue' }), {});
    expect(names(await widgets.list('default', { fieldSelector: 'spec.color=blue' }))).toEqual(['w2']);
  });

  const pagingCases: { name: string; request: ListRequest; expected: string[][] }[] = [
    { name: 'limit 1', request: { limit: 1 }, expected: [['a'], ['b'], ['c'], ['d']] },
    {
      name: 'limit 2',
      request: { limit: 2 },
      expected: [
        ['a', 'b'],
        ['c', 'd'],
      ],
    },
    { name: 'limit 3', request: { limit: 3 }, expected: [['a', 'b', 'c'], ['d']] },
    { name: 'limit larger than the list', request: { limit: 10 }, expected: [['a', 'b', 'c', 'd']] },
    {
      name: 'with a selector',
      request: { limit: 1, labelSelector: 'app=web' },
      expected: [['a'], ['b'], ['d']],
    },
  ];
  it.each(pagingCases)('pages each object once, in order: $name', async ({ request, expected }) => {
    expect(await pages(r.configMaps, '', request)).toEqual(expected);
  });

  it('pages over the snapshot of the first page', async () => {
    const first = await r.configMaps.list('', { limit: 2 });
    expect(names(first)).toEqual(['a', 'b']);
    const c = await r.configMaps.get('default', 'c');
    await r.configMaps.update('default', 'c', { ...c, data: { changed: 'yes' } }, {});
    await r.configMaps.delete('other', 'd', {}, {});
    await r.configMaps.create('other', configMap('e'), {});
    await r.configMaps.create('default', configMap('bb'), {});

    const rest = await r.configMaps.list('', { limit: 2, continue: first.continue ?? '' });
    expect(rest.resourceVersion).toBe(first.resourceVersion);
    expect(names(rest)).toEqual(['c', 'd']);
    expect(rest.continue).toBeUndefined();
    const [cAtSnapshot] = rest.items.map((json) => JSON.parse(json) as KubeObject);
    expect(cAtSnapshot?.data).toEqual({});

    // A fresh list sees the new state.
    expect(names(await r.configMaps.list('', {}))).toEqual(['a', 'b', 'bb', 'c', 'e']);
  });

  it.each([
    { name: 'not base64', token: '%%%' },
    { name: 'not JSON', token: Buffer.from('nope').toString('base64url') },
    { name: 'wrong shape', token: Buffer.from('{"v":"lading/v1","rv":"x"}').toString('base64url') },
  ])('rejects a bad continue token with 400: $name', async ({ token }) => {
    await expect(r.configMaps.list('', { limit: 1, continue: token })).rejects.toMatchObject({ code: 400 });
  });

  it('rejects a continue token that the change feed no longer reaches with 410', async () => {
    const first = await r.configMaps.list('', { limit: 1 });
    await r.configMaps.create('default', configMap('z'), {});
    await r.store.compact(0);
    await r.configMaps.create('default', configMap('zz'), {});
    await r.store.compact(0);
    await expect(r.configMaps.list('', { limit: 1, continue: first.continue ?? '' })).rejects.toMatchObject({
      code: 410,
      reason: 'Expired',
    });
  });

  it('with resourceVersionMatch Exact lists the state at that resourceVersion', async () => {
    const before = await r.store.currentRv();
    const c = await r.configMaps.get('default', 'c');
    await r.configMaps.update('default', 'c', { ...c, data: { v: '2' } }, {});
    await r.configMaps.create('default', configMap('new'), {});
    const list = await r.configMaps.list('default', {
      resourceVersion: String(before),
      resourceVersionMatch: 'Exact',
    });
    expect(list.resourceVersion).toBe(String(before));
    expect(names(list)).toEqual(['a', 'b', 'c']);
    expect((JSON.parse(list.items[2] ?? '{}') as KubeObject).data).toEqual({});
    await expect(
      r.configMaps.list('default', { resourceVersion: 'x', resourceVersionMatch: 'Exact' }),
    ).rejects.toMatchObject({ code: 400 });
  });

  it('reports the store resourceVersion of the list', async () => {
    const list = await r.configMaps.list('default', {});
    expect(list.resourceVersion).toBe(String(await r.store.currentRv()));
  });
});
