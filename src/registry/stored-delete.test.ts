import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeleteOptions } from '../apimachinery/index.js';
import { configMap, startRegistry, type RegistryFixture } from '../../test/support/registry-fixture.js';

let r: RegistryFixture;
beforeEach(async () => {
  r = await startRegistry({ controllers: false });
});
afterEach(async () => {
  await r.close();
});

const key = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: 'configmaps',
  namespace: 'default',
  name,
});

describe('delete', () => {
  it('removes an object without finalizers', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    const { object, deleted } = await r.configMaps.delete('default', 'a', {}, {});
    expect(deleted).toBe(true);
    expect(object.metadata.name).toBe('a');
    expect(await r.stored(key('a'))).toBeUndefined();
  });

  it('of a missing object fails with 404', async () => {
    await expect(r.configMaps.delete('default', 'a', {}, {})).rejects.toMatchObject({ code: 404 });
  });

  it('with dryRun removes nothing', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    const before = await r.store.currentRv();
    expect((await r.configMaps.delete('default', 'a', {}, { dryRun: true })).deleted).toBe(true);
    expect(await r.store.currentRv()).toBe(before);
    expect(await r.stored(key('a'))).toBeDefined();
  });

  const preconditionCases: {
    name: string;
    options: (uid: string, rv: string) => DeleteOptions;
    ok: boolean;
  }[] = [
    { name: 'matching uid', options: (uid) => ({ preconditions: { uid } }), ok: true },
    {
      name: 'matching resourceVersion',
      options: (_, rv) => ({ preconditions: { resourceVersion: rv } }),
      ok: true,
    },
    { name: 'other uid', options: () => ({ preconditions: { uid: 'another' } }), ok: false },
    {
      name: 'stale resourceVersion',
      options: () => ({ preconditions: { resourceVersion: '1' } }),
      ok: false,
    },
  ];
  it.each(preconditionCases)('preconditions: $name', async ({ options, ok }) => {
    const cm = await r.configMaps.create('default', configMap('a'), {});
    const remove = r.configMaps.delete(
      'default',
      'a',
      options(cm.metadata.uid ?? '', cm.metadata.resourceVersion ?? ''),
      {},
    );
    if (ok) {
      expect((await remove).deleted).toBe(true);
    } else {
      await expect(remove).rejects.toMatchObject({ code: 409, reason: 'Conflict' });
      expect(await r.stored(key('a'))).toBeDefined();
    }
  });

  it('rejects an unknown propagationPolicy with 400', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    const options = { propagationPolicy: 'Sideways' } as unknown as DeleteOptions;
    await expect(r.configMaps.delete('default', 'a', options, {})).rejects.toMatchObject({ code: 400 });
  });

  describe('with finalizers', () => {
    const finalizers = ['example.com/one', 'example.com/two'];

    it('only sets deletionTimestamp; the object goes when the last finalizer is removed', async () => {
      await r.configMaps.create('default', configMap('a', {}, { metadata: { finalizers } }), {});
      const { object, deleted } = await r.configMaps.delete('default', 'a', {}, {});
      expect(deleted).toBe(false);
      expect(object.metadata.deletionTimestamp).toBeDefined();
      expect(object.metadata.finalizers).toEqual(finalizers);
      expect((await r.stored(key('a')))?.metadata.deletionTimestamp).toBe(object.metadata.deletionTimestamp);

      // Deleting again changes nothing.
      const again = await r.configMaps.delete('default', 'a', {}, {});
      expect(again.object.metadata.resourceVersion).toBe(object.metadata.resourceVersion);

      const one = (
        await r.configMaps.update(
          'default',
          'a',
          { ...object, metadata: { ...object.metadata, finalizers: ['example.com/two'] } },
          {},
        )
      ).object;
      expect(one.metadata.deletionTimestamp).toBe(object.metadata.deletionTimestamp);
      expect(await r.stored(key('a'))).toBeDefined();

      await r.configMaps.update(
        'default',
        'a',
        { ...one, metadata: { ...one.metadata, finalizers: [] } },
        {},
      );
      expect(await r.stored(key('a'))).toBeUndefined();
    });

    it('removing finalizers by patch removes the object', async () => {
      await r.configMaps.create('default', configMap('a', {}, { metadata: { finalizers } }), {});
      await r.configMaps.delete('default', 'a', {}, {});
      await r.configMaps.patch('default', 'a', 'merge', { metadata: { finalizers: null } }, {});
      expect(await r.stored(key('a'))).toBeUndefined();
    });

    it('adding a finalizer while deleting fails with 422', async () => {
      await r.configMaps.create('default', configMap('a', {}, { metadata: { finalizers } }), {});
      const { object } = await r.configMaps.delete('default', 'a', {}, {});
      const body = {
        ...object,
        metadata: { ...object.metadata, finalizers: [...finalizers, 'example.com/three'] },
      };
      await expect(r.configMaps.update('default', 'a', body, {})).rejects.toMatchObject({
        code: 422,
        details: { causes: [expect.objectContaining({ field: 'metadata.finalizers' })] },
      });
    });

    it('deletionTimestamp cannot be cleared by an update', async () => {
      await r.configMaps.create('default', configMap('a', {}, { metadata: { finalizers } }), {});
      const { object } = await r.configMaps.delete('default', 'a', {}, {});
      const { deletionTimestamp: _d, ...metadata } = object.metadata;
      const { object: updated } = await r.configMaps.update(
        'default',
        'a',
        { ...object, metadata, data: { x: 'y' } },
        {},
      );
      expect(updated.metadata.deletionTimestamp).toBe(object.metadata.deletionTimestamp);
    });
  });

  it('deletecollection deletes what the selector selects', async () => {
    await r.configMaps.create('default', configMap('a', {}, { metadata: { labels: { gone: 'yes' } } }), {});
    await r.configMaps.create('default', configMap('b', {}, { metadata: { labels: { gone: 'yes' } } }), {});
    await r.configMaps.create('default', configMap('c'), {});
    const deleted = await r.configMaps.deleteCollection('default', { labelSelector: 'gone=yes' }, {}, {});
    expect(deleted.map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(await r.stored(key('a'))).toBeUndefined();
    expect(await r.stored(key('c'))).toBeDefined();
  });
});
