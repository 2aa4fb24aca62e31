import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import type { PatchType } from './handler.js';
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

describe('patch', () => {
  const cases: { name: string; type: PatchType; patch: unknown; data: Record<string, string> }[] = [
    {
      name: 'json patch',
      type: 'json',
      patch: [
        { op: 'add', path: '/data/b', value: '2' },
        { op: 'remove', path: '/data/a' },
      ],
      data: { b: '2' },
    },
    { name: 'merge patch', type: 'merge', patch: { data: { a: null, b: '2' } }, data: { b: '2' } },
    {
      name: 'strategic merge patch',
      type: 'strategic',
      patch: { data: { b: '2' } },
      data: { a: '1', b: '2' },
    },
  ];
  it.each(cases)('$name of a built-in kind', async ({ type, patch, data }) => {
    const cm = await r.configMaps.create('default', configMap('a', { a: '1' }), {});
    const { object, created } = await r.configMaps.patch('default', 'a', type, patch, {});
    expect(created).toBe(false);
    expect(object.data).toEqual(data);
    expect(Number(object.metadata.resourceVersion)).toBeGreaterThan(Number(cm.metadata.resourceVersion));
    expect((await r.configMaps.get('default', 'a')).data).toEqual(data);
  });

  it('merge patch of a CRD kind', async () => {
    const widgets = r.handler(WIDGET_RESOURCE);
    await widgets.create('default', widget('w', { color: 'blue' }), {});
    const { object } = await widgets.patch('default', 'w', 'merge', { spec: { color: 'red' } }, {});
    expect(object.spec).toEqual({ color: 'red', size: 'small', replicas: 1 });
    expect(object.metadata.generation).toBe(2);
  });

  it('strategic merge patch of a CRD kind fails with 415', async () => {
    const widgets = r.handler(WIDGET_RESOURCE);
    await widgets.create('default', widget('w'), {});
    await expect(
      widgets.patch('default', 'w', 'strategic', { spec: { color: 'red' } }, {}),
    ).rejects.toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
  });

  it('of a missing object fails with 404', async () => {
    await expect(r.configMaps.patch('default', 'nope', 'merge', { data: {} }, {})).rejects.toMatchObject({
      code: 404,
    });
  });

  it('retries on conflict: concurrent patches all land', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    const keys = Array.from({ length: 5 }, (_, i) => `k${i}`);
    const results = await Promise.all(
      keys.map((k) => r.configMaps.patch('default', 'a', 'merge', { data: { [k]: 'v' } }, {})),
    );
    expect(results).toHaveLength(5);
    expect(Object.keys((await r.configMaps.get('default', 'a')).data as object).sort()).toEqual(keys);
  });

  it('with metadata.resourceVersion acts as a precondition (409, no retry)', async () => {
    const v1 = await r.configMaps.create('default', configMap('a', { a: '1' }), {});
    await r.configMaps.patch('default', 'a', 'merge', { data: { a: '2' } }, {});
    const before = await r.store.currentRv();
    const stale = { metadata: { resourceVersion: v1.metadata.resourceVersion }, data: { a: '3' } };
    await expect(r.configMaps.patch('default', 'a', 'merge', stale, {})).rejects.toMatchObject({ code: 409 });
    expect(await r.store.currentRv()).toBe(before);
    const current = await r.configMaps.get('default', 'a');
    const fresh = { metadata: { resourceVersion: current.metadata.resourceVersion }, data: { a: '4' } };
    expect((await r.configMaps.patch('default', 'a', 'merge', fresh, {})).object.data).toEqual({ a: '4' });
  });

  it('that produces an invalid object fails with 422 and writes nothing', async () => {
    await r.configMaps.create('default', configMap('a', { a: '1' }), {});
    const before = await r.store.currentRv();
    await expect(
      r.configMaps.patch('default', 'a', 'merge', { data: { 'bad key!': 'x' } }, {}),
    ).rejects.toMatchObject({
      code: 422,
    });
    expect(await r.store.currentRv()).toBe(before);
  });

  describe('apply', () => {
    const applied = (data: Record<string, string>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cfg' },
      data,
    });

    it('creates the object when missing, recording the manager', async () => {
      const { object, created } = await r.configMaps.patch('default', 'cfg', 'apply', applied({ a: '1' }), {
        fieldManager: 'alice',
      });
      expect(created).toBe(true);
      expect(object.metadata.uid).toBeDefined();
      expect(object.data).toEqual({ a: '1' });
      const stored = await r.configMaps.get('default', 'cfg');
      expect(stored.metadata.managedFields).toEqual([
        expect.objectContaining({
          manager: 'alice',
          operation: 'Apply',
          fieldsV1: { 'f:data': { 'f:a': {} } },
        }),
      ]);
    });

    it('records managedFields per manager and reports conflicts unless forced', async () => {
      await r.configMaps.patch('default', 'cfg', 'apply', applied({ a: '1' }), { fieldManager: 'alice' });
      const { object } = await r.configMaps.patch('default', 'cfg', 'apply', applied({ b: '2' }), {
        fieldManager: 'bob',
      });
      expect(object.data).toEqual({ a: '1', b: '2' });
      const owners = Object.fromEntries(
        (object.metadata.managedFields ?? []).map((m) => [m.manager ?? '', m.fieldsV1 as unknown]),
      );
      expect(owners).toEqual({ alice: { 'f:data': { 'f:a': {} } }, bob: { 'f:data': { 'f:b': {} } } });

      await expect(
        r.configMaps.patch('default', 'cfg', 'apply', applied({ a: 'bob' }), { fieldManager: 'bob' }),
      ).rejects.toMatchObject({ code: 409 });
      const forced = await r.configMaps.patch('default', 'cfg', 'apply', applied({ a: 'bob' }), {
        fieldManager: 'bob',
        force: true,
      });
      // bob's apply no longer includes `b`: he gives it up, and it is removed.
      expect(forced.object.data).toEqual({ a: 'bob' });
      expect(forced.object.metadata.managedFields?.map((m) => m.manager)).toEqual(['bob']);
    });

    it('of a CRD kind applies schema defaults', async () => {
      const widgets = r.handler(WIDGET_RESOURCE);
      const { object, created } = await widgets.patch(
        'default',
        'w',
        'apply',
        widget('w', { color: 'red' }),
        {
          fieldManager: 'alice',
        },
      );
      expect(created).toBe(true);
      expect(object.spec).toEqual({ color: 'red', size: 'small', replicas: 1 });
    });

    it('with dryRun creates nothing', async () => {
      const before = await r.store.currentRv();
      const { object } = await r.configMaps.patch('default', 'cfg', 'apply', applied({ a: '1' }), {
        fieldManager: 'alice',
        dryRun: true,
      });
      expect(object.data).toEqual({ a: '1' });
      expect(await r.store.currentRv()).toBe(before);
    });
  });
});
