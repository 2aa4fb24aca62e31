import { afterEach, describe, expect, it, vi } from 'vitest';

import { createMemoryRelease } from './memory-release.js';

describe('createMemoryRelease', () => {
  afterEach(() => vi.useRealTimers());

  it('collects at once, then at most once per interval, serving the last request at its end', () => {
    vi.useFakeTimers();
    const collect = vi.fn();
    const release = createMemoryRelease(2_000, collect);
    release.request();
    expect(collect).toHaveBeenCalledTimes(1);
    release.request();
    release.request();
    expect(collect).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(2_000);
    expect(collect).toHaveBeenCalledTimes(2);
    vi.advanceTimersByTime(10_000);
    expect(collect).toHaveBeenCalledTimes(2);
    release.request();
    expect(collect).toHaveBeenCalledTimes(3);
  });

  it('really collects with the default collector', async () => {
    const release = createMemoryRelease();
    const ref = new WeakRef({ big: new Array(1000).fill('x') });
    // A WeakRef's target lives until the current job ends.
    await new Promise((resolve) => setImmediate(resolve));
    release.request();
    expect(ref.deref()).toBeUndefined();
    release.stop();
  });
});
