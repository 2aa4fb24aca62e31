import { describe, expect, it } from 'vitest';

import { ObjectCache } from './object-cache.js';

const object = (oid: string, bytes: number, type: 'blob' | 'tree' = 'tree') => ({
  oid,
  type,
  data: Buffer.alloc(bytes),
});

describe('ObjectCache', () => {
  it('evicts the least recently used objects beyond its byte budget', () => {
    const cache = new ObjectCache(3 * (100 + 512));
    cache.set(object('a', 100));
    cache.set(object('b', 100));
    cache.set(object('c', 100));
    expect(cache.get('a')?.oid).toBe('a'); // now the youngest
    cache.set(object('d', 100));
    expect(['a', 'b', 'c', 'd'].filter((oid) => cache.get(oid) !== undefined)).toEqual(['a', 'c', 'd']);
  });

  it('keeps blobs only when this process wrote them, and nothing over 64 KiB', () => {
    const cache = new ObjectCache(1024 * 1024);
    cache.set(object('big', 64 * 1024 + 1));
    cache.setWritten(object('big-written', 64 * 1024 + 1, 'blob'));
    cache.set(object('blob-read', 10, 'blob'));
    cache.setWritten(object('blob-written', 10, 'blob'));
    expect(['big', 'big-written', 'blob-read', 'blob-written'].filter((oid) => cache.get(oid))).toEqual([
      'blob-written',
    ]);
  });
});
