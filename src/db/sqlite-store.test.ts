import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InternalError } from '../apimachinery/index.js';
import { openStore } from './open-store.js';
import { SqliteStore } from './sqlite-store.js';
import { describeStoreConformance } from './store.conformance.js';

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lading-sqlite-'));
let files = 0;
const tempFile = (): string => path.join(tempDir, `store-${++files}`, 'lading.db');
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));

describeStoreConformance('SQLite file', () => openStore({ url: `sqlite:${tempFile()}` }));
describeStoreConformance('SQLite :memory:', () => Promise.resolve(SqliteStore.open(':memory:')));

describe('SqliteStore', () => {
  it('keeps objects, rv and compaction across reopen', async () => {
    const file = tempFile();
    const first = await openStore({ url: file });
    for (let i = 0; i < 5; i++) {
      await first.create(
        { resource: 'configmaps', namespace: 'ns', name: `c${i}` },
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: `c${i}` },
        },
      );
    }
    await first.compact(0);
    await first.close();

    const second = await openStore({ url: `sqlite:${file}` });
    expect(await second.currentRv()).toBe(5);
    expect(await second.oldestRv()).toBe(4);
    expect(await second.count('configmaps')).toBe(5);
    const next = await second.create(
      { resource: 'configmaps', namespace: 'ns', name: 'c5' },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c5' },
      },
    );
    expect(next.rv).toBe(6);
    await second.close();
  });

  it('refuses a database file another store holds, and takes it once released', async () => {
    const file = tempFile();
    const owner = await openStore({ url: file });
    const err = await openStore({ url: file }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InternalError);
    expect((err as Error).message).toMatch(/in use by another Lading process/);
    await owner.close();
    const next = await openStore({ url: file });
    await next.close();
  });

  it('is the leader at once, until it stops campaigning', async () => {
    const store = await openStore({ url: ':memory:' });
    const seen: boolean[] = [];
    const stop = store.campaign('controllers', (leading) => seen.push(leading));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(seen).toEqual([true]);
    await stop();
    expect(seen).toEqual([true, false]);
    await store.close();
  });

  it('fails cleanly after close', async () => {
    const store = await openStore({ url: ':memory:' });
    await store.close();
    await expect(store.get({ resource: 'configmaps', namespace: '', name: 'x' })).rejects.toThrow(/closed/);
    await store.close();
  });
});
