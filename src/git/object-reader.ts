/**
 * Typed reads over the batch process: blobs, trees, commits and recursive listings. Listings walk
 * the tree level by level and request every tree of a level at once, so thousands of files cost
 * a few pipelined round-trips on one process, not a process per object.
 */
import type { RawObject } from './batch-frames.js';
import type { CatFileBatch } from './cat-file-batch.js';
import { GitError, GitObjectNotFoundError } from './errors.js';
import { sharedObjectCache } from './object-cache.js';
import { parseCommit, parseTree } from './objects.js';
import type { CommitInfo, FileMode, ObjectType, TreeEntry } from './objects.js';
import { joinPath, normalizeDirectory } from './paths.js';

/** A file (blob or symlink) in a listing; `path` is relative to the directory listed. */
export interface FileEntry {
  path: string;
  mode: FileMode;
  oid: string;
}

export interface ListOptions {
  /** Directory to list, relative to the repository root; default the root. */
  directory?: string;
  signal?: AbortSignal;
}

const COMMAND = ['git', 'cat-file', '--batch'] as const;

export class ObjectReader {
  constructor(private readonly batch: CatFileBatch) {}

  /**
   * Reads an object by oid (a full ref name also works). Throws `GitObjectNotFoundError` when it
   * does not exist and `GitError` when it has another type than `type`.
   */
  async readObject(name: string, type?: ObjectType, signal?: AbortSignal): Promise<RawObject> {
    const object = sharedObjectCache.get(name) ?? (await this.batch.read(name, signal));
    if (object === undefined) throw new GitObjectNotFoundError(name, { command: COMMAND });
    // Only by full id: a ref name or an abbreviation can name another object tomorrow.
    if (object.oid === name) sharedObjectCache.set(object);
    if (type !== undefined && object.type !== type) {
      throw new GitError(`git object "${name}" is a ${object.type}, not a ${type}`, { command: COMMAND });
    }
    return object;
  }

  async readBlob(oid: string, signal?: AbortSignal): Promise<Buffer> {
    return (await this.readObject(oid, 'blob', signal)).data;
  }

  async readTree(oid: string, signal?: AbortSignal): Promise<TreeEntry[]> {
    const object = await this.readObject(oid, 'tree', signal);
    return parseTree(object.data, object.oid.length / 2);
  }

  async readCommit(oid: string, signal?: AbortSignal): Promise<CommitInfo> {
    const object = await this.readObject(oid, 'commit', signal);
    return parseCommit(object.oid, object.data);
  }

  /** The tree of a commit (annotated tags are peeled); a tree oid is returned as it is. */
  async treeOf(commitOrTree: string, signal?: AbortSignal): Promise<string> {
    let object = await this.readObject(commitOrTree, undefined, signal);
    for (let depth = 0; object.type === 'tag' && depth < 10; depth++) {
      const target = /^object ([0-9a-f]+)$/m.exec(object.data.toString('utf8'))?.[1];
      if (target === undefined) break;
      object = await this.readObject(target, undefined, signal);
    }
    if (object.type === 'tree') return object.oid;
    if (object.type === 'commit') return parseCommit(object.oid, object.data).tree;
    throw new GitError(`git object "${commitOrTree}" is a ${object.type}, not a commit or tree`, {
      command: COMMAND,
    });
  }

  /** The entry at `path` (file or directory), or undefined when nothing is there. */
  async entryAt(commitOrTree: string, path: string, signal?: AbortSignal): Promise<TreeEntry | undefined> {
    const clean = normalizeDirectory(path);
    let tree = await this.treeOf(commitOrTree, signal);
    if (clean === '') return { name: '', mode: '040000', type: 'tree', oid: tree };
    const segments = clean.split('/');
    for (const [i, segment] of segments.entries()) {
      const entry = (await this.readTree(tree, signal)).find((e) => e.name === segment);
      if (entry === undefined) return undefined;
      if (i === segments.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  /** Content of the file at `path`, or undefined when there is no file there. */
  async readFile(commitOrTree: string, path: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    const entry = await this.entryAt(commitOrTree, path, signal);
    return entry?.type === 'blob' ? this.readBlob(entry.oid, signal) : undefined;
  }

  /**
   * Every file under `options.directory`, recursively, sorted by path. Paths are relative to that
   * directory. Submodule entries are skipped. A missing directory lists as empty.
   */
  async listFiles(commitOrTree: string, options: ListOptions = {}): Promise<FileEntry[]> {
    const files: FileEntry[] = [];
    await this.walk(commitOrTree, options, (entry) => {
      files.push(entry);
    });
    return files.sort((a, b) => compare(a.path, b.path));
  }

  /** Files named exactly `name` (e.g. `Kptfile`) anywhere under the directory, sorted by path. */
  async findFiles(commitOrTree: string, name: string, options: ListOptions = {}): Promise<FileEntry[]> {
    const files: FileEntry[] = [];
    await this.walk(commitOrTree, options, (entry, entryName) => {
      if (entryName === name) files.push(entry);
    });
    return files.sort((a, b) => compare(a.path, b.path));
  }

  /** Contents of every file under the directory, keyed by path relative to it, in path order. */
  async readFiles(commitOrTree: string, options: ListOptions = {}): Promise<Map<string, Buffer>> {
    const files = await this.listFiles(commitOrTree, options);
    const contents = await Promise.all(files.map((file) => this.readBlob(file.oid, options.signal)));
    return new Map(files.map((file, i) => [file.path, contents[i] ?? Buffer.alloc(0)]));
  }

  private async walk(
    commitOrTree: string,
    options: ListOptions,
    visit: (entry: FileEntry, name: string) => void,
  ): Promise<void> {
    const { signal } = options;
    const start = await this.entryAt(commitOrTree, normalizeDirectory(options.directory), signal);
    if (start?.type !== 'tree') return;
    let level = [{ oid: start.oid, path: '' }];
    while (level.length > 0) {
      signal?.throwIfAborted();
      const trees = await Promise.all(level.map((dir) => this.readTree(dir.oid, signal)));
      const next: typeof level = [];
      trees.forEach((entries, i) => {
        const parent = level[i]?.path ?? '';
        for (const entry of entries) {
          const path = joinPath(parent, entry.name);
          if (entry.type === 'tree') next.push({ oid: entry.oid, path });
          else if (entry.type === 'blob') visit({ path, mode: entry.mode, oid: entry.oid }, entry.name);
        }
      });
      level = next;
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
