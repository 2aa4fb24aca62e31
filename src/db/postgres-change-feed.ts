/**
 * Delivery of PostgreSQL's change feed to this process's subscribers. One path for every change,
 * whoever wrote it: a notification on `lading_changes` (sent by every write, from any replica), a
 * local commit, a reconnect or a periodic check all just "poke" the feed, which reads
 * `rv > lastDelivered` in rv order and hands the rows to the fan-out. Reads never overlap, and
 * lastDelivered only moves forward, so nothing is delivered twice; since writers commit in rv order
 * (see postgres-schema.ts), nothing is skipped.
 *
 * The LISTEN connection is dedicated (a pooled one would drop the registration). When it drops the
 * feed reconnects with backoff and then catches up from lastDelivered. A heartbeat on it finds
 * dead connections that never reported an error, and doubles as a catch-up for lost notifications.
 */
import { Client } from 'pg';
import { GoneError } from '../apimachinery/index.js';
import type { ChangeFanout } from './change-fanout.js';
import { storeWarning } from './store-errors.js';
import type { Change } from './store.js';

/** Where the feed reads changes from (the PostgresStore). */
export interface ChangeSource {
  /** Throws GoneError when changes after `fromRv` were compacted. */
  changesSince(fromRv: number, limit: number): Promise<Change[]>;
  currentRv(): Promise<number>;
  oldestRv(): Promise<number>;
}

export interface PostgresChangeFeedOptions {
  url: string;
  source: ChangeSource;
  fanout: ChangeFanout;
  /** Milliseconds between heartbeats on the LISTEN connection (default 10 s). */
  heartbeatMs?: number;
}

const CHANNEL = 'lading_changes';
const BATCH = 1000;
const MAX_BACKOFF_MS = 5_000;

export class PostgresChangeFeed {
  private client: Client | undefined;
  private lastDelivered = 0;
  private knownRv = 0;
  private stopped = false;
  private draining: Promise<void> | undefined;
  private again = false;
  private backoffMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly options: PostgresChangeFeedOptions) {
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs ?? 10_000);
    this.heartbeat.unref();
  }

  /** Listens, then starts from the current rv. Throws if the database cannot be reached. */
  async start(): Promise<void> {
    await this.connect();
    this.lastDelivered = await this.options.source.currentRv();
    this.knownRv = this.lastDelivered;
  }

  /**
   * The newest rv this process knows to be committed: a subscriber added now gets only later
   * changes.
   */
  get subscribeAfterRv(): number {
    return this.knownRv;
  }

  /** A local write committed `rv`: deliver it (and anything before it) now. */
  committed(rv: number): void {
    if (rv > this.knownRv) this.knownRv = rv;
    this.poke();
  }

  /** Stops listening; waits for a read in progress. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.heartbeat);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await Promise.all([client?.end().catch(() => undefined), this.draining]);
  }

  private poke(): void {
    if (this.stopped) return;
    if (this.draining !== undefined) {
      this.again = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.readAll();
      } catch (err) {
        if (this.stopped) return;
        storeWarning('reading the change feed failed; retrying in 1s', err);
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.poke(), 1_000);
        return;
      }
    } while (this.again && !this.stopped);
  }

  private async readAll(): Promise<void> {
    const { source, fanout } = this.options;
    if (fanout.size === 0) {
      // Nobody to deliver to: skip ahead without reading the rows, unless someone subscribed
      // while we were reading (they may be owed changes committed after their subscribe).
      const generation = fanout.generation;
      const current = await source.currentRv();
      if (fanout.generation === generation) {
        this.advance(current);
        return;
      }
    }
    for (;;) {
      let changes: Change[];
      try {
        changes = await source.changesSince(this.lastDelivered, BATCH);
      } catch (err) {
        if (!(err instanceof GoneError)) throw err;
        // We fell behind a compaction (e.g. after a long outage): subscribers missed changes.
        fanout.fail(err);
        this.advance(await source.oldestRv());
        continue;
      }
      const last = changes.at(-1);
      if (this.stopped || last === undefined) return;
      this.advance(last.rv);
      fanout.deliver(changes);
      if (changes.length < BATCH) return;
    }
  }

  private advance(rv: number): void {
    if (rv > this.lastDelivered) this.lastDelivered = rv;
    if (rv > this.knownRv) this.knownRv = rv;
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: 'lading-listen',
      keepAlive: true,
      query_timeout: 5_000,
    });
    // The payload (an rv) is only a hint: the read decides what is new.
    client.on('notification', () => this.poke());
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    storeWarning('the LISTEN connection was lost; reconnecting', err ?? new Error('connection ended'));
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.connect().then(
        () => {
          this.backoffMs = 100;
          this.poke(); // catch up on what was committed while we were not listening
        },
        (err: unknown) => {
          if (this.stopped) return;
          this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
          storeWarning(`reconnecting the LISTEN connection failed; retrying in ${this.backoffMs}ms`, err);
          this.scheduleReconnect();
        },
      );
    }, this.backoffMs);
  }

  private beat(): void {
    const client = this.client;
    if (client === undefined) return;
    client.query('SELECT 1').then(
      () => this.poke(),
      (err: unknown) => this.lost(client, err instanceof Error ? err : new Error(String(err))),
    );
  }
}
