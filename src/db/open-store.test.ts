import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BadRequestError } from '../apimachinery/index.js';
import { openStore } from './open-store.js';
import { SqliteStore } from './sqlite-store.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lading-open-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('openStore', () => {
  const sqlite: { name: string; url: string; file: string | undefined }[] = [
    {
      name: 'a plain path, creating parent directories',
      url: `${dir}/a/b/plain.db`,
      file: `${dir}/a/b/plain.db`,
    },
    { name: 'sqlite:<path>', url: `sqlite:${dir}/prefixed.db`, file: `${dir}/prefixed.db` },
    { name: 'sqlite://<absolute path>', url: `sqlite://${dir}/slashes.db`, file: `${dir}/slashes.db` },
    { name: 'in memory', url: ':memory:', file: undefined },
    { name: 'in memory with the prefix', url: 'sqlite::memory:', file: undefined },
  ];
  it.each(sqlite)('opens SQLite for $name', async ({ url, file }) => {
    const store = await openStore({ url });
    expect(store).toBeInstanceOf(SqliteStore);
    await store.create(
      { resource: 'configmaps', namespace: '', name: 'x' },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} },
    );
    await store.close();
    if (file !== undefined) expect(fs.existsSync(file)).toBe(true);
  });

  const invalid = [
    {
      name: 'an unknown scheme',
      url: 'mysql://user:secret@host/db',
      message: /unsupported database URL scheme/,
    },
    { name: 'an empty sqlite path', url: 'sqlite:', message: /must name a file/ },
  ];
  it.each(invalid)('refuses $name', async ({ url, message }) => {
    const err = await openStore({ url }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('secret');
  });
});
