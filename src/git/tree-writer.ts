/**
 * Builds a new tree from a base tree and a set of path changes, bottom-up: only the trees on the
 * paths of changed entries are read and rewritten; every other subtree is reused by oid, so a
 * one-file change in a repository of thousands of files writes one blob and `depth` trees.
 */
import type { LooseObjectWriter } from './loose-objects.js';
import { encodeTree } from './object-encoding.js';
import type { NewTreeEntry } from './object-encoding.js';
import type { FileMode, TreeEntry } from './objects.js';
import type { ObjectReader } from './object-reader.js';
import { assertPath, normalizeDirectory } from './paths.js';
import { assertOid } from './refs.js';

/**
 * New content for a path: file bytes, `null` to delete (a file or a whole directory), or an
 * existing object to place there (e.g. a tree from another commit, to graft a whole package).
 */
export type TreeChange = Buffer | null | { mode: FileMode; oid: string };

export type TreeChanges = ReadonlyMap<string, TreeChange> | Readonly<Record<string, TreeChange>>;

export interface WriteTreeOptions {
  /** Change paths are relative to this directory (default the root). */
  directory?: string;
  /** Drop everything under `directory` in the base first: the changes become its whole content. */
  replaceDirectory?: boolean;
  signal?: AbortSignal;
}

interface Node {
  change?: TreeChange;
  /** Set on the node of a replaced directory: start from empty instead of the base. */
  replace?: boolean;
  children: Map<string, Node>;
}

interface Context {
  reader: ObjectReader;
  writer: LooseObjectWriter;
  signal: AbortSignal | undefined;
}

/**
 * Writes the tree `base` + `changes` and returns its oid. `base` is a commit or tree oid, or
 * undefined for an empty start. Buffers keep an existing entry's executable bit; otherwise files
 * are `100644`. Directories left empty disappear, as git cannot store them. Throws on invalid
 * paths or when one change is a parent of another (`a` and `a/b`).
 */
export async function writeTree(
  reader: ObjectReader,
  writer: LooseObjectWriter,
  base: string | undefined,
  changes: TreeChanges,
  options: WriteTreeOptions = {},
): Promise<string> {
  const { signal } = options;
  const root = buildTrie(changes, normalizeDirectory(options.directory), options.replaceDirectory === true);
  const baseTree = base === undefined ? undefined : await reader.treeOf(base, signal);
  const tree = await buildTree({ reader, writer, signal }, baseTree, root);
  return tree ?? writer.write('tree', encodeTree([]), signal);
}

function buildTrie(changes: TreeChanges, directory: string, replace: boolean): Node {
  const root: Node = { children: new Map() };
  let top = root;
  for (const segment of directory === '' ? [] : directory.split('/')) top = child(top, segment);
  if (replace) top.replace = true;
  const entries = changes instanceof Map ? [...changes.entries()] : Object.entries(changes);
  for (const [path, change] of entries as Array<[string, TreeChange]>) {
    assertPath(path);
    if (change !== null && !Buffer.isBuffer(change)) assertOid(change.oid);
    let node = top;
    for (const segment of path.split('/')) {
      if (node.change !== undefined) throw conflict(path);
      node = child(node, segment);
    }
    if (node.change !== undefined || node.children.size > 0) throw conflict(path);
    node.change = change;
  }
  return root;
}

function child(node: Node, name: string): Node {
  let next = node.children.get(name);
  if (next === undefined) {
    next = { children: new Map() };
    node.children.set(name, next);
  }
  return next;
}

function conflict(path: string): Error {
  return new Error(`path "${path}" is changed twice or is inside another changed path`);
}

/** The oid of the rewritten tree, or undefined when it ends up empty. */
async function buildTree(
  ctx: Context,
  baseTree: string | undefined,
  node: Node,
): Promise<string | undefined> {
  ctx.signal?.throwIfAborted();
  const baseEntries: TreeEntry[] =
    baseTree === undefined || node.replace === true ? [] : await ctx.reader.readTree(baseTree, ctx.signal);
  const entries = new Map<string, NewTreeEntry>(baseEntries.map((e) => [e.name, e]));
  // A replaced directory dropped its base entries, so it is rewritten even if the changes are empty.
  let changed = node.replace === true;
  const subtrees = [...node.children].map(
    async ([name, next]): Promise<[string, NewTreeEntry | undefined]> => {
      const existing = entries.get(name);
      if (next.change === undefined) {
        const subBase = existing?.mode === '040000' ? existing.oid : undefined;
        const oid = await buildTree(ctx, subBase, next);
        return [name, oid === undefined ? undefined : { name, mode: '040000', oid }];
      }
      if (next.change === null) return [name, undefined];
      if (Buffer.isBuffer(next.change)) {
        const mode = existing?.mode === '100755' ? '100755' : '100644';
        return [name, { name, mode, oid: ctx.writer.write('blob', next.change, ctx.signal) }];
      }
      return [name, { name, mode: next.change.mode, oid: next.change.oid }];
    },
  );
  for (const [name, entry] of await Promise.all(subtrees)) {
    const before = entries.get(name);
    if (entry === undefined) {
      if (before !== undefined) changed = true;
      entries.delete(name);
    } else {
      if (before?.oid !== entry.oid || before.mode !== entry.mode) changed = true;
      entries.set(name, entry);
    }
  }
  if (entries.size === 0) return undefined;
  if (!changed && baseTree !== undefined) return baseTree;
  return ctx.writer.write('tree', encodeTree([...entries.values()]), ctx.signal);
}
