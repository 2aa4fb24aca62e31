import { describe, expect, it } from 'vitest';
import { RefCache } from './ref-cache.js';
import type { GitRef } from './refs.js';

const oid = (n: number): string => String(n).padStart(40, '0');
const names = (refs: GitRef[]): string[] => refs.map((r) => r.name);

function cacheOf(refNames: string[]): { cache: RefCache; loads: () => number } {
  let loads = 0;
  const cache = new RefCache(() => {
    loads++;
    return Promise.resolve(refNames.map((name, i) => ({ name, oid: oid(i) })));
  });
  return { cache, loads: () => loads };
}

const REFS = [
  'refs/tags/web2/v1',
  'refs/heads/main',
  'refs/tags/web/v2',
  'refs/heads/drafts/web/ws',
  'refs/tags/web',
  'refs/tags/web/v1',
  'refs/heads/drafts/web2/ws',
];

describe('RefCache', () => {
  it('lists all refs, a string prefix, or path prefixes (the ref itself and below it), sorted', async () => {
    const { cache } = cacheOf(REFS);
    expect(names(await cache.list())).toEqual([...REFS].sort());
    expect(names(await cache.list('refs/tags/web'))).toEqual([
      'refs/tags/web',
      'refs/tags/web/v1',
      'refs/tags/web/v2',
      'refs/tags/web2/v1',
    ]);
    expect(names(await cache.list(['refs/tags/web', 'refs/heads/drafts/web', 'refs/heads/main']))).toEqual([
      'refs/heads/drafts/web/ws',
      'refs/heads/main',
      'refs/tags/web',
      'refs/tags/web/v1',
      'refs/tags/web/v2',
    ]);
    expect(await cache.list(['refs/tags/nothing'])).toEqual([]);
  });

  it('applies updates in place, keeping the order, without loading again', async () => {
    const { cache, loads } = cacheOf(REFS);
    await cache.list();
    cache.apply([
      { ref: 'refs/tags/web/v3', newOid: oid(99) },
      { ref: 'refs/heads/drafts/web/ws', newOid: null },
      { ref: 'refs/heads/main', newOid: oid(98) },
      { ref: 'refs/heads/gone', newOid: null },
    ]);
    expect(names(await cache.list(['refs/tags/web', 'refs/heads/drafts/web']))).toEqual([
      'refs/tags/web',
      'refs/tags/web/v1',
      'refs/tags/web/v2',
      'refs/tags/web/v3',
    ]);
    expect(await cache.get('refs/heads/main')).toEqual({ name: 'refs/heads/main', oid: oid(98) });
    expect(names(await cache.list())).toEqual(
      [...REFS.filter((r) => r !== 'refs/heads/drafts/web/ws'), 'refs/tags/web/v3'].sort(),
    );
    expect(loads()).toBe(1);
  });

  it('loads again after invalidate, and does not keep a load that raced with an update', async () => {
    let release: (refs: GitRef[]) => void = () => undefined;
    let loads = 0;
    const cache = new RefCache(() => {
      loads++;
      return new Promise((resolve) => (release = resolve));
    });
    const racing = cache.list();
    cache.apply([{ ref: 'refs/heads/new', newOid: oid(1) }]);
    release([{ name: 'refs/heads/old', oid: oid(2) }]);
    expect(names(await racing)).toEqual(['refs/heads/old']);
    const next = cache.list();
    release([{ name: 'refs/heads/new', oid: oid(1) }]);
    expect(names(await next)).toEqual(['refs/heads/new']);
    expect(loads).toBe(2);
    cache.invalidate();
    const after = cache.list();
    release([]);
    expect(await after).toEqual([]);
    expect(loads).toBe(3);
  });
});
