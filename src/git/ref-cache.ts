/**
 * A mirror's refs, kept in memory. Every change to the mirror's refs goes through its GitMirror
 * (fetch, ref updates, push), which tells the cache: a fetch drops it (it is read again, with one
 * `for-each-ref`, when next needed), a ref update is applied to it. So listing refs for a write
 * costs no process, whatever the number of refs.
 */
import type { GitRef } from './refs.js';

/** The refs held in memory: by name, and their names in sorted order (for prefix ranges). */
interface Loaded {
  byName: Map<string, GitRef>;
  names: string[];
}

export class RefCache {
  private refs: Loaded | undefined;
  /** Bumped by every change, so that a load that raced with one is not kept. */
  private generation = 0;

  constructor(private readonly load: (signal?: AbortSignal) => Promise<GitRef[]>) {}

  /**
   * Refs sorted by name: all, those starting with `prefix` (a string), or those under any of the
   * given full path-component prefixes (`refs/tags/web` matches `refs/tags/web/v1` and itself, not
   * `refs/tags/web2/v1`). A prefix costs a binary search plus the refs it selects, however many
   * other refs the repository has.
   */
  async list(prefix?: string | readonly string[], signal?: AbortSignal): Promise<GitRef[]> {
    const { byName, names } = await this.all(signal);
    const pick = (selected: string[]): GitRef[] => selected.map((name) => byName.get(name) as GitRef);
    if (prefix === undefined) return pick(names);
    if (typeof prefix === 'string') return pick(startingWith(names, prefix));
    const selected = new Set<string>();
    for (const p of prefix) {
      if (byName.has(p)) selected.add(p);
      for (const name of startingWith(names, `${p}/`)) selected.add(name);
    }
    return pick([...selected].sort(byCodeUnits));
  }

  async get(name: string, signal?: AbortSignal): Promise<GitRef | undefined> {
    return (await this.all(signal)).byName.get(name);
  }

  /** Forget everything (the refs on disk changed in ways we did not see, e.g. a fetch). */
  invalidate(): void {
    this.refs = undefined;
    this.generation += 1;
  }

  /** Record ref updates that were applied on disk (`newOid` null: deleted). */
  apply(updates: ReadonlyArray<{ ref: string; newOid: string | null }>): void {
    this.generation += 1;
    if (this.refs === undefined) return;
    const { byName, names } = this.refs;
    for (const { ref, newOid } of updates) {
      const known = byName.has(ref);
      if (newOid === null) {
        if (known) names.splice(lowerBound(names, ref), 1);
        byName.delete(ref);
      } else {
        if (!known) names.splice(lowerBound(names, ref), 0, ref);
        byName.set(ref, { name: ref, oid: newOid });
      }
    }
  }

  private async all(signal?: AbortSignal): Promise<Loaded> {
    if (this.refs !== undefined) return this.refs;
    const generation = this.generation;
    const byName = new Map((await this.load(signal)).map((r) => [r.name, r]));
    const loaded = { byName, names: [...byName.keys()].sort(byCodeUnits) };
    if (generation === this.generation) this.refs = loaded;
    return loaded;
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The index of the first name not below `name` in the sorted `names`. */
function lowerBound(names: readonly string[], name: string): number {
  let [low, high] = [0, names.length];
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((names[mid] as string) < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The sorted names that start with `prefix`: one range of the sorted list. */
function startingWith(names: readonly string[], prefix: string): string[] {
  const out: string[] = [];
  for (let i = lowerBound(names, prefix); i < names.length && (names[i] as string).startsWith(prefix); i++) {
    out.push(names[i] as string);
  }
  return out;
}
