/**
 * File writes of the in-process object and ref writers. They are synchronous on purpose: each is a
 * few hundred bytes, and a synchronous call costs about a sixth of the CPU of the same call sent to
 * libuv's thread pool and back (measured: ~11 µs against ~65 µs per open/write/rename), which adds
 * up to milliseconds per revision on a busy server, while blocking it for microseconds only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `writeFileSync`, creating the parent directory when it is missing (git prunes empty object and
 * ref directories, so one that existed may be gone; trying first saves a `mkdir` per write).
 */
export function writeFileInDir(file: string, data: string | Buffer, options: fs.WriteFileOptions): void {
  try {
    fs.writeFileSync(file, data, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data, options);
  }
}
