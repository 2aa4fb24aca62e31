import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  WIDGET_RESOURCE,
  configMap,
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

const nsKey = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: 'namespaces',
  namespace: '',
  name,
});

async function namespaceGone(name: string, timeoutMs?: number): Promise<void> {
  await waitFor(
    `namespace ${name} to be removed`,
    async () => ((await r.stored(nsKey(name))) === undefined ? true : undefined),
    timeoutMs,
  );
}

describe('namespace controller', () => {
  it('gives a new namespace phase Active and the kubernetes finalizer', async () => {
    const ns = await r.createNamespace('fresh');
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.spec).toEqual({ finalizers: ['kubernetes'] });
  });

  it('keeps spec.finalizers on an update that drops them (only the controller finalizes)', async () => {
    const ns = await r.createNamespace('kept');
    const { spec: _spec, ...body } = ns;
    const { object } = await r.namespaces.update(
      '',
      'kept',
      { ...body, metadata: { ...ns.metadata, labels: { a: 'b' } } },
      {},
    );
    expect(object.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(object.metadata.labels).toEqual({ a: 'b' });
    const patched = await r.namespaces.patch('', 'kept', 'merge', { spec: { finalizers: [] } }, {});
    expect(patched.object.spec).toEqual({ finalizers: ['kubernetes'] });

    // So deleting it still cleans it out first.
    await r.configMaps.create('kept', configMap('cm'), {});
    await r.namespaces.delete('', 'kept', {}, {});
    await namespaceGone('kept');
    expect(await r.stored({ resource: 'configmaps', namespace: 'kept', name: 'cm' })).toBeUndefined();
  });

  it('marks a deleted namespace Terminating, deletes its objects of every kind, then removes it', async () => {
    await r.createNamespace('doomed');
    await r.createNamespace('kept');
    await r.configMaps.create('doomed', configMap('cm'), {});
    await r.secrets.create('doomed', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }, {});
    await r.handler(WIDGET_RESOURCE).create('doomed', widget('w'), {});
    await r.configMaps.create('kept', configMap('cm'), {});

    const { object, deleted } = await r.namespaces.delete('', 'doomed', {}, {});
    expect(deleted).toBe(false);
    expect(object.status).toEqual({ phase: 'Terminating' });
    expect(object.metadata.deletionTimestamp).toBeDefined();

    await namespaceGone('doomed');
    for (const resource of ['configmaps', 'secrets', WIDGET_RESOURCE]) {
      expect((await r.store.list({ resource, namespace: 'doomed' })).items).toEqual([]);
    }
    expect(await r.stored({ resource: 'configmaps', namespace: 'kept', name: 'cm' })).toBeDefined();
    expect(await r.stored(nsKey('kept'))).toBeDefined();
  });

  it('removes an empty namespace', async () => {
    await r.createNamespace('empty');
    await r.namespaces.delete('', 'empty', {}, {});
    await namespaceGone('empty');
  });

  it('refuses new objects while the namespace terminates (403)', async () => {
    await r.createNamespace('held');
    await r.configMaps.create(
      'held',
      configMap('blocker', {}, { metadata: { finalizers: ['example.com/hold'] } }),
      {},
    );
    await r.namespaces.delete('', 'held', {}, {});
    await waitFor(
      'the blocker to be marked for deletion',
      async () =>
        (await r.stored({ resource: 'configmaps', namespace: 'held', name: 'blocker' }))?.metadata
          .deletionTimestamp,
    );
    await expect(r.configMaps.create('held', configMap('late'), {})).rejects.toMatchObject({
      code: 403,
      reason: 'Forbidden',
    });
    await expect(r.handler(WIDGET_RESOURCE).create('held', widget('late'), {})).rejects.toMatchObject({
      code: 403,
    });
    expect(await r.stored(nsKey('held'))).toBeDefined();

    // The namespace goes once the last object's finalizer is released.
    await r.configMaps.patch('held', 'blocker', 'merge', { metadata: { finalizers: null } }, {});
    await namespaceGone('held');
  });

  it('lets a namespace of the same name be created again afterwards', async () => {
    const first = await r.createNamespace('again');
    await r.namespaces.delete('', 'again', {}, {});
    await namespaceGone('again');
    const second = await r.createNamespace('again');
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    expect(second.status).toEqual({ phase: 'Active' });
  });

  it('finishes namespaces that were already terminating when it started', async () => {
    const late = await startRegistry({ controllers: false });
    try {
      await late.createNamespace('stuck');
      await late.configMaps.create('stuck', configMap('cm'), {});
      await late.namespaces.delete('', 'stuck', {}, {});
      expect((await late.stored(nsKey('stuck')))?.status).toEqual({ phase: 'Terminating' });
      await late.namespaceController.start();
      await waitFor('namespace stuck to be removed', async () =>
        (await late.stored(nsKey('stuck'))) === undefined ? true : undefined,
      );
      expect(await late.stored({ resource: 'configmaps', namespace: 'stuck', name: 'cm' })).toBeUndefined();
    } finally {
      await late.close();
    }
  });
});
