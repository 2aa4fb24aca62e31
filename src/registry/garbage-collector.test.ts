import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject, OwnerReference } from '../apimachinery/index.js';
import {
  GADGET_RESOURCE,
  WIDGET_RESOURCE,
  gadgetCrd,
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

const cmKey = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: 'configmaps',
  namespace: 'default',
  name,
});
const widgetKey = (name: string): { resource: string; namespace: string; name: string } => ({
  resource: WIDGET_RESOURCE,
  namespace: 'default',
  name,
});

function ownerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
  };
}

async function owner(name: string): Promise<KubeObject> {
  return r.configMaps.create('default', configMap(name), {});
}

async function dependent(name: string, owners: KubeObject[], finalizers?: string[]): Promise<KubeObject> {
  const metadata = { ownerReferences: owners.map(ownerRef), ...(finalizers ? { finalizers } : {}) };
  return r.handler(WIDGET_RESOURCE).create('default', widget(name, {}, metadata), {});
}

async function gone(key: { resource: string; namespace: string; name: string }, what: string): Promise<void> {
  await waitFor(`${what} to be deleted`, async () =>
    (await r.stored(key)) === undefined ? true : undefined,
  );
}

/** Whether the collector's queue drains within a deadline. */
async function settled(timeoutMs = 2_000): Promise<'idle' | 'busy'> {
  let timer: NodeJS.Timeout | undefined;
  const busy = new Promise<'busy'>((resolve) => (timer = setTimeout(() => resolve('busy'), timeoutMs)));
  const result = await Promise.race([r.gc.idle().then(() => 'idle' as const), busy]);
  clearTimeout(timer);
  return result;
}

describe('garbage collector', () => {
  describe('Background', () => {
    it('deletes the dependents of a deleted owner', async () => {
      const o = await owner('owner');
      await dependent('d1', [o]);
      await dependent('d2', [o]);
      const { deleted } = await r.configMaps.delete(
        'default',
        'owner',
        { propagationPolicy: 'Background' },
        {},
      );
      expect(deleted).toBe(true);
      await gone(widgetKey('d1'), 'd1');
      await gone(widgetKey('d2'), 'd2');
    });

    it('is the default policy', async () => {
      const o = await owner('owner');
      await dependent('d', [o]);
      await r.configMaps.delete('default', 'owner', {}, {});
      await gone(widgetKey('d'), 'd');
    });

    it('only drops the reference of a dependent with another live owner', async () => {
      const o1 = await owner('o1');
      const o2 = await owner('o2');
      const orphanedOnce = await dependent('shared', [o1, o2]);
      const sole = await dependent('sole', [o1]);
      await r.configMaps.delete('default', 'o1', {}, {});
      await gone(widgetKey('sole'), 'sole');
      const shared = await waitFor('the reference to o1 to be dropped', async () => {
        const w = await r.stored(widgetKey('shared'));
        return w?.metadata.ownerReferences?.length === 1 ? w : undefined;
      });
      expect(shared.metadata.ownerReferences).toEqual([ownerRef(o2)]);
      expect(shared.metadata.uid).toBe(orphanedOnce.metadata.uid);
      expect(sole.metadata.uid).toBeDefined();
    });

    it('deletes a dependent whose other owner no longer exists', async () => {
      const o1 = await owner('o1');
      const ghost = {
        ...configMap('ghost'),
        metadata: { name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' },
      };
      await dependent('d', [o1, ghost]);
      await r.configMaps.delete('default', 'o1', {}, {});
      await gone(widgetKey('d'), 'd');
    });

    it('deletes namespaced dependents of a cluster-scoped owner', async () => {
      await r.crds.create('', gadgetCrd, {});
      const g = await r
        .handler(GADGET_RESOURCE)
        .create('', { apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' } }, {});
      await dependent('d', [g]);
      await r.handler(GADGET_RESOURCE).delete('', 'g', {}, {});
      await gone(widgetKey('d'), 'd');
    });

    it('keeps a dependent whose other owner is of a kind not served (not known to be gone)', async () => {
      const o1 = await owner('o1');
      const unknown = {
        apiVersion: 'elsewhere.example.com/v1',
        kind: 'Unserved',
        metadata: { name: 'x', uid: '11111111-1111-1111-1111-111111111111' },
      };
      await dependent('d', [o1, unknown]);
      await r.configMaps.delete('default', 'o1', {}, {});
      const d = await waitFor('the reference to o1 to be dropped', async () => {
        const w = await r.stored(widgetKey('d'));
        return w?.metadata.ownerReferences?.length === 1 ? w : undefined;
      });
      expect(d.metadata.ownerReferences?.[0]?.kind).toBe('Unserved');
    });
  });

  describe('Foreground', () => {
    it('keeps the owner with the foregroundDeletion finalizer until its dependents are gone', async () => {
      const o = await owner('owner');
      await dependent('held', [o], ['example.com/hold']);
      await dependent('free', [o]);
      const { object, deleted } = await r.configMaps.delete(
        'default',
        'owner',
        { propagationPolicy: 'Foreground' },
        {},
      );
      expect(deleted).toBe(false);
      expect(object.metadata.finalizers).toContain('foregroundDeletion');
      expect(object.metadata.deletionTimestamp).toBeDefined();

      await gone(widgetKey('free'), 'the dependent without finalizers');
      await waitFor(
        'the held dependent to be marked for deletion',
        async () => (await r.stored(widgetKey('held')))?.metadata.deletionTimestamp,
      );
      // The collector must come to rest (not keep re-marking the held dependent) while it waits.
      expect(await settled()).toBe('idle');
      const writes = await r.store.currentRv();
      expect(await settled()).toBe('idle');
      expect(await r.store.currentRv()).toBe(writes);
      const waiting = await r.stored(cmKey('owner'));
      expect(waiting?.metadata.finalizers).toEqual(['foregroundDeletion']);
      expect((await r.stored(widgetKey('held')))?.metadata.finalizers).toEqual(['example.com/hold']);

      await r
        .handler(WIDGET_RESOURCE)
        .patch('default', 'held', 'json', [{ op: 'remove', path: '/metadata/finalizers' }], {});
      await gone(widgetKey('held'), 'the held dependent');
      await gone(cmKey('owner'), 'the owner');
    });

    it('removes an owner without dependents', async () => {
      await owner('owner');
      await r.configMaps.delete('default', 'owner', { propagationPolicy: 'Foreground' }, {});
      await gone(cmKey('owner'), 'the owner');
    });
  });

  describe('Orphan', () => {
    it('removes the owner and leaves the dependents without the reference', async () => {
      const o = await owner('owner');
      const other = await owner('other');
      await dependent('d1', [o]);
      await dependent('d2', [o, other]);
      const { deleted } = await r.configMaps.delete('default', 'owner', { propagationPolicy: 'Orphan' }, {});
      expect(deleted).toBe(false);
      await gone(cmKey('owner'), 'the owner');
      await r.gc.idle();
      expect((await r.stored(widgetKey('d1')))?.metadata.ownerReferences ?? []).toEqual([]);
      expect((await r.stored(widgetKey('d2')))?.metadata.ownerReferences).toEqual([ownerRef(other)]);
    });

    it('is chosen by orphanDependents: true', async () => {
      const o = await owner('owner');
      await dependent('d', [o]);
      await r.configMaps.delete('default', 'owner', { orphanDependents: true }, {});
      await gone(cmKey('owner'), 'the owner');
      await r.gc.idle();
      expect(await r.stored(widgetKey('d'))).toBeDefined();
    });

    it('keeps an owner that has finalizers of its own until they are removed', async () => {
      const o = await r.configMaps.create(
        'default',
        configMap('owner', {}, { metadata: { finalizers: ['example.com/x'] } }),
        {},
      );
      await dependent('d', [o]);
      await r.configMaps.delete('default', 'owner', { propagationPolicy: 'Orphan' }, {});
      const released = await waitFor('the orphan finalizer to be removed', async () => {
        const current = await r.stored(cmKey('owner'));
        return current?.metadata.finalizers?.includes('orphan') === false ? current : undefined;
      });
      expect(released.metadata.finalizers).toEqual(['example.com/x']);
      expect((await r.stored(widgetKey('d')))?.metadata.ownerReferences ?? []).toEqual([]);
      await r.configMaps.patch('default', 'owner', 'merge', { metadata: { finalizers: null } }, {});
      expect(await r.stored(cmKey('owner'))).toBeUndefined();
      await r.gc.idle();
      expect(await r.stored(widgetKey('d'))).toBeDefined();
    });
  });
});

describe('garbage collector started after the fact', () => {
  let late: RegistryFixture;
  beforeEach(async () => {
    late = await startRegistry({ controllers: false });
  });
  afterEach(async () => {
    await late.close();
  });

  it('finishes deletions that happened while it was not running', async () => {
    const widgets = late.handler(WIDGET_RESOURCE);
    const gone1 = await late.configMaps.create('default', configMap('gone'), {});
    const waiting = await late.configMaps.create('default', configMap('waiting'), {});
    await widgets.create('default', widget('of-gone', {}, { ownerReferences: [ownerRef(gone1)] }), {});
    await widgets.create('default', widget('of-waiting', {}, { ownerReferences: [ownerRef(waiting)] }), {});
    await late.configMaps.delete('default', 'gone', {}, {});
    await late.configMaps.delete('default', 'waiting', { propagationPolicy: 'Foreground' }, {});
    expect(await late.stored(widgetKey('of-gone'))).toBeDefined();

    late.gc.start();
    const absent = async (key: {
      resource: string;
      namespace: string;
      name: string;
    }): Promise<true | undefined> => ((await late.stored(key)) === undefined ? true : undefined);
    await waitFor('the dependent of the deleted owner to be collected', () => absent(widgetKey('of-gone')));
    await waitFor('the dependent of the waiting owner to be collected', () =>
      absent(widgetKey('of-waiting')),
    );
    await waitFor('the waiting owner to be removed', () => absent(cmKey('waiting')));
  });
});
