/**
 * The embedded object store on SQLite (better-sqlite3). better-sqlite3 is synchronous and one
 * process owns the file (SqliteFileLock), so every method runs to completion without interleaving:
 * a write's transaction, the current rv and a list's rows are always mutually consistent, and the
 * current and compacted rv are kept in memory (loaded at open with two index seeks, no scans: the
 * change feed always keeps its newest row, so its max rv is the current rv).
 *
 * Changes reach subscribers on a microtask after their commit, batched, in rv order — before the
 * writer's awaited promise resumes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../apimachinery/index.js';
import type { GoneError } from '../apimachinery/index.js';
import { ChangeFanout } from './change-fanout.js';
import { listSql } from './list-sql.js';
import { checkKey, copyKey } from './object-key.js';
import { createLocalLeaderElector } from './local-leader.js';
import { ownerUids, rvTemplate, withRv } from './object-json.js';
import { SqliteFileLock } from './sqlite-lock.js';
import { migrateSqlite } from './sqlite-schema.js';
import { prepareStatements, type ListRow, type ObjectRow } from './sqlite-statements.js';
import { alreadyExists, closedStore, conflict, notFound, storeFailure, tooOld } from './store-errors.js';
import type {
  Change,
  ChangeListener,
  LeaderElector,
  ListQuery,
  ListResult,
  ObjectKey,
  Store,
  StoredObject,
  WriteOptions,
} from './store.js';

/** Rows deleted per transaction by compact(), so that the event loop is never held for long. */
const COMPACT_CHUNK = 10_000;

interface Write {
  change: Change;
  /** The rv of the version `change.prevJson` is (null for ADDED). */
  prevRv: number | null;
  owners: readonly string[];
  /** Drop the object's dependents-index rows first (update, delete). */
  replaces: boolean;
}

export class SqliteStore implements Store, LeaderElector {
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly listStatements = new Map<string, Database.Statement<unknown[], ListRow>>();
  private readonly fanout = new ChangeFanout();
  private readonly elector = createLocalLeaderElector();
  private readonly campaigns = new Set<() => Promise<void>>();
  private readonly applyWrite: (write: Write) => void;
  private pending: Change[] = [];
  private flushScheduled = false;
  private closed = false;
  private rv: number;
  private compactedRv: number;

  private constructor(
    private readonly db: Database.Database,
    private readonly lock: SqliteFileLock | undefined,
  ) {
    this.statements = prepareStatements(db);
    this.rv = this.statements.latestRv.get() ?? 0;
    this.compactedRv = this.statements.compactedRv.get() ?? 0;
    const s = this.statements;
    this.applyWrite = db.transaction(({ change, prevRv, owners, replaces }: Write) => {
      const { resource, namespace, name } = change.key;
      switch (change.type) {
        case 'ADDED':
          if (s.insertObject.run(resource, namespace, name, change.rv, change.json).changes === 0) {
            throw alreadyExists(change.key);
          }
          break;
        case 'MODIFIED':
          s.updateObject.run(change.rv, change.json, resource, namespace, name);
          break;
        case 'DELETED':
          s.deleteObject.run(resource, namespace, name);
          break;
      }
      s.insertChange.run(
        change.rv,
        change.type,
        resource,
        namespace,
        name,
        change.json,
        prevRv,
        change.prevJson,
        Date.now(),
      );
      if (replaces) s.deleteOwners.run(resource, namespace, name);
      for (const uid of owners) s.insertOwner.run(uid, resource, namespace, name);
    });
  }

  /**
   * Opens (creating if needed, with parent directories) the database at `file`, or an in-memory
   * database for `:memory:`. Throws InternalError if another store holds the file.
   */
  static open(file: string): SqliteStore {
    const memory = file === ':memory:';
    let lock: SqliteFileLock | undefined;
    let db: Database.Database | undefined;
    try {
      if (!memory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
      lock = memory ? undefined : SqliteFileLock.acquire(file);
      db = new Database(file);
      // Only takes effect when the file is new: 8 KiB pages keep ~2 KB objects inline in the b-tree.
      db.pragma('page_size = 8192');
      db.pragma('journal_mode = WAL');
      // WAL + NORMAL: a commit survives a process crash; an OS crash may lose the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('temp_store = MEMORY');
      // 16 MiB of page cache: lists are served from the OS page cache just as fast (measured), and
      // every MiB here is resident memory of the server.
      db.pragma('cache_size = -16384');
      migrateSqlite(db);
      return new SqliteStore(db, lock);
    } catch (err) {
      db?.close();
      lock?.release();
      throw storeFailure(`opening SQLite database "${file}"`, err);
    }
  }

  create(key: ObjectKey, object: KubeObject): Promise<StoredObject> {
    return this.run('create', () => {
      checkKey(key);
      const change: Change = {
        rv: this.rv + 1,
        type: 'ADDED',
        key: copyKey(key),
        json: withRv(rvTemplate(object), this.rv + 1),
        prevJson: null,
      };
      this.write({ change, prevRv: null, owners: ownerUids(object), replaces: false });
      return stored(change);
    });
  }

  update(key: ObjectKey, object: KubeObject, options: WriteOptions = {}): Promise<StoredObject> {
    return this.run('update', () => {
      const [prevRv, prevJson] = this.expect(key, options.expectedRv);
      const rv = this.rv + 1;
      const change: Change = {
        rv,
        type: 'MODIFIED',
        key: copyKey(key),
        json: withRv(rvTemplate(object), rv),
        prevJson,
      };
      this.write({ change, prevRv, owners: ownerUids(object), replaces: true });
      return stored(change);
    });
  }

  delete(key: ObjectKey, options: WriteOptions & { finalObject?: KubeObject } = {}): Promise<StoredObject> {
    return this.run('delete', () => {
      const [prevRv, prevJson] = this.expect(key, options.expectedRv);
      const rv = this.rv + 1;
      const final = options.finalObject ?? (JSON.parse(prevJson) as KubeObject);
      const change: Change = {
        rv,
        type: 'DELETED',
        key: copyKey(key),
        json: withRv(rvTemplate(final), rv),
        prevJson,
      };
      this.write({ change, prevRv, owners: [], replaces: true });
      return stored(change);
    });
  }

  get(key: ObjectKey): Promise<StoredObject | undefined> {
    return this.run('get', () => {
      const row = this.statements.getObject.get(key.resource, key.namespace, key.name);
      return row === undefined ? undefined : { key: copyKey(key), rv: row[0], json: row[1] };
    });
  }

  list(query: ListQuery): Promise<ListResult> {
    return this.run('list', () => {
      if (query.atRv !== undefined && query.atRv < this.compactedRv)
        throw tooOld(query.atRv, this.compactedRv);
      const sql = listSql(query, 'sqlite');
      let statement = this.listStatements.get(sql.variant);
      if (statement === undefined) {
        statement = this.db.prepare<unknown[], ListRow>(sql.text).raw(true);
        this.listStatements.set(sql.variant, statement);
      }
      const rows = statement.all(...sql.params);
      const resource = query.resource;
      const items = rows.map(([namespace, name, rv, json]): StoredObject => ({
        key: { resource, namespace, name },
        rv,
        json,
      }));
      return { items, rv: query.atRv ?? this.rv };
    });
  }

  count(resource: string, namespace?: string): Promise<number> {
    return this.run('count', () =>
      namespace === undefined
        ? this.statements.count.get(resource)
        : this.statements.countInNamespace.get(resource, namespace),
    ) as Promise<number>;
  }

  currentRv(): Promise<number> {
    return this.run('currentRv', () => this.rv);
  }

  oldestRv(): Promise<number> {
    return this.run('oldestRv', () => this.compactedRv);
  }

  changesSince(fromRv: number, limit?: number): Promise<Change[]> {
    return this.run('changesSince', () => {
      if (fromRv < this.compactedRv) throw tooOld(fromRv, this.compactedRv);
      // SQLite treats a negative LIMIT as no limit.
      return this.statements.changesSince
        .all(fromRv, limit ?? -1)
        .map(([rv, type, resource, namespace, name, json, prevJson]): Change => ({
          rv,
          type,
          key: { resource, namespace, name },
          json,
          prevJson,
        }));
    });
  }

  subscribe(listener: ChangeListener, onError?: (error: GoneError) => void): () => void {
    if (this.closed) throw closedStore();
    return this.fanout.subscribe(listener, this.rv, onError);
  }

  dependents(ownerUid: string): Promise<ObjectKey[]> {
    return this.run('dependents', () =>
      this.statements.dependents
        .all(ownerUid)
        .map(([resource, namespace, name]) => ({ resource, namespace, name })),
    );
  }

  /**
   * Deletes, oldest first and in chunks (yielding to the event loop in between), the changes up
   * to the first one younger than `olderThanMs`, always keeping the newest. The compacted-through
   * rv is recorded with every chunk, so readers never see a hole that is not reported as Gone.
   */
  async compact(olderThanMs: number): Promise<void> {
    const through = await this.run('compact', () => {
      const young = this.statements.firstRvSince.get(Date.now() - olderThanMs);
      return Math.min(young === undefined ? this.rv : young - 1, this.rv - 1);
    });
    while (this.compactedRv < through) {
      await this.run('compact', () => {
        const upTo = Math.min(through, this.compactedRv + COMPACT_CHUNK);
        this.db.transaction(() => {
          this.statements.deleteChangesThrough.run(upTo);
          this.statements.setCompactedRv.run(upTo);
        })();
        this.compactedRv = upTo;
      });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  campaign(name: string, onChange: (leading: boolean) => void): () => Promise<void> {
    if (this.closed) throw closedStore();
    const stop = this.elector.campaign(name, onChange);
    this.campaigns.add(stop);
    return () => {
      this.campaigns.delete(stop);
      return stop();
    };
  }

  /** Delivers changes already committed, ends campaigns, closes the database and its lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.fanout.clear();
    await Promise.all([...this.campaigns].map((stop) => stop()));
    this.campaigns.clear();
    this.db.close();
    this.lock?.release();
  }

  /** Runs `body` as an async method body: errors become ApiErrors, nothing runs after close. */
  private run<T>(operation: string, body: () => T): Promise<T> {
    try {
      if (this.closed) throw closedStore();
      return Promise.resolve(body());
    } catch (err) {
      return Promise.reject(storeFailure(operation, err));
    }
  }

  /** The stored row, after checking the object exists and has `expectedRv` (when given). */
  private expect(key: ObjectKey, expectedRv: number | undefined): ObjectRow {
    const row = this.statements.getObject.get(key.resource, key.namespace, key.name);
    if (row === undefined) throw notFound(key);
    if (expectedRv !== undefined && row[0] !== expectedRv) throw conflict(key);
    return row;
  }

  private write(write: Write): void {
    this.applyWrite(write);
    this.rv = write.change.rv;
    if (this.fanout.size === 0) return; // a later subscriber only gets later changes
    this.pending.push(write.change);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    this.fanout.deliver(batch);
  }
}

function stored(change: Change): StoredObject {
  return { key: copyKey(change.key), rv: change.rv, json: change.json };
}
