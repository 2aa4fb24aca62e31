import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import type { RawWatchEvent } from './handler.js';
import {
  WatchReader,
  configMap,
  waitFor,
  startRegistry,
  type RegistryFixture,
} from '../../test/support/registry-fixture.js';

let r: RegistryFixture;
const readers: WatchReader[] = [];
beforeEach(async () => {
  r = await startRegistry({ controllers: false, bookmarkIntervalMs: 20 });
});
afterEach(async () => {
  await Promise.all(readers.splice(0).map((w) => w.stop()));
  await r.close();
});

function watch(
  namespace: string,
  request: Parameters<RegistryFixture['configMaps']['watch']>[1],
): WatchReader {
  const reader = new WatchReader((signal) => r.configMaps.watch(namespace, request, signal));
  readers.push(reader);
  return reader;
}

const brief = (events: { type: string; name: string }[]): string[] =>
  events.map((e) => `${e.type} ${e.name}`);

describe('watch', () => {
  it('from now: ADDED for existing objects, then changes', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    await r.configMaps.create('default', configMap('b'), {});
    const w = watch('default', {});
    expect(brief(await w.next(2))).toEqual(['ADDED a', 'ADDED b']);
    const a = await r.configMaps.get('default', 'a');
    await r.configMaps.update('default', 'a', { ...a, data: { x: '1' } }, {});
    await r.configMaps.create('default', configMap('c'), {});
    await r.configMaps.delete('default', 'b', {}, {});
    const events = await w.next(3);
    expect(brief(events)).toEqual(['MODIFIED a', 'ADDED c', 'DELETED b']);
    expect(events[0]?.object.data).toEqual({ x: '1' });
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs).toEqual([...rvs].sort((x, y) => x - y));
  });

  it('only sees its namespace', async () => {
    await r.createNamespace('other');
    const w = watch('default', {});
    await r.configMaps.create('other', configMap('elsewhere'), {});
    await r.configMaps.create('default', configMap('here'), {});
    expect(brief(await w.next(1))).toEqual(['ADDED here']);
    expect(w.events).toHaveLength(1);
  });

  it('from a resourceVersion replays the history after it', async () => {
    const a = await r.configMaps.create('default', configMap('a'), {});
    await r.secrets.create(
      'default',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'not-a-cm' } },
      {},
    );
    await r.configMaps.update('default', 'a', { ...a, data: { v: '2' } }, {});
    await r.configMaps.create('default', configMap('b'), {});
    await r.configMaps.delete('default', 'a', {}, {});
    const w = watch('default', { resourceVersion: a.metadata.resourceVersion ?? '' });
    expect(brief(await w.next(3))).toEqual(['MODIFIED a', 'ADDED b', 'DELETED a']);
    await r.configMaps.create('default', configMap('c'), {});
    expect(brief(await w.next(1))).toEqual(['ADDED c']);
  });

  it('with a selector turns matching transitions into ADDED and DELETED', async () => {
    const cm = await r.configMaps.create(
      'default',
      configMap('x', {}, { metadata: { labels: { on: 'no' } } }),
      {},
    );
    const w = watch('default', { labelSelector: 'on=yes' });
    const relabel = async (value: string): Promise<void> => {
      const current = await r.configMaps.get('default', 'x');
      await r.configMaps.update(
        'default',
        'x',
        { ...current, metadata: { ...current.metadata, labels: { on: value } } },
        {},
      );
    };
    await relabel('yes');
    const [added] = await w.next(1);
    expect(added).toMatchObject({ type: 'ADDED', name: 'x' });
    const current = await r.configMaps.get('default', 'x');
    await r.configMaps.update('default', 'x', { ...current, data: { d: '1' } }, {});
    expect(brief(await w.next(1))).toEqual(['MODIFIED x']);
    await relabel('no');
    const [gone] = await w.next(1);
    expect(gone).toMatchObject({ type: 'DELETED', name: 'x' });
    // As Kubernetes does: the object as it last matched, at the event's resourceVersion.
    expect(gone?.object.metadata.labels).toEqual({ on: 'yes' });
    expect(Number(gone?.object.metadata.resourceVersion)).toBe(await r.store.currentRv());
    // Neither the deletion of the unmatched x nor an unmatched new object is an event; a matching
    // sentinel object is the next one.
    await r.configMaps.delete('default', 'x', {}, {});
    await r.configMaps.create('default', configMap('y'), {});
    await r.configMaps.create('default', configMap('z', {}, { metadata: { labels: { on: 'yes' } } }), {});
    expect(brief(await w.next(1))).toEqual(['ADDED z']);
    expect(w.events).toHaveLength(4);
    expect(cm.metadata.name).toBe('x');
  });

  it('from a compacted resourceVersion throws 410 Expired before any event', async () => {
    const a = await r.configMaps.create('default', configMap('a'), {});
    await r.configMaps.create('default', configMap('b'), {});
    await r.configMaps.create('default', configMap('c'), {});
    await r.store.compact(0);
    await r.configMaps.create('default', configMap('d'), {});
    expect(await r.store.oldestRv()).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const controller = new AbortController();
    const events: RawWatchEvent[] = [];
    const consume = async (): Promise<void> => {
      const rv = a.metadata.resourceVersion ?? '';
      for await (const e of r.configMaps.watch('default', { resourceVersion: rv }, controller.signal))
        events.push(e);
    };
    const timer = setTimeout(() => controller.abort(), 2_000);
    await expect(consume()).rejects.toMatchObject({ code: 410, reason: 'Expired' });
    clearTimeout(timer);
    expect(events).toEqual([]);
  });

  it('from the oldest retained resourceVersion still replays', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    await r.configMaps.create('default', configMap('b'), {});
    await r.store.compact(0);
    await r.configMaps.create('default', configMap('c'), {});
    const w = watch('default', { resourceVersion: String(await r.store.oldestRv()) });
    expect(brief(await w.next(2))).toEqual(['ADDED b', 'ADDED c']);
  });

  it('sends bookmarks when asked, carrying the latest resourceVersion', async () => {
    const w = watch('default', { allowWatchBookmarks: true });
    const cm = await r.configMaps.create('default', configMap('a'), {});
    const events = await waitForBookmark(w);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(bookmark?.object.metadata.resourceVersion)).toBeGreaterThanOrEqual(
      Number(cm.metadata.resourceVersion),
    );
  });

  it('sends no bookmarks unless asked', async () => {
    const w = watch('default', {});
    const asking = watch('default', { allowWatchBookmarks: true });
    await r.configMaps.create('default', configMap('a'), {});
    await w.next(1);
    // Time enough for two bookmarks, measured by a watch that asked for them.
    await waitFor('two bookmarks', () =>
      Promise.resolve(asking.events.filter((e) => e.type === 'BOOKMARK').length >= 2 ? true : undefined),
    );
    expect(w.events.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('with sendInitialEvents ends the initial events with a bookmark', async () => {
    await r.configMaps.create('default', configMap('a'), {});
    const w = watch('default', { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersion: '' });
    const [added, end] = await w.next(2);
    expect(added).toMatchObject({ type: 'ADDED', name: 'a' });
    expect(end?.type).toBe('BOOKMARK');
    expect(end?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });

  it('ends when the signal aborts', async () => {
    const w = watch('default', {});
    await r.configMaps.create('default', configMap('a'), {});
    await w.next(1);
    await w.stop();
    expect(w.error).toBeUndefined();
    await r.configMaps.create('default', configMap('b'), {});
    expect(w.events).toHaveLength(1);
  });

  it('ends at once when the signal was aborted before it started', async () => {
    const controller = new AbortController();
    controller.abort();
    const events: RawWatchEvent[] = [];
    const consume = (async () => {
      for await (const e of r.configMaps.watch('default', {}, controller.signal)) events.push(e);
      return 'ended';
    })();
    const timeout = new Promise((resolve) => setTimeout(() => resolve('still running'), 500));
    expect(await Promise.race([consume, timeout])).toBe('ended');
  });
});

async function waitForBookmark(w: WatchReader): Promise<{ type: string; object: KubeObject }[]> {
  for (let n = 1; n < 20; n++) {
    const events = await w.next(1);
    if (events.some((e) => e.type === 'BOOKMARK')) return events;
  }
  throw new Error('no bookmark');
}
