import { afterEach, describe, expect, it } from 'vitest';
import {
  WatchReader,
  configMap,
  startRegistry,
  waitFor,
  withFeedLoss,
  type FeedLossStore,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

/**
 * The SQLite store never loses changes; PostgreSQL's feed can (a long outage past a compaction).
 * `withFeedLoss` makes the real SQLite store behave as PostgreSQL's does then.
 */
describe('when the change feed loses changes', () => {
  let r: RegistryFixture | undefined;
  let store: FeedLossStore | undefined;
  afterEach(async () => {
    await r?.close();
  });

  async function start(): Promise<{ r: RegistryFixture; store: FeedLossStore }> {
    r = await startRegistry({
      wrapStore: (opened) => (store = withFeedLoss(opened)),
    });
    if (!store) throw new Error('store not wrapped');
    return { r, store };
  }

  it('a watch ends with 410 Expired, and a new watch gets changes again', async () => {
    const { r, store } = await start();
    const before = new WatchReader((signal) => r.configMaps.watch('default', {}, signal));
    await r.configMaps.create('default', configMap('a'), {});
    await before.next(1);
    store.dropChanges();
    await r.configMaps.create('default', configMap('lost'), {});
    store.lose();
    const error = await waitFor('the watch to fail', () => Promise.resolve(before.error));
    expect(error).toMatchObject({ code: 410, reason: 'Expired' });
    expect(before.events.map((e) => e.type)).toEqual(['ADDED']);

    const after = new WatchReader((signal) => r.configMaps.watch('default', {}, signal));
    try {
      expect((await after.next(2)).map((e) => e.name)).toEqual(['a', 'lost']);
      await r.configMaps.create('default', configMap('b'), {});
      expect(await after.next(1)).toMatchObject([{ type: 'ADDED', name: 'b' }]);
    } finally {
      await after.stop();
    }
  });

  it('controllers rescan and finish what they missed', async () => {
    const { r, store } = await start();
    await r.createNamespace('doomed');
    const owner = await r.configMaps.create('default', configMap('owner'), {});
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '' };
    await r.configMaps.create(
      'default',
      configMap('dependent', {}, { metadata: { ownerReferences: [ref] } }),
      {},
    );
    store.dropChanges();
    await r.namespaces.delete('', 'doomed', {}, {});
    await r.configMaps.delete('default', 'owner', {}, {});
    await r.gc.idle();
    expect(await r.stored({ resource: 'configmaps', namespace: 'default', name: 'dependent' })).toBeDefined();
    store.lose();
    const absent = (key: { resource: string; namespace: string; name: string }) => async () =>
      (await r.stored(key)) === undefined ? true : undefined;
    await waitFor('the namespace to go', absent({ resource: 'namespaces', namespace: '', name: 'doomed' }));
    await waitFor(
      'the dependent to go',
      absent({ resource: 'configmaps', namespace: 'default', name: 'dependent' }),
    );
  });
});
