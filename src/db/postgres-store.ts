/**
 * The object store on PostgreSQL (`pg`), for several `lading serve` replicas sharing one database.
 * Every operation is one statement (one round trip, autocommit): writes call the functions of
 * postgres-schema.ts; reads that must be consistent with an rv read it in the same statement (one
 * snapshot). Changes reach subscribers through PostgresChangeFeed, whoever wrote them.
 */
import { DatabaseError, Pool, type QueryConfig } from 'pg';
import type { GoneError, KubeObject } from '../apimachinery/index.js';
import { ConflictError, type ApiError } from '../apimachinery/index.js';
import { ChangeFanout } from './change-fanout.js';
import { listSql } from './list-sql.js';
import { checkKey, copyKey } from './object-key.js';
import { PostgresChangeFeed } from './postgres-change-feed.js';
import { PostgresLeaderElector } from './postgres-leader.js';
import { migratePostgres } from './postgres-schema.js';
import { ownerUids, rvTemplate, withRv, type RvTemplate } from './object-json.js';
import {
  alreadyExists,
  closedStore,
  conflict,
  notFound,
  storeFailure,
  storeWarning,
  tooOld,
} from './store-errors.js';
import type {
  Change,
  ChangeListener,
  ChangeType,
  LeaderElector,
  ListQuery,
  ListResult,
  ObjectKey,
  Store,
  StoredObject,
  WriteOptions,
} from './store.js';

export interface PostgresStoreOptions {
  /** `postgres://…` or `postgresql://…` (any `pg` connection string). */
  url: string;
  /** Connections in the pool (default 10); the feed and each campaign use one more each. */
  poolSize?: number;
}

/** Attempts of a delete without finalObject whose object changes between its read and its write. */
const DELETE_ATTEMPTS = 5;

type Row = unknown[];

export class PostgresStore implements Store, LeaderElector {
  private readonly fanout = new ChangeFanout();
  private readonly feed: PostgresChangeFeed;
  private readonly elector: PostgresLeaderElector;
  private closed = false;
  /** Queries in flight: close() waits for them, since pg's Pool.end() strands queued ones. */
  private readonly inflight = new Set<Promise<unknown>>();

  private constructor(
    private readonly pool: Pool,
    url: string,
  ) {
    this.feed = new PostgresChangeFeed({ url, source: this, fanout: this.fanout });
    this.elector = new PostgresLeaderElector({ url });
  }

  /** Connects, migrates the schema and starts listening. Throws InternalError when that fails. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const pool = new Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      application_name: 'lading',
      keepAlive: true,
    });
    // An idle pooled connection that dies emits here; the pool replaces it on next use.
    pool.on('error', (err) => storeWarning('an idle database connection failed', err));
    let store: PostgresStore | undefined;
    try {
      const client = await pool.connect();
      try {
        await migratePostgres(client);
      } finally {
        client.release();
      }
      store = new PostgresStore(pool, options.url);
      await store.feed.start();
      return store;
    } catch (err) {
      await store?.feed.stop();
      await pool.end().catch(() => undefined);
      throw storeFailure(`opening PostgreSQL database ${redact(options.url)}`, err);
    }
  }

  async create(key: ObjectKey, object: KubeObject): Promise<StoredObject> {
    checkKey(key);
    const template = rvTemplate(object);
    const rows = await this.query(
      'create',
      {
        name: 'lading_create',
        text: 'SELECT lading_create($1, $2, $3, $4, $5, $6)',
        values: [key.resource, key.namespace, key.name, template.prefix, template.suffix, ownerUids(object)],
      },
      (code, err) => (code === 'LD409' ? alreadyExists(key, err) : undefined),
    );
    return this.written(key, template, rows);
  }

  async update(key: ObjectKey, object: KubeObject, options: WriteOptions = {}): Promise<StoredObject> {
    const template = rvTemplate(object);
    const rows = await this.query(
      'update',
      {
        name: 'lading_update',
        text: 'SELECT lading_update($1, $2, $3, $4, $5, $6, $7)',
        values: [
          key.resource,
          key.namespace,
          key.name,
          template.prefix,
          template.suffix,
          ownerUids(object),
          options.expectedRv ?? null,
        ],
      },
      (code, err) =>
        code === 'LD404' ? notFound(key, err) : code === 'LD412' ? conflict(key, err) : undefined,
    );
    return this.written(key, template, rows);
  }

  /**
   * Without `finalObject` the DELETED change carries the stored object, which is read first; the
   * delete is then guarded by the version read and retried if a concurrent write got in between.
   */
  async delete(
    key: ObjectKey,
    options: WriteOptions & { finalObject?: KubeObject } = {},
  ): Promise<StoredObject> {
    if (options.finalObject !== undefined) {
      return this.deleteWith(key, rvTemplate(options.finalObject), options.expectedRv);
    }
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(key);
      if (current === undefined) throw notFound(key);
      if (options.expectedRv !== undefined && options.expectedRv !== current.rv) throw conflict(key);
      try {
        return await this.deleteWith(key, rvTemplate(JSON.parse(current.json) as KubeObject), current.rv);
      } catch (err) {
        // Changed between our read and our delete: read again, unless the caller pinned a version.
        const raced =
          err instanceof ConflictError && options.expectedRv === undefined && attempt < DELETE_ATTEMPTS;
        if (!raced) throw err;
      }
    }
  }

  private async deleteWith(
    key: ObjectKey,
    template: RvTemplate,
    expectedRv: number | undefined,
  ): Promise<StoredObject> {
    const rows = await this.query(
      'delete',
      {
        name: 'lading_delete',
        text: 'SELECT lading_delete($1, $2, $3, $4, $5, $6)',
        values: [key.resource, key.namespace, key.name, template.prefix, template.suffix, expectedRv ?? null],
      },
      (code, err) =>
        code === 'LD404' ? notFound(key, err) : code === 'LD412' ? conflict(key, err) : undefined,
    );
    return this.written(key, template, rows);
  }

  async get(key: ObjectKey): Promise<StoredObject | undefined> {
    const rows = await this.query('get', {
      name: 'lading_get',
      text: 'SELECT rv, json FROM lading_objects WHERE resource = $1 AND namespace = $2 AND name = $3',
      values: [key.resource, key.namespace, key.name],
    });
    const row = rows[0];
    if (row === undefined) return undefined;
    return { key: copyKey(key), rv: Number(row[0]), json: row[1] as string };
  }

  /**
   * One statement: the rows and, from lading_meta in the same snapshot, the current rv (or, with
   * atRv, the compacted rv to check against). The meta row drives a nested loop over the ordered
   * subquery, so the rows keep its order.
   */
  async list(query: ListQuery): Promise<ListResult> {
    const sql = listSql(query, 'postgres');
    const metaKey = query.atRv === undefined ? 'rv' : 'compacted_rv';
    const rows = await this.query('list', {
      name: `lading_list${sql.variant}`,
      text:
        `SELECT m.value, s.namespace, s.name, s.rv, s.json FROM lading_meta m` +
        ` LEFT JOIN LATERAL (${sql.text}) s ON true WHERE m.key = '${metaKey}'`,
      values: sql.params,
    });
    const meta = Number(rows[0]?.[0] ?? 0);
    if (query.atRv !== undefined && query.atRv < meta) throw tooOld(query.atRv, meta);
    const items: StoredObject[] = [];
    const resource = query.resource;
    for (const row of rows) {
      if (row[1] === null) continue; // the meta row alone: no objects
      items.push({
        key: { resource, namespace: row[1] as string, name: row[2] as string },
        rv: Number(row[3]),
        json: row[4] as string,
      });
    }
    return { items, rv: query.atRv ?? meta };
  }

  async count(resource: string, namespace?: string): Promise<number> {
    const rows = await this.query(
      'count',
      namespace === undefined
        ? {
            name: 'lading_count',
            text: 'SELECT count(*) FROM lading_objects WHERE resource = $1',
            values: [resource],
          }
        : {
            name: 'lading_count_ns',
            text: 'SELECT count(*) FROM lading_objects WHERE resource = $1 AND namespace = $2',
            values: [resource, namespace],
          },
    );
    return Number(rows[0]?.[0] ?? 0);
  }

  currentRv(): Promise<number> {
    return this.meta('rv');
  }

  oldestRv(): Promise<number> {
    return this.meta('compacted_rv');
  }

  /** One statement: the compacted rv and the changes, from the same snapshot. */
  async changesSince(fromRv: number, limit?: number): Promise<Change[]> {
    const rows = await this.query('changesSince', {
      name: 'lading_changes_since',
      text:
        'SELECT m.value, c.rv, c.type, c.resource, c.namespace, c.name, c.json, c.prev_json FROM lading_meta m' +
        ' LEFT JOIN LATERAL (SELECT * FROM lading_changes WHERE rv > $1 ORDER BY rv LIMIT $2) c ON true' +
        " WHERE m.key = 'compacted_rv'",
      values: [fromRv, limit ?? null],
    });
    const compacted = Number(rows[0]?.[0] ?? 0);
    if (fromRv < compacted) throw tooOld(fromRv, compacted);
    const changes: Change[] = [];
    for (const row of rows) {
      if (row[1] === null) continue;
      changes.push({
        rv: Number(row[1]),
        type: row[2] as ChangeType,
        key: { resource: row[3] as string, namespace: row[4] as string, name: row[5] as string },
        json: row[6] as string,
        prevJson: row[7] as string | null,
      });
    }
    return changes;
  }

  subscribe(listener: ChangeListener, onError?: (error: GoneError) => void): () => void {
    if (this.closed) throw closedStore();
    return this.fanout.subscribe(listener, this.feed.subscribeAfterRv, onError);
  }

  async dependents(ownerUid: string): Promise<ObjectKey[]> {
    const rows = await this.query('dependents', {
      name: 'lading_dependents',
      text: 'SELECT resource, namespace, name FROM lading_owner_refs WHERE owner_uid = $1 ORDER BY resource, namespace, name',
      values: [ownerUid],
    });
    return rows.map((row) => ({
      resource: row[0] as string,
      namespace: row[1] as string,
      name: row[2] as string,
    }));
  }

  async compact(olderThanMs: number): Promise<void> {
    await this.query('compact', {
      name: 'lading_compact',
      text: 'SELECT lading_compact($1)',
      values: [Math.max(0, Math.floor(olderThanMs))],
    });
  }

  campaign(name: string, onChange: (leading: boolean) => void): () => Promise<void> {
    if (this.closed) throw closedStore();
    return this.elector.campaign(name, onChange);
  }

  /**
   * Stops delivering changes and campaigning (releasing leader locks), then closes the pool once the
   * queries in flight have finished. Later calls fail with InternalError.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.feed.stop(), this.elector.stopAll()]);
    this.fanout.clear();
    await Promise.allSettled([...this.inflight]);
    await this.pool.end();
  }

  private async meta(key: 'rv' | 'compacted_rv'): Promise<number> {
    const rows = await this.query(key, {
      name: `lading_meta_${key}`,
      text: 'SELECT value FROM lading_meta WHERE key = $1',
      values: [key],
    });
    return Number(rows[0]?.[0] ?? 0);
  }

  /**
   * Runs one statement, rows as arrays. Errors with a Lading SQLSTATE are mapped by `mapCode`;
   * anything else becomes an InternalError naming the operation.
   */
  private async query(
    operation: string,
    config: QueryConfig,
    mapCode?: (code: string, err: DatabaseError) => ApiError | undefined,
  ): Promise<Row[]> {
    if (this.closed) throw closedStore();
    const running = this.pool.query<Row>({ ...config, rowMode: 'array' });
    this.inflight.add(running);
    try {
      return (await running).rows;
    } catch (err) {
      const mapped =
        err instanceof DatabaseError && err.code !== undefined ? mapCode?.(err.code, err) : undefined;
      if (mapped !== undefined) throw mapped;
      throw storeFailure(operation, err);
    } finally {
      this.inflight.delete(running);
    }
  }

  private written(key: ObjectKey, template: RvTemplate, rows: Row[]): StoredObject {
    const rv = Number(rows[0]?.[0]);
    this.feed.committed(rv);
    return { key: copyKey(key), rv, json: withRv(template, rv) };
  }
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
