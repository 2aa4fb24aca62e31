import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSchema, startPostgres } from '../../test/support/postgres.js';
import type { KubeObject } from '../apimachinery/index.js';
import { openStore, type StoreWithElection } from './open-store.js';
import { describeStoreConformance } from './store.conformance.js';
import type { Change, Store } from './store.js';

const server = await startPostgres();
const skip = 'skip' in server ? server.skip : undefined;
if (skip !== undefined) console.warn(`PostgreSQL store tests skipped: ${skip}`);
afterAll(async () => {
  if (!('skip' in server)) await server.stop();
});

let schemas = 0;
/** A URL whose search_path is a fresh schema: an empty database for one test's stores. */
async function freshUrl(): Promise<string> {
  if ('skip' in server) throw new Error(server.skip);
  return createSchema(server.url, `store_${++schemas}`);
}

async function admin<T>(sql: string): Promise<T[]> {
  if ('skip' in server) throw new Error(server.skip);
  const client = new Client({ connectionString: server.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function record(store: Store): Change[] {
  const changes: Change[] = [];
  store.subscribe((batch) => changes.push(...batch));
  return changes;
}

function configMap(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { name } };
}

const cm = (name: string) => ({ resource: 'configmaps', namespace: 'default', name });

describe.skipIf(skip !== undefined)('PostgresStore', () => {
  describeStoreConformance('PostgreSQL', async () => openStore({ url: await freshUrl() }));

  describe('replicas sharing one database', () => {
    const open: StoreWithElection[] = [];
    const replicas = async (count: number): Promise<StoreWithElection[]> => {
      const url = await freshUrl();
      const stores = await Promise.all(Array.from({ length: count }, () => openStore({ url })));
      open.push(...stores);
      return stores;
    };
    afterAll(async () => {
      await Promise.all(open.map((store) => store.close()));
    });

    it('start together (migrations run once) and see each other’s writes in one rv order', async () => {
      const [a, b, c] = await replicas(3);
      if (a === undefined || b === undefined || c === undefined) throw new Error('replicas not opened');
      const seenByA = record(a);
      const seenByB = record(b);
      await Promise.all([
        ...Array.from({ length: 100 }, (_, i) => a.create(cm(`a${i}`), configMap(`a${i}`))),
        ...Array.from({ length: 100 }, (_, i) => b.create(cm(`b${i}`), configMap(`b${i}`))),
        ...Array.from({ length: 100 }, (_, i) => c.create(cm(`c${i}`), configMap(`c${i}`))),
      ]);
      await until(() => seenByA.length >= 300 && seenByB.length >= 300);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const rvs = seenByB.map((change) => change.rv);
      expect(rvs).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      expect(seenByA).toEqual(seenByB);
      expect(seenByB).toEqual(await c.changesSince(0));
    });

    it('keep delivering, in order and once, after the LISTEN connection is killed', async () => {
      const [a, b] = await replicas(2);
      if (a === undefined || b === undefined) throw new Error('replicas not opened');
      const seenByB = record(b);
      await a.create(cm('before'), configMap('before'));
      await until(() => seenByB.length === 1);
      const killed = await admin<{ killed: boolean }>(
        "SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = 'lading-listen'",
      );
      expect(killed.length).toBeGreaterThanOrEqual(2);
      for (let i = 0; i < 20; i++) await a.create(cm(`after${i}`), configMap(`after${i}`));
      await until(() => seenByB.length >= 21);
      // Once both listen again, B hears of A's writes by notification (well before a heartbeat).
      for (;;) {
        const [row] = await admin<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'lading-listen'",
        );
        if (Number(row?.n) >= 2) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await a.create(cm('last'), configMap('last'));
      await until(() => seenByB.length >= 22, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seenByB.map((change) => change.rv)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    });

    it('elect one leader; another takes over when it stops or loses its connection', async () => {
      const [a, b] = await replicas(2);
      if (a === undefined || b === undefined) throw new Error('replicas not opened');
      const events: string[] = [];
      const leaders = new Set<string>();
      const track = (who: string) => (leading: boolean) => {
        events.push(`${who}:${leading}`);
        if (leading) leaders.add(who);
        else leaders.delete(who);
      };
      const stopA = a.campaign('controllers', track('a'));
      const stopB = b.campaign('controllers', track('b'));
      await until(() => leaders.size === 1);
      await new Promise((resolve) => setTimeout(resolve, 2_500)); // the follower retries meanwhile
      expect(leaders.size).toBe(1);
      const first = [...leaders][0];

      await (first === 'a' ? stopA : stopB)();
      const second = first === 'a' ? 'b' : 'a';
      await until(() => leaders.has(second));
      expect(events).toEqual([`${first}:true`, `${first}:false`, `${second}:true`]);

      // Killing the leader's connection: it must step down; the lock is free for a new campaign.
      const stopC = (first === 'a' ? a : b).campaign('controllers', track('c'));
      await admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'lading-leader'",
      );
      await until(() => events.includes(`${second}:false`));
      await until(() => leaders.size === 1);
      await Promise.all([stopC(), (second === 'a' ? stopA : stopB)()]);
      expect(leaders.size).toBe(0);
    });
  });
});
