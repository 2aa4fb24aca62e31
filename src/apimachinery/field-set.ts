/**
 * Sets of field paths as server-side apply tracks them (`sigs.k8s.io/structured-merge-diff`
 * `fieldpath.Set`), and their `FieldsV1` serialization in `metadata.managedFields`.
 *
 * A path is a list of path elements, each in its serialized form:
 * - `f:<name>`  a struct field or map key;
 * - `k:<json>`  an item of a list with map semantics, by its key fields sorted by name: `k:{"name":"a"}`;
 * - `v:<json>`  an item of a list with set semantics, by value: `v:"example.com/finalizer"`;
 * - `i:<index>` an item by position (not produced here, accepted when decoding).
 * In `FieldsV1`, every element is an object key; `".": {}` marks a node that is itself a member
 * and also has members below it.
 *
 * Sets are immutable values: operations never change their operands (and may return one of them).
 */

export type FieldPath = readonly string[];

interface Node {
  members: Set<string>;
  children: Map<string, Node>;
}

export class FieldSet {
  private static readonly emptySet = new FieldSet(new Set(), new Map());
  private readonly members: ReadonlySet<string>;
  private readonly children: ReadonlyMap<string, FieldSet>;

  private constructor(members: ReadonlySet<string>, children: ReadonlyMap<string, FieldSet>) {
    this.members = members;
    this.children = children;
  }

  static empty(): FieldSet {
    return FieldSet.emptySet;
  }

  static of(paths: Iterable<FieldPath>): FieldSet {
    const root: Node = { members: new Set(), children: new Map() };
    for (const path of paths) {
      let node = root;
      path.forEach((element, i) => {
        if (i === path.length - 1) {
          node.members.add(element);
          return;
        }
        let next = node.children.get(element);
        if (next === undefined) {
          next = { members: new Set(), children: new Map() };
          node.children.set(element, next);
        }
        node = next;
      });
    }
    return FieldSet.fromNode(root);
  }

  private static fromNode(node: Node): FieldSet {
    const children = new Map<string, FieldSet>();
    for (const [element, child] of node.children) {
      const set = FieldSet.fromNode(child);
      if (!set.isEmpty()) children.set(element, set);
    }
    return node.members.size === 0 && children.size === 0
      ? FieldSet.emptySet
      : new FieldSet(node.members, children);
  }

  /** Parses a `FieldsV1` object. Throws `Error` naming the offending key when it is malformed. */
  static fromFieldsV1(fields: unknown, where: readonly string[] = []): FieldSet {
    if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
      throw new Error(`FieldsV1 at ${formatFieldPath(where) || 'the root'} must be an object`);
    }
    const members = new Set<string>();
    const children = new Map<string, FieldSet>();
    for (const [element, value] of Object.entries(fields)) {
      if (element === '.') continue;
      if (!/^[fkvi]:/.test(element))
        throw new Error(`FieldsV1 key ${JSON.stringify(element)} has no f:, k:, v: or i: prefix`);
      const below = FieldSet.fromFieldsV1(value, [...where, element]);
      const marked = Object.hasOwn(value as object, '.');
      if (below.isEmpty() || marked) members.add(element);
      if (!below.isEmpty()) children.set(element, below);
    }
    return new FieldSet(members, children);
  }

  isEmpty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** True when `path` itself is a member. */
  has(path: FieldPath): boolean {
    const [head, ...rest] = path;
    if (head === undefined) return false;
    if (rest.length === 0) return this.members.has(head);
    return this.child(head).has(rest);
  }

  /** True when `element` is a member at this level. */
  hasMember(element: string): boolean {
    return this.members.has(element);
  }

  /** The members below `element` (paths relative to it); empty when there are none. */
  child(element: string): FieldSet {
    return this.children.get(element) ?? FieldSet.emptySet;
  }

  /** Every member path, in serialization order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    for (const element of this.elements()) {
      if (this.members.has(element)) out.push([element]);
      for (const rest of this.child(element).paths()) out.push([element, ...rest]);
    }
    return out;
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    return this.combine(
      other,
      (a, b) => a || b,
      (a, b) => a.union(b),
    );
  }

  intersection(other: FieldSet): FieldSet {
    if (this.isEmpty()) return this;
    if (other.isEmpty()) return other;
    return this.combine(
      other,
      (a, b) => a && b,
      (a, b) => a.intersection(b),
    );
  }

  /** Members of this set that are not members of `other` (exact paths; descendants are kept). */
  difference(other: FieldSet): FieldSet {
    if (this.isEmpty() || other.isEmpty()) return this;
    return this.combine(
      other,
      (a, b) => a && !b,
      (a, b) => a.difference(b),
    );
  }

  /** This set without `prefix` and everything below it. */
  withoutSubtree(prefix: FieldPath): FieldSet {
    const [head, ...rest] = prefix;
    if (head === undefined) return FieldSet.emptySet;
    const members = new Set(this.members);
    const children = new Map(this.children);
    if (rest.length === 0) {
      members.delete(head);
      children.delete(head);
    } else {
      const child = this.child(head).withoutSubtree(rest);
      if (child.isEmpty()) children.delete(head);
      else children.set(head, child);
    }
    return new FieldSet(members, children);
  }

  /** The `FieldsV1` JSON object of this set. */
  toFieldsV1(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const element of this.elements()) {
      const below = this.child(element);
      const node = below.isEmpty() ? {} : below.toFieldsV1();
      out[element] = this.members.has(element) && !below.isEmpty() ? { '.': {}, ...node } : node;
    }
    return out;
  }

  /** Path elements at this level, members or not, in serialization order. */
  private elements(): string[] {
    return sortElements([...new Set([...this.members, ...this.children.keys()])]);
  }

  private combine(
    other: FieldSet,
    member: (inThis: boolean, inOther: boolean) => boolean,
    child: (a: FieldSet, b: FieldSet) => FieldSet,
  ): FieldSet {
    const members = new Set<string>();
    const children = new Map<string, FieldSet>();
    const elements = new Set([
      ...this.members,
      ...this.children.keys(),
      ...other.members,
      ...other.children.keys(),
    ]);
    for (const element of elements) {
      if (member(this.members.has(element), other.members.has(element))) members.add(element);
      const merged = child(this.child(element), other.child(element));
      if (!merged.isEmpty()) children.set(element, merged);
    }
    return members.size === 0 && children.size === 0 ? FieldSet.emptySet : new FieldSet(members, children);
  }
}

const elementTypeOrder: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Field names first, then keyed items, set values and indexes; each group in byte order. */
function sortElements(elements: string[]): string[] {
  return elements.sort((a, b) => {
    const byType = (elementTypeOrder[a.charAt(0)] ?? 9) - (elementTypeOrder[b.charAt(0)] ?? 9);
    return byType !== 0 ? byType : a < b ? -1 : a > b ? 1 : 0;
  });
}

/**
 * A path as Kubernetes prints it in conflict messages: `.spec.containers[name="nginx"].image`,
 * `.metadata.finalizers[="a"]`, `.spec.ports[port=80,protocol="TCP"]`.
 */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      switch (element.charAt(0)) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const key = JSON.parse(body) as Record<string, unknown>;
          return `[${Object.entries(key)
            .map(([name, value]) => `${name}=${JSON.stringify(value)}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
