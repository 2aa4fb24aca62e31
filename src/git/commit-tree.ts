/** Commits in-process: the bytes `git commit-tree` writes, stored as a loose object. */
import type { LooseObjectWriter } from './loose-objects.js';
import { encodeCommit } from './object-encoding.js';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface CommitTreeOptions {
  tree: string;
  /** Parent commits in order; none for a root commit. */
  parents?: readonly string[];
  /** Stored as given, plus a final newline if missing (no comment stripping, no reflow). */
  message: string;
  author: GitIdentity;
  /** Defaults to the author. */
  committer?: GitIdentity;
  /** Author and committer date (written as UTC); defaults to now. Fix it for reproducible oids. */
  date?: Date;
  signal?: AbortSignal;
}

export function commitTree(options: CommitTreeOptions, writer: LooseObjectWriter): string {
  const body = encodeCommit({
    tree: options.tree,
    parents: options.parents ?? [],
    author: options.author,
    committer: options.committer ?? options.author,
    date: options.date ?? new Date(),
    message: options.message,
  });
  return writer.write('commit', body, options.signal);
}
