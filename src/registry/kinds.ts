/**
 * The set of kinds the server serves. Kinds are added and removed at run time (CRDs); readers
 * (discovery, OpenAPI, routing) look kinds up on every request and cache derived documents by
 * `generation`, which changes whenever the set does.
 */
import { EventEmitter } from 'node:events';
import { groupResource, type KindDefinition } from './kind.js';

export class KindRegistry {
  #byResource = new Map<string, KindDefinition>();
  #generation = 0;
  readonly #events = new EventEmitter();

  /** Bumped on every change; use it to invalidate cached discovery and OpenAPI documents. */
  get generation(): number {
    return this.#generation;
  }

  /** Adds or replaces the kind with the same group and plural. */
  register(kind: KindDefinition): void {
    this.#byResource.set(groupResource(kind), kind);
    this.#changed();
  }

  unregister(group: string, plural: string): void {
    if (this.#byResource.delete(group === '' ? plural : `${plural}.${group}`)) this.#changed();
  }

  /** All kinds, in a stable order (group, then plural). */
  all(): KindDefinition[] {
    return [...this.#byResource.values()].sort(
      (a, b) => a.group.localeCompare(b.group) || a.names.plural.localeCompare(b.names.plural),
    );
  }

  /** The kind served at `group/version` under `plural`, if any. */
  byResource(group: string, version: string, plural: string): KindDefinition | undefined {
    const kind = this.#byResource.get(group === '' ? plural : `${plural}.${group}`);
    return kind?.versions.includes(version) ? kind : undefined;
  }

  /** The kind stored under a group-resource (`plural.group`), any version. */
  byGroupResource(resource: string): KindDefinition | undefined {
    return this.#byResource.get(resource);
  }

  /** The kind with this group and `Kind` name (any version). */
  byKind(group: string, kindName: string): KindDefinition | undefined {
    for (const kind of this.#byResource.values()) {
      if (kind.group === group && kind.names.kind === kindName) return kind;
    }
    return undefined;
  }

  /** Served group versions, preferred version first within each group. */
  groups(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const kind of this.all()) {
      const versions = groups.get(kind.group) ?? [];
      for (const v of kind.versions) if (!versions.includes(v)) versions.push(v);
      groups.set(kind.group, versions);
    }
    return [...groups].map(([group, versions]) => ({ group, versions: sortVersions(versions) }));
  }

  onChange(listener: () => void): () => void {
    this.#events.on('change', listener);
    return () => this.#events.off('change', listener);
  }

  #changed(): void {
    this.#generation++;
    this.#events.emit('change');
  }
}

/**
 * Kubernetes version priority: GA > beta > alpha, higher major first, then higher minor;
 * versions that do not look like Kubernetes versions sort last, alphabetically.
 */
export function sortVersions(versions: readonly string[]): string[] {
  const rank = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [3, 0, 0];
    const stability = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
    return [stability, -Number(m[1]), -Number(m[3] ?? 0)];
  };
  return [...versions].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2] || a.localeCompare(b);
  });
}
