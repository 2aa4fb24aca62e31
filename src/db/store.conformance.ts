/**
 * The Store conformance suite: every backend runs these same cases (see sqlite-store.test.ts and
 * postgres-store.test.ts). Each case gets a fresh, empty store from `open` and closes it after.
 */
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type ApiError,
  type KubeObject,
} from '../apimachinery/index.js';
import { describeHistoryConformance } from './store-conformance-history.js';
import { WIDGETS, key, names, parse, record, rejection, until, widget } from './store-conformance-support.js';
import type { ListQuery, ObjectKey, Store } from './store.js';

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
      it('lets exactly one of many concurrent updates guarded by the same expectedRv win', async () => {
        await store.create(key('a'), widget('a'));
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            store.update(key('a'), widget('a', 'default', { i }), { expectedRv: 1 }),
          ),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect(r.reason).toBeInstanceOf(ConflictError);
        expect(await store.currentRv()).toBe(2);
        expect((await store.get(key('a')))?.json).toBe(won[0]?.value.json);
      });

      it('close lets writes in flight finish or fail cleanly, and refuses later calls', async () => {
        const writes = Array.from({ length: 30 }, (_, i) =>
          store.create(key(`w${i}`), widget(`w${i}`)).then(
            () => 'written',
            (err: unknown) => (err as Error).message,
          ),
        );
        await store.close();
        for (const outcome of await Promise.all(writes)) expect(outcome).toMatch(/^written$|closed/);
        await expect(store.get(key('w0'))).rejects.toThrow(/closed/);
        await store.close();
      });

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

    describeHistoryConformance(() => store);
  });
}
