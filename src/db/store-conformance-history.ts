/** Store conformance cases for reading history: snapshot lists, the change feed, subscribe, dependents. */
import { beforeEach, describe, expect, it } from 'vitest';
import { GoneError, type KubeObject } from '../apimachinery/index.js';
import { WIDGETS, key, names, parse, record, rejection, until, widget } from './store-conformance-support.js';
import type { Store } from './store.js';

/** Registers the cases; `current()` is the fresh store of the running case. */
export function describeHistoryConformance(current: () => Store): void {
  let store: Store;
  beforeEach(() => {
    store = current();
  });

  describe('snapshot list (atRv)', () => {
    it('returns the state as of atRv', async () => {
      for (const n of ['a', 'b', 'c', 'd']) await store.create(key(n), widget(n, 'default', { v: 1 }));
      const snapshot = await store.list({ resource: WIDGETS });
      expect(snapshot.rv).toBe(4);

      await store.update(key('b'), widget('b', 'default', { v: 2 })); // modified after
      await store.update(key('b'), widget('b', 'default', { v: 3 })); // …twice
      await store.delete(key('c')); // deleted after
      await store.create(key('e'), widget('e')); // created after
      await store.delete(key('d')); // deleted and re-created after
      await store.create(key('d'), widget('d', 'default', { v: 9 }));
      await store.create(key('f'), widget('f')); // created and deleted after
      await store.delete(key('f'));
      await store.create(key('a', 'other'), widget('a', 'other')); // another namespace, after

      const atSnapshot = await store.list({ resource: WIDGETS, atRv: 4 });
      expect(atSnapshot.rv).toBe(4);
      expect(atSnapshot.items).toEqual(snapshot.items);

      const inNamespace = await store.list({ resource: WIDGETS, namespace: 'default', atRv: 4 });
      expect(inNamespace.items).toEqual(snapshot.items);

      const now = await store.list({ resource: WIDGETS });
      expect(names(now.items)).toEqual(['default/a', 'default/b', 'default/d', 'default/e', 'other/a']);
    });

    it('pages over the snapshot with after and limit', async () => {
      for (const n of ['a', 'b', 'c', 'd', 'e']) await store.create(key(n), widget(n));
      const first = await store.list({ resource: WIDGETS, limit: 2 });
      expect(names(first.items)).toEqual(['default/a', 'default/b']);
      await store.delete(key('c'));
      await store.create(key('bb'), widget('bb'));
      await store.update(key('d'), widget('d', 'default', { changed: true }));
      const second = await store.list({
        resource: WIDGETS,
        limit: 2,
        after: { namespace: 'default', name: 'b' },
        atRv: first.rv,
      });
      expect(names(second.items)).toEqual(['default/c', 'default/d']);
      expect(second.items.map((item) => item.rv)).toEqual([3, 4]);
      expect(parse(second.items[1]?.json ?? '{}').spec).toEqual({});
      const third = await store.list({
        resource: WIDGETS,
        after: { namespace: 'default', name: 'd' },
        atRv: first.rv,
      });
      expect(names(third.items)).toEqual(['default/e']);
    });
  });

  describe('change feed', () => {
    it('changesSince returns changes after an rv, in order, with the object before each write', async () => {
      await store.create(key('a'), widget('a', 'default', { v: 1 }));
      await store.update(key('a'), widget('a', 'default', { v: 2 }));
      await store.create(key('b', ''), widget('b', ''));
      await store.delete(key('a'));
      const changes = await store.changesSince(0);
      expect(changes.map((c) => [c.rv, c.type, c.key])).toEqual([
        [1, 'ADDED', key('a')],
        [2, 'MODIFIED', key('a')],
        [3, 'ADDED', key('b', '')],
        [4, 'DELETED', key('a')],
      ]);
      expect(changes[0]?.prevJson).toBeNull();
      expect(changes[1]?.prevJson).toBe(changes[0]?.json);
      expect(changes[3]?.prevJson).toBe(changes[1]?.json);
      expect(parse(changes[3]?.json ?? '{}').metadata.resourceVersion).toBe('4');
      expect((await store.changesSince(1, 2)).map((c) => c.rv)).toEqual([2, 3]);
      expect(await store.changesSince(4)).toEqual([]);
    });

    it('compaction drops old changes, keeps the newest, and answers Gone before it', async () => {
      for (const n of ['a', 'b', 'c', 'd']) await store.create(key(n), widget(n));
      await store.compact(60_000); // nothing is a minute old
      expect(await store.oldestRv()).toBe(0);
      expect(await store.changesSince(0)).toHaveLength(4);

      await store.compact(0);
      expect(await store.oldestRv()).toBe(3);
      expect((await store.changesSince(3)).map((c) => c.rv)).toEqual([4]);
      const gone = await rejection(store.changesSince(2));
      expect(gone).toBeInstanceOf(GoneError);
      expect(gone.message).toBe('too old resource version: 2 (3)');
      expect(await rejection(store.list({ resource: WIDGETS, atRv: 2 }))).toBeInstanceOf(GoneError);
      expect(names((await store.list({ resource: WIDGETS, atRv: 3 })).items)).toHaveLength(3);

      await store.compact(0); // idempotent: the newest change stays
      expect(await store.oldestRv()).toBe(3);
      await store.create(key('e'), widget('e'));
      expect((await store.changesSince(3)).map((c) => c.rv)).toEqual([4, 5]);
      expect(await store.currentRv()).toBe(5);
    });

    it('compaction of an empty store does nothing', async () => {
      await store.compact(0);
      expect(await store.oldestRv()).toBe(0);
      expect(await store.currentRv()).toBe(0);
    });
  });

  describe('subscribe', () => {
    it('delivers concurrent writes exactly once each, in rv order, to every listener', async () => {
      const first = record(store);
      const second = record(store);
      const created = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.create(key(`w${i}`), widget(`w${i}`))),
      );
      await until(() => first.changes.length >= 200 && second.changes.length >= 200);
      await new Promise((resolve) => setTimeout(resolve, 50)); // nothing extra arrives
      expect(first.changes).toHaveLength(200);
      expect(second.changes.map((c) => c.rv)).toEqual(first.changes.map((c) => c.rv));
      expect(first.changes.map((c) => c.rv)).toEqual(created.map((c) => c.rv).sort((a, b) => a - b));
      for (const change of first.changes) expect(change.type).toBe('ADDED');
      first.stop();
      second.stop();
    });

    it('delivers each kind of change with the object before it', async () => {
      const { changes, stop } = record(store);
      await store.create(key('a'), widget('a'));
      await store.update(key('a'), widget('a', 'default', { v: 2 }));
      await store.delete(key('a'));
      await until(() => changes.length >= 3);
      expect(changes).toEqual(await store.changesSince(0));
      stop();
    });

    it('stops delivering after unsubscribe, and a throwing listener does not stop the others', async () => {
      const kept = record(store);
      const dropped = record(store);
      const thrower = store.subscribe(() => {
        throw new Error('listener bug (expected in this test)');
      });
      await store.create(key('a'), widget('a'));
      await until(() => kept.changes.length === 1 && dropped.changes.length === 1);
      dropped.stop();
      thrower();
      await store.create(key('b'), widget('b'));
      await until(() => kept.changes.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(dropped.changes).toHaveLength(1);
      kept.stop();
    });

    it('keeps rv order when a listener writes from its callback', async () => {
      const { changes, stop } = record(store);
      const reactor = store.subscribe((batch) => {
        for (const change of batch) {
          if (change.type === 'ADDED' && !change.key.name.endsWith('-child')) {
            void store.create(key(`${change.key.name}-child`), widget(`${change.key.name}-child`));
          }
        }
      });
      await store.create(key('a'), widget('a'));
      await store.create(key('b'), widget('b'));
      await until(() => changes.length >= 4);
      expect(changes.map((c) => c.rv)).toEqual([1, 2, 3, 4]);
      expect(changes.map((c) => c.key.name).sort()).toEqual(['a', 'a-child', 'b', 'b-child']);
      reactor();
      stop();
    });
  });

  describe('dependents', () => {
    const owned = (name: string, uids: string[]): KubeObject => {
      const object = widget(name);
      object.metadata.ownerReferences = uids.map((uid) => ({
        apiVersion: 'v1',
        kind: 'Owner',
        name: uid,
        uid,
      }));
      return object;
    };

    it('indexes ownerReferences on create, update and delete', async () => {
      await store.create(key('a'), owned('a', ['o1', 'o2', 'o1']));
      await store.create(key('b'), owned('b', ['o1']));
      await store.create(key('c', '', 'namespaces'), widget('c', ''));
      expect(await store.dependents('o1')).toEqual([key('a'), key('b')]);
      expect(await store.dependents('o2')).toEqual([key('a')]);
      expect(await store.dependents('none')).toEqual([]);

      await store.update(key('a'), owned('a', ['o3']));
      expect(await store.dependents('o1')).toEqual([key('b')]);
      expect(await store.dependents('o2')).toEqual([]);
      expect(await store.dependents('o3')).toEqual([key('a')]);

      await store.delete(key('b'));
      expect(await store.dependents('o1')).toEqual([]);
      await store.update(key('a'), widget('a'));
      expect(await store.dependents('o3')).toEqual([]);
    });

    it('leaves the index alone when a write fails', async () => {
      await store.create(key('a'), owned('a', ['o1']));
      await rejection(store.create(key('a'), owned('a', ['o2'])));
      await rejection(store.update(key('a'), owned('a', ['o2']), { expectedRv: 7 }));
      expect(await store.dependents('o1')).toEqual([key('a')]);
      expect(await store.dependents('o2')).toEqual([]);
    });
  });
}
