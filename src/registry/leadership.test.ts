import { afterEach, describe, expect, it } from 'vitest';
import { LeadershipWatch } from './leadership.js';
import {
  WIDGET_RESOURCE,
  configMap,
  startRegistry,
  waitFor,
  widget,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

/**
 * The server starts its controllers before the first election result, so they start as followers
 * and must catch up with what they ignored once they lead.
 */
describe('controllers that gain leadership', () => {
  let r: RegistryFixture | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  const absent =
    (key: { resource: string; namespace: string; name: string }) => async (): Promise<true | undefined> =>
      (await r?.stored(key)) === undefined ? true : undefined;

  it('finish the work of the time they followed', async () => {
    let leading = true;
    r = await startRegistry({ isLeader: () => leading });
    await r.createNamespace('doomed');
    await r.configMaps.create('doomed', configMap('cm'), {});
    const owner = await r.configMaps.create('default', configMap('owner'), {});
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid ?? '' };
    await r
      .handler(WIDGET_RESOURCE)
      .create('default', widget('dependent', {}, { ownerReferences: [ref] }), {});

    leading = false;
    await r.namespaces.delete('', 'doomed', {}, {});
    await r.configMaps.delete('default', 'owner', {}, {});
    await r.crds.delete('', WIDGET_RESOURCE, {}, {});
    // Followers leave all of it alone.
    await r.gc.idle();
    expect((await r.stored({ resource: 'namespaces', namespace: '', name: 'doomed' }))?.status).toEqual({
      phase: 'Terminating',
    });
    expect(
      await r.stored({ resource: WIDGET_RESOURCE, namespace: 'default', name: 'dependent' }),
    ).toBeDefined();

    leading = true;
    await waitFor('the namespace to go', absent({ resource: 'namespaces', namespace: '', name: 'doomed' }));
    await waitFor(
      'the CRD to go',
      absent({
        resource: 'customresourcedefinitions.apiextensions.k8s.io',
        namespace: '',
        name: WIDGET_RESOURCE,
      }),
    );
    await waitFor(
      'the dependent to go',
      absent({ resource: WIDGET_RESOURCE, namespace: 'default', name: 'dependent' }),
    );
  });
});

describe('LeadershipWatch', () => {
  /** A probe that counts its calls, so tests can wait for checks instead of sleeping. */
  function probe(initial: boolean): { leading: boolean; checks: number; isLeader: () => boolean } {
    const state = {
      leading: initial,
      checks: 0,
      isLeader: () => {
        state.checks++;
        return state.leading;
      },
    };
    return state;
  }
  const checksPass = (state: { checks: number }, n: number): Promise<unknown> => {
    const target = state.checks + n;
    return waitFor(`${n} checks`, () => Promise.resolve(state.checks >= target ? true : undefined));
  };

  const cases: {
    name: string;
    initial: boolean;
    act: (s: { leading: boolean }, w: LeadershipWatch) => void;
    calls: number;
  }[] = [
    { name: 'leader from the start, nothing skipped', initial: true, act: () => undefined, calls: 0 },
    { name: 'follower that becomes leader', initial: false, act: (s) => (s.leading = true), calls: 1 },
    { name: 'leader that skipped work', initial: true, act: (_, w) => w.skipped(), calls: 1 },
    { name: 'follower that stays one', initial: false, act: () => undefined, calls: 0 },
  ];
  it.each(cases)('$name', async ({ initial, act, calls }) => {
    const state = probe(initial);
    let caughtUp = 0;
    const watch = new LeadershipWatch(state.isLeader, () => caughtUp++, 2);
    try {
      act(state, watch);
      await checksPass(state, 5);
      expect(caughtUp).toBe(calls);
    } finally {
      watch.stop();
    }
  });
});
