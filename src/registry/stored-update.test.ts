import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
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

function withMeta(object: KubeObject, metadata: KubeObject['metadata']): KubeObject {
  return { ...object, metadata: { ...object.metadata, ...metadata } };
}

describe('update', () => {
  it('with a stale resourceVersion fails with 409 and writes nothing', async () => {
    const v1 = await r.configMaps.create('default', configMap('a', { k: '1' }), {});
    const v2 = (await r.configMaps.update('default', 'a', { ...v1, data: { k: '2' } }, {})).object;
    const before = await r.store.currentRv();
    await expect(r.configMaps.update('default', 'a', { ...v1, data: { k: '3' } }, {})).rejects.toMatchObject({
      code: 409,
      reason: 'Conflict',
    });
    expect(await r.store.currentRv()).toBe(before);
    expect(await r.configMaps.get('default', 'a')).toEqual(v2);
  });

  it('of a missing object fails with 404', async () => {
    await expect(r.configMaps.update('default', 'nope', configMap('nope'), {})).rejects.toMatchObject({
      code: 404,
    });
  });

  it('keeps uid and creationTimestamp whatever the body says', async () => {
    const v1 = await r.configMaps.create('default', configMap('a'), {});
    const body = withMeta(v1, { uid: 'forged', creationTimestamp: '2000-01-01T00:00:00Z', generation: 99 });
    const { object } = await r.configMaps.update('default', 'a', { ...body, data: { x: 'y' } }, {});
    expect(object.metadata).toMatchObject({
      uid: v1.metadata.uid,
      creationTimestamp: v1.metadata.creationTimestamp,
      generation: 2,
    });
  });

  describe('generation', () => {
    const cases: { name: string; change: (w: KubeObject) => KubeObject; generation: number }[] = [
      {
        name: 'bumps on a spec change',
        change: (w) => ({ ...w, spec: { ...(w.spec as object), color: 'red' } }),
        generation: 2,
      },
      { name: 'not on a label change', change: (w) => withMeta(w, { labels: { a: 'b' } }), generation: 1 },
      {
        name: 'not on an annotation change',
        change: (w) => withMeta(w, { annotations: { a: 'b' } }),
        generation: 1,
      },
      {
        name: 'not on a status change (ignored)',
        change: (w) => ({ ...w, status: { phase: 'X' } }),
        generation: 1,
      },
    ];
    it.each(cases)('$name', async ({ change, generation }) => {
      const widgets = r.handler(WIDGET_RESOURCE);
      const w = await widgets.create('default', widget('w', { color: 'blue' }), {});
      const { object } = await widgets.update('default', 'w', change(w), {});
      expect(object.metadata.generation).toBe(generation);
    });

    it('bumps on a data change of a kind without a spec', async () => {
      const v1 = await r.configMaps.create('default', configMap('a', { k: '1' }), {});
      const { object } = await r.configMaps.update('default', 'a', { ...v1, data: { k: '2' } }, {});
      expect(object.metadata.generation).toBe(2);
    });
  });

  describe('status subresource', () => {
    it('a main update keeps the stored status', async () => {
      const widgets = r.handler(WIDGET_RESOURCE);
      const w = await widgets.create('default', widget('w'), {});
      const withStatus = (
        await widgets.update('default', 'w', { ...w, status: { phase: 'Ready' } }, { subresource: 'status' })
      ).object;
      expect(withStatus.status).toEqual({ phase: 'Ready' });
      const { object } = await widgets.update(
        'default',
        'w',
        { ...withStatus, spec: { size: 'large' }, status: { phase: 'Overwritten' } },
        {},
      );
      expect(object.status).toEqual({ phase: 'Ready' });
      expect(object.spec).toMatchObject({ size: 'large' });
    });

    it('a /status update changes only status', async () => {
      const widgets = r.handler(WIDGET_RESOURCE);
      const w = await widgets.create('default', widget('w', { size: 'medium' }), {});
      const body = withMeta(
        { ...w, spec: { size: 'huge' }, status: { phase: 'Ready', ready: true } },
        { labels: { x: 'y' } },
      );
      const { object } = await widgets.update('default', 'w', body, { subresource: 'status' });
      expect(object.status).toEqual({ phase: 'Ready', ready: true });
      expect(object.spec).toEqual(w.spec);
      expect(object.metadata.labels).toBeUndefined();
      expect(object.metadata.generation).toBe(1);
      expect(Number(object.metadata.resourceVersion)).toBeGreaterThan(Number(w.metadata.resourceVersion));
    });
  });

  describe('immutable fields', () => {
    it('Secret type cannot change (422 at `type`)', async () => {
      const s = await r.secrets.create(
        'default',
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'example.com/one' },
        {},
      );
      const before = await r.store.currentRv();
      await expect(
        r.secrets.update('default', 's', { ...s, type: 'example.com/two' }, {}),
      ).rejects.toMatchObject({
        code: 422,
        reason: 'Invalid',
        details: { causes: [expect.objectContaining({ field: 'type' })] },
      });
      expect(await r.store.currentRv()).toBe(before);
    });

    const cases: { name: string; change: (cm: KubeObject) => KubeObject; field: string }[] = [
      { name: 'data cannot change', change: (cm) => ({ ...cm, data: { k: 'changed' } }), field: 'data' },
      { name: 'data cannot be removed', change: ({ data: _d, ...cm }) => cm, field: 'data' },
      {
        name: 'immutable cannot be unset',
        change: (cm) => ({ ...cm, immutable: false }),
        field: 'immutable',
      },
    ];
    it.each(cases)('ConfigMap with immutable: true: $name', async ({ change, field }) => {
      const cm = await r.configMaps.create('default', configMap('a', { k: 'v' }, { immutable: true }), {});
      await expect(r.configMaps.update('default', 'a', change(cm), {})).rejects.toMatchObject({
        code: 422,
        details: { causes: [expect.objectContaining({ field })] },
      });
    });

    it('ConfigMap with immutable: true still accepts metadata changes', async () => {
      const cm = await r.configMaps.create('default', configMap('a', { k: 'v' }, { immutable: true }), {});
      const { object } = await r.configMaps.update('default', 'a', withMeta(cm, { labels: { l: '1' } }), {});
      expect(object.metadata.labels).toEqual({ l: '1' });
    });
  });

  it('that changes nothing keeps the resourceVersion and writes nothing', async () => {
    const cm = await r.configMaps.create('default', configMap('a', { k: 'v' }), { fieldManager: 'm' });
    const before = await r.store.currentRv();
    const { object } = await r.configMaps.update('default', 'a', cm, { fieldManager: 'm' });
    expect(object.metadata.resourceVersion).toBe(cm.metadata.resourceVersion);
    expect(await r.store.currentRv()).toBe(before);
  });

  it('with dryRun returns the result and writes nothing', async () => {
    const cm = await r.configMaps.create('default', configMap('a', { k: 'v' }), {});
    const before = await r.store.currentRv();
    const { object } = await r.configMaps.update(
      'default',
      'a',
      { ...cm, data: { k: 'w' } },
      { dryRun: true },
    );
    expect(object.data).toEqual({ k: 'w' });
    expect(await r.store.currentRv()).toBe(before);
    expect((await r.configMaps.get('default', 'a')).data).toEqual({ k: 'v' });
  });

  it('folds Secret stringData into base64 data', async () => {
    const s = await r.secrets.create(
      'default',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } },
      {},
    );
    const { object } = await r.secrets.update(
      'default',
      's',
      { ...s, stringData: { password: 'hunter2' } },
      {},
    );
    expect(object.data).toEqual({ password: Buffer.from('hunter2').toString('base64') });
    expect(object).not.toHaveProperty('stringData');
    expect((await r.secrets.get('default', 's')).data).toEqual(object.data);
  });

  it('rejects a name that differs from the URL with 400', async () => {
    const cm = await r.configMaps.create('default', configMap('a'), {});
    await expect(r.configMaps.update('default', 'a', withMeta(cm, { name: 'b' }), {})).rejects.toMatchObject({
      code: 400,
    });
  });
});
