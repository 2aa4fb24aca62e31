/**
 * The files of a package folder as bytes, in a fixed order, with every path checked: no symlink
 * leaving the folder, no device, FIFO or socket, no unsafe path. What kind of package a folder
 * holds (Package Operator, kpt, or plain YAML) is decided by its root files.
 */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BadRequestError, NotFoundError } from '../apimachinery/index.js';
import { LOCK_FILES, MANIFEST_FILES } from './manifest.js';

/** Package files: slash-separated package-relative path → bytes, sorted by path. */
export type PackageFileMap = Map<string, Uint8Array>;

export type PackageFormat = 'package-operator' | 'kpt' | 'plain';

export interface ReadFolderOptions {
  signal?: AbortSignal;
  /** Largest total size accepted (bytes); 256 MiB by default. */
  maxBytes?: number;
}

export const DEFAULT_MAX_PACKAGE_BYTES = 256 * 1024 * 1024;

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !rel.startsWith(sep));
}

/** Byte-wise comparison of paths (Go's sort.Strings order); the order entries are written in. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether any segment of `path` starts with `.` (Package Operator ignores such files). */
export function hasDotSegment(path: string): boolean {
  return path.split('/').some((s) => s.startsWith('.'));
}

/**
 * Reads every regular file under `dir` (except a root `.git/`). Symlinks are followed only when
 * their target stays inside `dir`. Throws BadRequestError naming the path for anything else.
 */
export async function readPackageFolder(
  dir: string,
  options: ReadFolderOptions = {},
): Promise<PackageFileMap> {
  const info = await stat(dir).catch((err: unknown) => {
    throw new NotFoundError(
      { resource: 'package folders', name: dir },
      { cause: err, message: `package folder "${dir}" not found` },
    );
  });
  if (!info.isDirectory()) throw new BadRequestError(`"${dir}" is not a folder; give the package's folder`);
  const root = await realpath(dir);
  const max = options.maxBytes ?? DEFAULT_MAX_PACKAGE_BYTES;
  // Walk first (cheap, file types come with readdir), then read the files concurrently.
  const toRead: [rel: string, abs: string][] = [];
  const walk = async (abs: string, rel: string, seen: Set<string>): Promise<void> => {
    options.signal?.throwIfAborted();
    const entries = await readdir(abs, { withFileTypes: true });
    for (const entry of entries) {
      const name = entry.name;
      if (rel === '' && name === '.git') continue;
      const childAbs = join(abs, name);
      const childRel = rel === '' ? name : `${rel}/${name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      let real = childAbs;
      if (entry.isSymbolicLink()) {
        const target = await realpath(childAbs).catch(() => undefined);
        if (target === undefined) throw new BadRequestError(`${childRel}: symbolic link points to nothing`);
        if (!isInside(root, target)) {
          throw new BadRequestError(`${childRel}: symbolic link points outside the package folder`);
        }
        const s = await stat(target);
        isDir = s.isDirectory();
        isFile = s.isFile();
        real = target;
      }
      if (isDir) {
        if (seen.has(real))
          throw new BadRequestError(`${childRel}: symbolic link loops back into its own folder`);
        await walk(childAbs, childRel, new Set([...seen, real]));
      } else if (isFile) {
        toRead.push([childRel, childAbs]);
      } else {
        throw new BadRequestError(
          `${childRel}: not a regular file or folder (device, FIFO or socket); remove it`,
        );
      }
    }
  };
  await walk(root, '', new Set([root]));
  const files = new Map<string, Uint8Array>();
  let total = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < toRead.length) {
      const [rel, abs] = toRead[next++] as [string, string];
      options.signal?.throwIfAborted();
      const bytes = new Uint8Array(await readFile(abs));
      total += bytes.length;
      if (total > max) {
        throw new BadRequestError(
          `package folder "${dir}" is larger than ${max} bytes; split it or raise the limit`,
        );
      }
      files.set(rel, bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(32, toRead.length) }, worker));
  return new Map([...files.entries()].sort(([a], [b]) => comparePaths(a, b)));
}

/** The kind of package `files` holds, judged by its root files. */
export function packageFormat(files: ReadonlyMap<string, unknown>): PackageFormat {
  if (MANIFEST_FILES.some((f) => files.has(f))) return 'package-operator';
  if (files.has('Kptfile')) return 'kpt';
  return 'plain';
}

/**
 * The files that go into a package image: for a Package Operator package everything except
 * dot-prefixed segments (as Package Operator's build drops them, e.g. `.test-fixtures/`), for kpt
 * and plain packages everything.
 */
export function imageFiles(files: PackageFileMap, format: PackageFormat): PackageFileMap {
  if (format !== 'package-operator') return new Map(files);
  return new Map([...files].filter(([p]) => !hasDotSegment(p)));
}

export function isLockFile(path: string): boolean {
  return (LOCK_FILES as readonly string[]).includes(path);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The file as UTF-8 text; BadRequestError when it is not text. */
export function fileText(path: string, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch (err) {
    throw new BadRequestError(`${path}: not UTF-8 text`, { cause: err });
  }
}
