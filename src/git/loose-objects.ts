/**
 * Writes git objects into a repository in-process, as loose objects (`objects/xx/yyyy…`, zlib
 * deflated, written to a temp file and renamed into place: the same files `git hash-object -w`
 * writes, so every git command and our batch reader see them at once). No process per object.
 *
 * It also remembers what it was asked to write since the last `take()`: a push sends exactly the
 * objects the write created, without asking git to compute a pack.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync } from 'node:zlib';

import { sharedObjectCache } from './object-cache.js';
import { objectId } from './object-encoding.js';
import type { WritableType } from './object-encoding.js';
import { writeFileInDir } from './write-file.js';

export interface WrittenObject {
  oid: string;
  type: WritableType;
  body: Buffer;
}

export class LooseObjectWriter {
  private written = new Map<string, WrittenObject>();

  constructor(private readonly gitDir: string) {}

  /** Stores the object unless the repository has it loose already; returns its id. */
  write(type: WritableType, body: Buffer, signal?: AbortSignal): string {
    signal?.throwIfAborted();
    const oid = objectId(type, body);
    this.written.set(oid, { oid, type, body });
    const dir = path.join(this.gitDir, 'objects', oid.slice(0, 2));
    const file = path.join(dir, oid.slice(2));
    if (fs.existsSync(file)) return this.cached(oid, type, body);
    const temp = path.join(dir, `tmp_obj_lading_${randomBytes(6).toString('hex')}`);
    const data = deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body]), { level: 1 });
    try {
      writeFileInDir(temp, data, { mode: 0o444 });
      fs.renameSync(temp, file);
    } catch (err) {
      fs.rmSync(temp, { force: true });
      throw err;
    }
    return this.cached(oid, type, body);
  }

  /** Once the object is in the repository, later reads of it (blobs too) need not ask git. */
  private cached(oid: string, type: WritableType, body: Buffer): string {
    sharedObjectCache.setWritten({ oid, type, data: body });
    return oid;
  }

  /** The objects written since the last call (in write order), and forgets them. */
  take(): WrittenObject[] {
    const objects = [...this.written.values()];
    this.written = new Map();
    return objects;
  }
}
