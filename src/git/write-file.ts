/**
 * File writes of the in-process object and ref writers. They are synchronous: each is one small
 * file on local disk, and a write through the thread pool costs more CPU (a thread hand-off and a
 * context switch per call) than the call itself saves the event loop.
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
