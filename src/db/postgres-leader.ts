/**
 * Leader election on PostgreSQL: the leader of `name` is the session holding the advisory lock
 * (LEADER_LOCK_CLASS, hashtext(name)). Each campaign has its own connection, because advisory
 * locks belong to a session (and are re-entrant within it): two campaigns in one process compete
 * like two replicas. A follower retries every `retryMs`; a leader checks its connection as often
 * and reports `onChange(false)` as soon as the connection fails — PostgreSQL has then released, or
 * will release, the lock to another replica.
 */
import { Client } from 'pg';
import { storeWarning } from './store-errors.js';
import type { LeaderElector } from './store.js';

/** First key of Lading's leader locks, so they do not collide with other applications' locks. */
const LEADER_LOCK_CLASS = 0x4c44;

export interface PostgresLeaderElectorOptions {
  url: string;
  /** Milliseconds between attempts (follower) and connection checks (leader); default 2000. */
  retryMs?: number;
}

export class PostgresLeaderElector implements LeaderElector {
  private readonly campaigns = new Set<Campaign>();

  constructor(private readonly options: PostgresLeaderElectorOptions) {}

  campaign(name: string, onChange: (leading: boolean) => void): () => Promise<void> {
    const campaign = new Campaign(this.options.url, name, onChange, this.options.retryMs ?? 2_000);
    this.campaigns.add(campaign);
    campaign.start();
    return async () => {
      this.campaigns.delete(campaign);
      await campaign.stop();
    };
  }

  /** Stops every campaign (releasing the locks held). */
  async stopAll(): Promise<void> {
    const campaigns = [...this.campaigns];
    this.campaigns.clear();
    await Promise.all(campaigns.map((campaign) => campaign.stop()));
  }
}

export function createPostgresLeaderElector(options: PostgresLeaderElectorOptions): PostgresLeaderElector {
  return new PostgresLeaderElector(options);
}

class Campaign {
  private client: Client | undefined;
  private leading = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly onChange: (leading: boolean) => void,
    private readonly retryMs: number,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Releases the lock (if held), closes the connection, and reports `false` if it was leading. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) {
      if (this.leading) {
        await client
          .query('SELECT pg_advisory_unlock($1, hashtext($2))', [LEADER_LOCK_CLASS, this.name])
          .catch(() => undefined);
      }
      await client.end().catch(() => undefined);
    }
    if (this.leading) {
      this.leading = false;
      this.report(false);
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule(this.retryMs);
      });
    }, delayMs);
  }

  private async tick(): Promise<void> {
    let client = this.client;
    try {
      client ??= await this.connect();
      if (this.leading) {
        await client.query('SELECT 1');
        return;
      }
      const result = await client.query<{ acquired: boolean }>(
        'SELECT pg_try_advisory_lock($1, hashtext($2)) AS acquired',
        [LEADER_LOCK_CLASS, this.name],
      );
      // If stop() began meanwhile it releases the lock with the connection; do not report.
      if (result.rows[0]?.acquired === true && !this.stopped) {
        this.leading = true;
        this.report(true);
      }
    } catch (err) {
      if (client !== undefined) this.lost(client, err);
    }
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.url,
      application_name: 'lading-leader',
      keepAlive: true,
      query_timeout: 5_000,
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw err;
    }
    this.client = client;
    return client;
  }

  private lost(client: Client, err: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    if (this.leading) {
      storeWarning(`lost the leader lock "${this.name}" with its connection`, err);
      this.leading = false;
      this.report(false);
    }
  }

  private report(leading: boolean): void {
    try {
      this.onChange(leading);
    } catch (err) {
      storeWarning(`a leader election callback for "${this.name}" threw`, err);
    }
  }
}
