/**
 * The Store conformance suite: every backend runs these same cases (see sqlite-store.test.ts and
 * postgres-store.test.ts). Each case gets a fresh, empty store from `open` and closes it after.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  NotFoundError,
  type ApiError,
  type KubeObject,
} from '../apimachinery/index.js';
import type { Change, ListQuery, ObjectKey, Store } from './store.js';

const WIDGETS = 'widgets.example.com';

function key(name: string, namespace = 'default', resource = WIDGETS): ObjectKey {
  return { resource, namespace, name };
}

function widget(name: string, namespace = 'default', spec: Record<string, unknown> = {}): KubeObject {
  const metadata = namespace === '' ? { name } : { name, namespace };
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata, spec };
}

function parse(json: string): KubeObject {
  return JSON.parse(json) as KubeObject;
}

function names(items: readonly { key: ObjectKey }[]): string[] {
  return items.map((item) =>
    item.key.namespace === '' ? item.key.name : `${item.key.namespace}/${item.key.name}`,
  );
}

/** Polls `condition` until it holds (fails the test after `timeoutMs`). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Subscribes and records every delivered change, checking rv order across batches. */
function record(store: Store): { changes: Change[]; stop: () => void } {
  const changes: Change[] = [];
  const stop = store.subscribe((batch) => {
    for (const change of batch) {
      const last = changes.at(-1);
      if (last !== undefined && change.rv <= last.rv) throw new Error(`rv ${change.rv} after ${last.rv}`);
      changes.push(change);
    }
  });
  return { changes, stop };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected the promise to reject');
}

export function describeStoreConformance(
  name: string,
  open: () => Promise<Store>,
  cleanup?: () => Promise<void>,
): void {
  describe(`Store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open();
    });
    afterEach(async () => {
      await store.close();
    });
    if (cleanup !== undefined) afterAll(cleanup);

    describe('writes', () => {
      it('starts empty at resourceVersion 0', async () => {
        expect(await store.currentRv()).toBe(0);
        expect(await store.oldestRv()).toBe(0);
        expect(await store.get(key('a'))).toBeUndefined();
        expect(await store.changesSince(0)).toEqual([]);
      });

      it('create stores the object with metadata.resourceVersion and leaves the argument alone', async () => {
        const object = widget('a', 'default', { size: 3 });
        object.metadata.labels = { app: 'x' };
        const before = JSON.stringify(object);
        const created = await store.create(key('a'), object);
        expect(created.rv).toBe(1);
        expect(created.key).toEqual(key('a'));
        expect(created.json).toBe(
          JSON.stringify({ ...object, metadata: { ...object.metadata, resourceVersion: '1' } }),
        );
        expect(JSON.stringify(object)).toBe(before);
        expect(await store.get(key('a'))).toEqual(created);
      });

      it('keeps the position of an existing metadata.resourceVersion', async () => {
        const object: KubeObject = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', resourceVersion: '99', uid: 'u' },
          data: { 'k"ey': 'v\u00e4\n' },
        };
        const created = await store.create(key('a', 'default', 'configmaps'), object);
        expect(created.json).toBe(
          '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"1","uid":"u"},"data":{"k\\"ey":"v\u00e4\\n"}}',
        );
      });

      it('numbers every write with the next resourceVersion of one store-wide sequence', async () => {
        const steps: (() => Promise<{ rv: number }>)[] = [
          () => store.create(key('a'), widget('a')),
          () => store.create(key('b', 'other'), widget('b', 'other')),
          () => store.create(key('c', '', 'namespaces'), widget('c', '')),
          () => store.update(key('a'), widget('a', 'default', { v: 2 })),
          () => store.delete(key('b', 'other')),
          () => store.create(key('b', 'other'), widget('b', 'other')),
        ];
        const rvs: number[] = [];
        for (const step of steps) rvs.push((await step()).rv);
        expect(rvs).toEqual([1, 2, 3, 4, 5, 6]);
        expect(await store.currentRv()).toBe(6);
        expect((await store.get(key('b', 'other')))?.rv).toBe(6);
      });

      it('update replaces the object, with or without expectedRv', async () => {
        await store.create(key('a'), widget('a'));
        const plain = await store.update(key('a'), widget('a', 'default', { v: 2 }));
        expect(plain.rv).toBe(2);
        const guarded = await store.update(key('a'), widget('a', 'default', { v: 3 }), { expectedRv: 2 });
        expect(guarded.rv).toBe(3);
        const got = await store.get(key('a'));
        expect(got?.rv).toBe(3);
        expect(parse(got?.json ?? '{}')).toMatchObject({
          spec: { v: 3 },
          metadata: { resourceVersion: '3' },
        });
      });

      it('delete removes the object; the DELETED change carries the deletion rv', async () => {
        await store.create(key('a'), widget('a'));
        await store.create(key('b'), widget('b'));
        const plain = await store.delete(key('a'), { expectedRv: 1 });
        expect(plain.rv).toBe(3);
        expect(parse(plain.json)).toEqual({
          ...widget('a'),
          metadata: { ...widget('a').metadata, resourceVersion: '3' },
        });

        const final = widget('b', 'default', { last: true });
        final.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
        const withFinal = await store.delete(key('b'), { finalObject: final });
        expect(parse(withFinal.json)).toMatchObject({
          spec: { last: true },
          metadata: { resourceVersion: '4' },
        });
        expect(final.metadata.resourceVersion).toBeUndefined();

        expect(await store.get(key('a'))).toBeUndefined();
        expect(await store.get(key('b'))).toBeUndefined();
        const changes = await store.changesSince(2);
        expect(changes.map((c) => [c.type, c.rv, c.key.name])).toEqual([
          ['DELETED', 3, 'a'],
          ['DELETED', 4, 'b'],
        ]);
        expect(changes[0]?.json).toBe(plain.json);
        expect(parse(changes[1]?.prevJson ?? '{}').metadata.resourceVersion).toBe('2');
      });

      const failures: {
        name: string;
        write: (store: Store) => Promise<unknown>;
        error: new (...args: never[]) => ApiError;
        message: string;
      }[] = [
        {
          name: 'create of an existing object',
          write: (s) => s.create(key('a'), widget('a', 'default', { v: 'new' })),
          error: AlreadyExistsError,
          message: 'widgets.example.com "a" already exists',
        },
        {
          name: 'update of a missing object',
          write: (s) => s.update(key('missing'), widget('missing')),
          error: NotFoundError,
          message: 'widgets.example.com "missing" not found',
        },
        {
          name: 'update with a stale expectedRv',
          write: (s) => s.update(key('a'), widget('a', 'default', { v: 'new' }), { expectedRv: 1 }),
          error: ConflictError,
          message: 'Operation cannot be fulfilled on widgets.example.com "a"',
        },
        {
          name: 'delete of a missing object (core group)',
          write: (s) => s.delete(key('missing', 'default', 'configmaps')),
          error: NotFoundError,
          message: 'configmaps "missing" not found',
        },
        {
          name: 'delete with a stale expectedRv',
          write: (s) => s.delete(key('a'), { expectedRv: 1 }),
          error: ConflictError,
          message: 'Operation cannot be fulfilled on widgets.example.com "a"',
        },
      ];
      it.each(failures)('$name fails and writes nothing', async ({ write, error, message }) => {
        await store.create(key('a'), widget('a', 'default', { v: 1 }));
        const before = await store.update(key('a'), widget('a', 'default', { v: 2 }));
        const { changes, stop } = record(store);
        const err = await rejection(write(store));
        expect(err).toBeInstanceOf(error);
        expect(err.message).toContain(message);
        expect(await store.currentRv()).toBe(2);
        expect(await store.changesSince(2)).toEqual([]);
        expect(await store.get(key('a'))).toEqual(before);
        await store.create(key('after'), widget('after'));
        expect(await store.currentRv()).toBe(3);
        await until(() => changes.length > 0);
        expect(changes.map((c) => c.rv)).toEqual([3]);
        stop();
      });
    });

    describe('list', () => {
      // Inserted out of order; byte order puts '' (cluster-scoped) first, 'B' before 'a'.
      const seed: ObjectKey[] = [
        key('b', 'ns1'),
        key('a', 'ns2'),
        key('a', 'ns1'),
        key('B', 'ns1'),
        key('z', ''),
        key('c', 'ns1'),
        key('x', 'ns1', 'configmaps'),
      ];
      const all = ['z', 'ns1/B', 'ns1/a', 'ns1/b', 'ns1/c', 'ns2/a'];

      beforeEach(async () => {
        for (const k of seed) await store.create(k, widget(k.name, k.namespace));
      });

      const queries: { name: string; query: Omit<ListQuery, 'resource'>; expected: string[] }[] = [
        { name: 'everything, in (namespace, name) byte order', query: {}, expected: all },
        {
          name: 'one namespace',
          query: { namespace: 'ns1' },
          expected: ['ns1/B', 'ns1/a', 'ns1/b', 'ns1/c'],
        },
        { name: 'cluster-scoped only', query: { namespace: '' }, expected: ['z'] },
        { name: 'a namespace with nothing', query: { namespace: 'none' }, expected: [] },
        { name: 'limit', query: { limit: 2 }, expected: ['z', 'ns1/B'] },
        { name: 'limit 0', query: { limit: 0 }, expected: [] },
        {
          name: 'after a key',
          query: { after: { namespace: 'ns1', name: 'a' } },
          expected: ['ns1/b', 'ns1/c', 'ns2/a'],
        },
        {
          name: 'after a key that does not exist',
          query: { after: { namespace: 'ns1', name: 'bb' } },
          expected: ['ns1/c', 'ns2/a'],
        },
        {
          name: 'after, in a namespace, with a limit',
          query: { namespace: 'ns1', after: { namespace: 'ns1', name: 'B' }, limit: 2 },
          expected: ['ns1/a', 'ns1/b'],
        },
        {
          name: 'after a key in an earlier namespace',
          query: { namespace: 'ns2', after: { namespace: 'ns1', name: 'z' } },
          expected: ['ns2/a'],
        },
      ];
      it.each(queries)('$name', async ({ query, expected }) => {
        const result = await store.list({ resource: WIDGETS, ...query });
        expect(names(result.items)).toEqual(expected);
        expect(result.rv).toBe(seed.length);
        for (const item of result.items) {
          expect(item.key.resource).toBe(WIDGETS);
          expect(await store.get(item.key)).toEqual(item);
        }
      });

      it('pages with after and limit over the whole list', async () => {
        const seen: string[] = [];
        let after: { namespace: string; name: string } | undefined;
        for (;;) {
          const page = await store.list({ resource: WIDGETS, limit: 2, ...(after ? { after } : {}) });
          seen.push(...names(page.items));
          const last = page.items.at(-1);
          if (page.items.length < 2 || last === undefined) break;
          after = { namespace: last.key.namespace, name: last.key.name };
        }
        expect(seen).toEqual(all);
      });

      it('counts per resource and namespace', async () => {
        expect(await store.count(WIDGETS)).toBe(6);
        expect(await store.count(WIDGETS, 'ns1')).toBe(4);
        expect(await store.count(WIDGETS, '')).toBe(1);
        expect(await store.count('configmaps')).toBe(1);
        expect(await store.count('nothing')).toBe(0);
        await store.delete(key('a', 'ns1'));
        expect(await store.count(WIDGETS, 'ns1')).toBe(3);
      });
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
  });
}
