/**
 * Sets refs the way git's files backend stores them, without starting git: each ref a file
 * `<git dir>/<ref>` holding `<oid>\n`, written to `<ref>.lock` and renamed into place; a loose file
 * overrides `packed-refs`. Only for refs whose new values are known facts (mirroring what a push
 * made the remote hold), so there is no old value to check.
 *
 * A deletion of a ref that is in `packed-refs` would need that file rewritten: then this returns
 * false before touching anything, and the caller lets `git update-ref` do it. An I/O error (a
 * directory where a ref file should be, …) is thrown; all updates are absolute values, so the
 * caller can simply let git apply the same updates again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { assertOid, assertRefName } from './refs.js';

export interface KnownRefValue {
  ref: string;
  /** null deletes the ref. */
  newOid: string | null;
}

export async function writeLooseRefs(gitDir: string, updates: readonly KnownRefValue[]): Promise<boolean> {
  for (const { ref, newOid } of updates) {
    assertRefName(ref);
    if (newOid !== null) assertOid(newOid);
  }
  const deletions = updates.filter((u) => u.newOid === null).map((u) => u.ref);
  if (deletions.length > 0) {
    const packed = await fs.promises.readFile(path.join(gitDir, 'packed-refs'), 'utf8').catch(notFound(''));
    if (deletions.some((ref) => packed.includes(` ${ref}\n`))) return false;
  }
  for (const { ref, newOid } of updates) {
    const file = path.join(gitDir, ref);
    if (newOid === null) {
      await fs.promises.rm(file, { force: true });
      await removeEmptyParents(gitDir, path.dirname(file));
    } else {
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // git's own lock name: an existing one (another writer, or a crash) stops us as it stops git.
      const lock = `${file}.lock`;
      await fs.promises.writeFile(lock, `${newOid}\n`, { flag: 'wx' });
      try {
        await fs.promises.rename(lock, file);
      } catch (err) {
        await fs.promises.rm(lock, { force: true });
        throw err;
      }
    }
  }
  return true;
}

/** Like git: directories left empty by a deleted ref go too, up to `refs/heads`, `refs/tags`… */
async function removeEmptyParents(gitDir: string, dir: string): Promise<void> {
  const stop = path.join(gitDir, 'refs');
  for (let current = dir; path.dirname(current) !== stop && current.startsWith(stop);) {
    try {
      await fs.promises.rmdir(current);
    } catch {
      return; // not empty (or already gone)
    }
    current = path.dirname(current);
  }
}

function notFound<T>(fallback: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT') return fallback;
    throw err;
  };
}
