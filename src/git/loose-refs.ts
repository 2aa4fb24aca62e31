/**
 * Sets refs the way git's files backend stores them, without starting git: each ref a file
 * `<git dir>/<ref>` holding `<oid>\n`, written to `<ref>.lock` and renamed into place; a loose file
 * overrides `packed-refs`. Only for refs whose new values are known facts (mirroring what a push
 * made the remote hold), so there is no old value to check.
 *
 * A deletion of a ref that is in `packed-refs` would need that file rewritten: then this returns
 * false before touching anything, and the caller lets `git update-ref` do it. An I/O error (a
 * ref under a name that is a ref file, …) is thrown; all updates are absolute values, so the
 * caller can simply let git apply the same updates again.
 *
 * A deleted ref leaves its directories behind (`refs/heads/drafts/<pkg>/`): the next draft of the
 * package needs them again, and making a directory costs as much as writing a file. git reads refs
 * the same with or without empty directories, and like git's own writer this one removes empty
 * ones that stand where a ref file goes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { assertOid, assertRefName } from './refs.js';
import { writeFileInDir } from './write-file.js';

export interface KnownRefValue {
  ref: string;
  /** null deletes the ref. */
  newOid: string | null;
}

export class LooseRefWriter {
  /** `packed-refs` as last read, with the stat it was read at. */
  private packed: { key: string; text: string } | undefined;

  constructor(private readonly gitDir: string) {}

  write(updates: readonly KnownRefValue[]): boolean {
    for (const { ref, newOid } of updates) {
      assertRefName(ref);
      if (newOid !== null) assertOid(newOid);
    }
    const deletions = updates.filter((u) => u.newOid === null).map((u) => u.ref);
    if (deletions.length > 0) {
      const packed = this.packedRefs();
      if (deletions.some((ref) => packed.includes(` ${ref}\n`))) return false;
    }
    for (const { ref, newOid } of updates) {
      const file = path.join(this.gitDir, ref);
      if (newOid === null) fs.rmSync(file, { force: true });
      else writeRefFile(file, newOid);
    }
    return true;
  }

  /** The text of `packed-refs` ('' when there is none), read again only when it changed. */
  private packedRefs(): string {
    const file = path.join(this.gitDir, 'packed-refs');
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat === undefined) return '';
    const key = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    if (this.packed?.key !== key) this.packed = { key, text: fs.readFileSync(file, 'utf8') };
    return this.packed.text;
  }
}

/** git's own lock name: an existing one (another writer, or a crash) stops us as it stops git. */
function writeRefFile(file: string, oid: string): void {
  const lock = `${file}.lock`;
  writeFileInDir(lock, `${oid}\n`, { flag: 'wx' });
  try {
    renameOverEmptyDirectory(lock, file);
  } catch (err) {
    fs.rmSync(lock, { force: true });
    throw err;
  }
}

/** `rename`, first removing a tree of empty directories (left by deleted refs) that is in the way. */
function renameOverEmptyDirectory(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
    removeEmptyTree(to);
    fs.renameSync(from, to);
  }
}

/** Removes a directory holding nothing but empty directories; throws if it holds any file. */
function removeEmptyTree(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) throw new Error(`ref ${entry.name} exists under ${dir}`);
    removeEmptyTree(path.join(dir, entry.name));
  }
  fs.rmdirSync(dir);
}
