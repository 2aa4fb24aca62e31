/**
 * Unit cases of the feed's delivery logic that a real database cannot produce on demand (falling
 * behind a compaction). The source is a scripted stand-in; the LISTEN connection is never opened.
 * The path through a real PostgreSQL is covered by postgres-store.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GoneError } from '../apimachinery/index.js';
import { ChangeFanout } from './change-fanout.js';
import { PostgresChangeFeed, type ChangeSource } from './postgres-change-feed.js';
import type { Change } from './store.js';

function change(rv: number): Change {
  return {
    rv,
    type: 'ADDED',
    key: { resource: 'configmaps', namespace: 'default', name: `c${rv}` },
    json: '{}',
    prevJson: null,
  };
}

/** Changes 1..head, of which those up to `compacted` are gone. */
class ScriptedSource implements ChangeSource {
  head = 0;
  compacted = 0;
  changesSince(fromRv: number, limit: number): Promise<Change[]> {
    if (fromRv < this.compacted)
      return Promise.reject(new GoneError(`too old resource version: ${fromRv} (${this.compacted})`));
    const changes: Change[] = [];
    for (let rv = fromRv + 1; rv <= this.head && changes.length < limit; rv++) changes.push(change(rv));
    return Promise.resolve(changes);
  }
  currentRv(): Promise<number> {
    return Promise.resolve(this.head);
  }
  oldestRv(): Promise<number> {
    return Promise.resolve(this.compacted);
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('PostgresChangeFeed delivery', () => {
  let feed: PostgresChangeFeed | undefined;
  afterEach(async () => {
    await feed?.stop();
  });

  it('delivers each change once, in order, however often it is poked', async () => {
    const source = new ScriptedSource();
    const fanout = new ChangeFanout();
    feed = new PostgresChangeFeed({ url: 'postgres://unused', source, fanout });
    const seen: number[] = [];
    fanout.subscribe((batch) => seen.push(...batch.map((c) => c.rv)), feed.subscribeAfterRv);
    for (let rv = 1; rv <= 2500; rv++) {
      source.head = rv;
      if (rv % 7 === 0) feed.committed(rv);
    }
    feed.committed(2500);
    feed.committed(2500);
    await tick();
    expect(seen).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
  });

  it('ends the subscriptions that can be told when changes were compacted before delivery', async () => {
    const source = new ScriptedSource();
    const fanout = new ChangeFanout();
    feed = new PostgresChangeFeed({ url: 'postgres://unused', source, fanout });
    const told: GoneError[] = [];
    const toldSeen: number[] = [];
    const plainSeen: number[] = [];
    fanout.subscribe(
      (batch) => toldSeen.push(...batch.map((c) => c.rv)),
      0,
      (err) => told.push(err),
    );
    fanout.subscribe((batch) => plainSeen.push(...batch.map((c) => c.rv)), 0);
    source.head = 10;
    source.compacted = 6;
    feed.committed(10);
    await tick();
    expect(told.map((err) => err.message)).toEqual(['too old resource version: 0 (6)']);
    expect(toldSeen).toEqual([]);
    expect(plainSeen).toEqual([7, 8, 9, 10]);
    expect(fanout.size).toBe(1);
  });

  it('gives a new subscriber only changes committed after it subscribed', async () => {
    const source = new ScriptedSource();
    const fanout = new ChangeFanout();
    feed = new PostgresChangeFeed({ url: 'postgres://unused', source, fanout });
    const early: number[] = [];
    fanout.subscribe((batch) => early.push(...batch.map((c) => c.rv)), feed.subscribeAfterRv);
    source.head = 3;
    feed.committed(3); // committed locally; not yet delivered
    const late: number[] = [];
    fanout.subscribe((batch) => late.push(...batch.map((c) => c.rv)), feed.subscribeAfterRv);
    source.head = 4;
    feed.committed(4);
    await tick();
    expect(early).toEqual([1, 2, 3, 4]);
    expect(late).toEqual([4]);
  });
});
