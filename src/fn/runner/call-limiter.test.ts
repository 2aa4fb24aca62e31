import { describe, expect, it } from 'vitest';
import { LimiterFullError, createCallLimiter } from './call-limiter.js';

describe('createCallLimiter', () => {
  it('grants slots up to the concurrency, queues in arrival order, then refuses', async () => {
    const limiter = createCallLimiter(2, 2);
    const a = await limiter.acquire();
    await limiter.acquire();
    const order: string[] = [];
    const c = limiter.acquire().then((release) => (order.push('c'), release));
    const d = limiter.acquire().then((release) => (order.push('d'), release));
    expect([limiter.running, limiter.waiting]).toEqual([2, 2]);
    await expect(limiter.acquire()).rejects.toThrow(LimiterFullError);
    a();
    a(); // a second release of the same slot is ignored
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect([limiter.running, limiter.waiting]).toEqual([2, 1]);
    releaseC();
    (await d)();
    expect(order).toEqual(['c', 'd']);
    expect([limiter.running, limiter.waiting]).toEqual([1, 0]);
  });

  it('drops a waiting call whose signal aborts, and refuses an aborted signal at once', async () => {
    const limiter = createCallLimiter(1, 5);
    const release = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    expect(limiter.waiting).toBe(1);
    controller.abort(new Error('timed out'));
    await expect(waiting).rejects.toThrow('timed out');
    expect(limiter.waiting).toBe(0);
    await expect(limiter.acquire(controller.signal)).rejects.toThrow('timed out');
    release();
    expect(limiter.running).toBe(0);
  });

  it.each([
    { name: 'zero concurrency', concurrency: 0, queue: 1 },
    { name: 'fractional concurrency', concurrency: 1.5, queue: 1 },
    { name: 'negative queue', concurrency: 1, queue: -1 },
  ])('refuses $name', ({ concurrency, queue }) => {
    expect(() => createCallLimiter(concurrency, queue)).toThrow(RangeError);
  });
});
