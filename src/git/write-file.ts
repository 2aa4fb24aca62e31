/** File writes of the in-process object and ref writers. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * `writeFile`, creating the parent directory when it is missing (git prunes empty object and ref
 * directories, so one that existed may be gone; trying first saves a `mkdir` per write).
 */
export async function writeFileInDir(
  file: string,
  data: string | Buffer,
  options: fs.WriteFileOptions,
): Promise<void> {
  try {
    await fs.promises.writeFile(file, data, options);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, data, options);
  }
}
