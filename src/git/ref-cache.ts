/**
 * A mirror's refs, kept in memory. Every change to the mirror's refs goes through its GitMirror
 * (fetch, ref updates, push), which tells the cache: a fetch drops it (it is read again, with one
 * `for-each-ref`, when next needed), a ref update is applied to it. So listing refs for a write
 * costs no process, whatever the number of refs.
 */
import type { GitRef } from './refs.js';

export class RefCache {
  private refs: Map<string, GitRef> | undefined;
  /** Bumped by every change, so that a load that raced with one is not kept. */
  private generation = 0;

  constructor(private readonly load: (signal?: AbortSignal) => Promise<GitRef[]>) {}

  /**
   * Refs sorted by name: all, those starting with `prefix` (a string), or those under any of the
   * given full path-component prefixes (`refs/tags/web` matches `refs/tags/web/v1` and itself, not
   * `refs/tags/web2/v1`).
   */
  async list(prefix?: string | readonly string[], signal?: AbortSignal): Promise<GitRef[]> {
    const refs = [...(await this.all(signal)).values()];
    const selected =
      prefix === undefined
        ? refs
        : typeof prefix === 'string'
          ? refs.filter((r) => r.name.startsWith(prefix))
          : refs.filter((r) => prefix.some((p) => r.name === p || r.name.startsWith(`${p}/`)));
    return selected.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async get(name: string, signal?: AbortSignal): Promise<GitRef | undefined> {
    return (await this.all(signal)).get(name);
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
    for (const { ref, newOid } of updates) {
      if (newOid === null) this.refs.delete(ref);
      else this.refs.set(ref, { name: ref, oid: newOid });
    }
  }

  private async all(signal?: AbortSignal): Promise<Map<string, GitRef>> {
    if (this.refs !== undefined) return this.refs;
    const generation = this.generation;
    const loaded = new Map((await this.load(signal)).map((r) => [r.name, r]));
    if (generation === this.generation) this.refs = loaded;
    return loaded;
  }
}
