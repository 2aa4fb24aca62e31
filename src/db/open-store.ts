/**
 * Opens the object store named by `--database-url`: `postgres://…`/`postgresql://…` → PostgresStore;
 * `sqlite:<path>`, `sqlite://<path>` or a plain path → SqliteStore (parent directories created);
 * `:memory:` / `sqlite::memory:` → an in-memory SQLite store (tests).
 */
import { BadRequestError } from '../apimachinery/index.js';
import { PostgresStore } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { LeaderElector, Store, StoreOptions } from './store.js';

/** The store and its leader election (both backends implement both interfaces). */
export type StoreWithElection = Store & LeaderElector;

export async function openStore(options: StoreOptions): Promise<StoreWithElection> {
  const url = options.url.trim();
  if (/^postgres(ql)?:\/\//i.test(url)) return PostgresStore.open({ url });
  const file = sqlitePath(url);
  return Promise.resolve(SqliteStore.open(file));
}

function sqlitePath(url: string): string {
  let file = url;
  if (/^sqlite:/i.test(file)) {
    file = file.slice('sqlite:'.length);
    if (file.startsWith('//')) file = file.slice(2); // sqlite:///abs/path → /abs/path
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file)) {
    throw new BadRequestError(
      `unsupported database URL scheme in "${file.replace(/\/\/[^@/]*@/, '//…@')}": use postgres://…, postgresql://…, sqlite:<path> or a file path`,
    );
  }
  if (file === '') throw new BadRequestError('database URL must name a file: use sqlite:<path>');
  return file;
}
