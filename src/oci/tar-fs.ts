/**
 * Tar archives and directories: entries of a directory tree in a stable order (for reproducible
 * archives) and safe extraction into a directory (nothing is ever written outside it).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, readdir, readlink, link, rm, symlink, chmod } from 'node:fs/promises';
import { join, posix, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { TarError, type TarHeader } from './tar-header.js';
import { readTar, type TarReaderOptions } from './tar-reader.js';
import type { TarInput } from './tar-writer.js';

export interface DirectoryEntriesOptions {
  /** Prepended to every name, e.g. `package/` (a trailing slash is added when missing). */
  prefix?: string;
  /** Keep an entry (relative POSIX path, without prefix)? Returning false for a directory skips its subtree. */
  filter?: (path: string, type: 'file' | 'directory' | 'symlink') => boolean;
  /** Also emit directory entries (default true). */
  directories?: boolean;
  signal?: AbortSignal;
}

/**
 * Walks `root` depth-first with names sorted by byte order, yielding tar inputs whose file bodies
 * are opened only when written. Symlinks are kept as symlinks (the writer refuses those pointing
 * outside); sockets, devices and fifos are refused with an error naming the path.
 */
export async function* directoryEntries(
  root: string,
  options: DirectoryEntriesOptions = {},
): AsyncGenerator<TarInput> {
  const prefix = options.prefix ? options.prefix.replace(/\/*$/, '/') : '';
  const emitDirs = options.directories ?? true;
  if (prefix && emitDirs) {
    const parts = prefix.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i += 1) yield { name: parts.slice(0, i).join('/'), type: 'directory' };
  }
  async function* walk(rel: string): AsyncGenerator<TarInput> {
    options.signal?.throwIfAborted();
    const names = (await readdir(join(root, rel))).sort((a, b) =>
      Buffer.compare(Buffer.from(a), Buffer.from(b)),
    );
    for (const name of names) {
      const path = rel ? `${rel}/${name}` : name;
      const full = join(root, path);
      const stat = await lstat(full);
      if (stat.isDirectory()) {
        if (options.filter && !options.filter(path, 'directory')) continue;
        if (emitDirs) yield { name: prefix + path, type: 'directory', mode: stat.mode };
        yield* walk(path);
      } else if (stat.isFile()) {
        if (options.filter && !options.filter(path, 'file')) continue;
        yield {
          name: prefix + path,
          type: 'file',
          size: stat.size,
          mode: stat.mode,
          mtime: stat.mtime,
          body: () => createReadStream(full),
        };
      } else if (stat.isSymbolicLink()) {
        if (options.filter && !options.filter(path, 'symlink')) continue;
        yield { name: prefix + path, type: 'symlink', linkname: await readlink(full) };
      } else {
        throw new TarError(`"${full}" is not a file, directory or symlink and cannot be archived`, {
          entry: path,
        });
      }
    }
  }
  yield* walk('');
}

export interface ExtractOptions extends TarReaderOptions {
  /** Keep the entry's permission bits (masked to 0o777; default true). */
  preserveModes?: boolean;
}

function inside(root: string, name: string): string {
  const target = resolve(root, ...name.split('/'));
  if (target !== root && !target.startsWith(root + sep)) {
    throw new TarError(`tar entry "${name}" resolves outside the target directory`, { entry: name });
  }
  return target;
}

async function clear(path: string): Promise<void> {
  // A file, symlink or empty directory left at this path by an earlier entry is replaced, never followed.
  const stat = await lstat(path).catch(() => undefined);
  if (stat && !stat.isDirectory()) await rm(path, { force: true });
}

/**
 * Extracts an (uncompressed) tar into `dir`, which is created when missing. Validation is the
 * reader's (no `..`, no absolute paths, no devices, no links out); an entry replacing an earlier
 * file or symlink removes it first so nothing is written through a link. Returns the headers.
 * On error the directory may hold part of the archive: extract into a fresh temp dir and rename.
 */
export async function extractTar(
  source: AsyncIterable<Uint8Array>,
  dir: string,
  options: ExtractOptions = {},
): Promise<TarHeader[]> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const headers: TarHeader[] = [];
  for await (const entry of readTar(source, options)) {
    const { header } = entry;
    const target = inside(root, header.name);
    const mode = options.preserveModes === false ? undefined : header.mode & 0o777;
    await mkdir(posix.dirname(header.name) === '.' ? root : inside(root, posix.dirname(header.name)), {
      recursive: true,
    });
    switch (header.type) {
      case 'directory': {
        await clear(target);
        await mkdir(target, { recursive: true });
        if (mode !== undefined) await chmod(target, mode | 0o700);
        break;
      }
      case 'file': {
        await clear(target);
        await pipeline(
          Readable.from(entry.body()),
          createWriteStream(target, { flags: 'wx', ...(mode !== undefined ? { mode } : {}) }),
          options.signal ? { signal: options.signal } : {},
        );
        break;
      }
      case 'symlink': {
        await clear(target);
        await symlink(header.linkname, target);
        break;
      }
      case 'hardlink': {
        await clear(target);
        await link(inside(root, header.linkname), target);
        break;
      }
    }
    headers.push(header);
  }
  return headers;
}
