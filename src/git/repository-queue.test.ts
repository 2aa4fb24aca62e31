import { describe, expect, it } from 'vitest';

import { RepositoryQueue } from './index.js';

const tick = (ms = 10) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RepositoryQueue', () => {
  it('runs operations on one key one at a time, in order', async () => {
    const queue = new RepositoryQueue();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const op = (name: string) => async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all(['a', 'b', 'c'].map((n) => queue.withLock('repo', op(n))));
    expect(results).toEqual(['a', 'b', 'c']);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs operations on different keys in parallel', async () => {
    const queue = new RepositoryQueue();
    let running = 0;
    let maxRunning = 0;
    const op = async () => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      await tick(30);
      running -= 1;
    };
    await Promise.all(['r1', 'r2', 'r3'].map((key) => queue.withLock(key, op)));
    expect(maxRunning).toBe(3);
  });

  it('continues after a failed operation and forgets idle keys', async () => {
    const queue = new RepositoryQueue();
    const failed = queue.withLock('repo', () => Promise.reject(new Error('boom')));
    const next = queue.withLock('repo', () => Promise.resolve('after'));
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('after');
    await tick(0);
    expect(queue.activeKeys).toBe(0);
  });

  it('gives up waiting when aborted, and later operations still wait for the running one', async () => {
    const queue = new RepositoryQueue();
    const log: string[] = [];
    let finishFirst!: () => void;
    const first = queue.withLock('repo', async () => {
      log.push('first start');
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      log.push('first end');
    });
    const controller = new AbortController();
    let abortedRan = false;
    const aborted = queue.withLock(
      'repo',
      () => {
        abortedRan = true;
        return Promise.resolve();
      },
      { signal: controller.signal },
    );
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    await tick(0);
    const third = queue.withLock('repo', () => {
      log.push('third');
      return Promise.resolve();
    });
    await tick();
    expect(log).toEqual(['first start']);
    finishFirst();
    await Promise.all([first, third]);
    expect(log).toEqual(['first start', 'first end', 'third']);
    expect(abortedRan).toBe(false);
  });
});
