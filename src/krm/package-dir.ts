/**
 * Package file maps ↔ a directory, for the CLI. Reading follows no symlink that leaves the directory;
 * writing never writes through a symlink or outside the directory, replaces the directory's package
 * files and removes files no longer in the map (the `.git` directory is left alone).
 */
import { lstat, mkdir, readdir, readFile, realpath, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { BadRequestError } from '../apimachinery/index.js';
import { toFileMap, validatePackagePaths, type PackageFiles } from './package-files.js';

export interface PackageDirOptions {
  signal?: AbortSignal;
  /** Package size limit for writing (MAX_PACKAGE_BYTES by default). */
  maxPackageBytes?: number;
}

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads every file under `dir` (except `.git/`) into a package file map, paths sorted. Symlinks are
 * followed only when they stay inside `dir`. Throws BadRequestError for a symlink leaving the
 * directory or a file that is not UTF-8 text.
 */
export async function readPackageDir(
  dir: string,
  options: PackageDirOptions = {},
): Promise<Map<string, string>> {
  const root = await realpath(dir);
  const files = new Map<string, string>();
  const walk = async (abs: string, rel: string): Promise<void> => {
    options.signal?.throwIfAborted();
    const entries = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (rel === '' && entry.name === '.git') continue;
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await realpath(childAbs).catch(() => undefined);
        if (target === undefined || !isInside(root, target)) {
          throw new BadRequestError(`${childRel}: symbolic link points outside the package directory`);
        }
        const s = await stat(target);
        isDir = s.isDirectory();
        isFile = s.isFile();
        if (isDir && isInside(target, abs)) {
          throw new BadRequestError(`${childRel}: symbolic link loops back into its own directory`);
        }
      }
      if (isDir) await walk(childAbs, childRel);
      else if (isFile) {
        const bytes = await readFile(childAbs);
        try {
          files.set(childRel, decoder.decode(bytes));
        } catch (err) {
          throw new BadRequestError(`${childRel}: not UTF-8 text; package files must be text`, {
            cause: err,
          });
        }
      }
    }
  };
  await walk(root, '');
  return files;
}

async function listFiles(root: string, rel = ''): Promise<{ files: string[]; dirs: string[] }> {
  const out = { files: [] as string[], dirs: [] as string[] };
  const entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
  for (const entry of entries) {
    if (rel === '' && entry.name === '.git') continue;
    const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      out.dirs.push(childRel);
      const sub = await listFiles(root, childRel);
      out.files.push(...sub.files);
      out.dirs.push(...sub.dirs);
    } else {
      out.files.push(childRel);
    }
  }
  return out;
}

/** Creates the parent directories of `rel` under `root`, refusing any symlink on the way. */
async function ensureParents(root: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let current = root;
  for (const part of parts) {
    current = join(current, part);
    const info = await lstat(current).catch(() => undefined);
    if (!info) await mkdir(current);
    else if (info.isSymbolicLink()) {
      throw new BadRequestError(`${relative(root, current)}: refusing to write through a symbolic link`);
    } else if (!info.isDirectory()) {
      await rm(current);
      await mkdir(current);
    }
  }
}

/**
 * Makes `dir` hold exactly `files` (plus an untouched `.git/`). Paths are validated first; nothing is
 * written when one is unsafe. Existing symlinks in the way are replaced, never followed.
 */
export async function writePackageDir(
  dir: string,
  files: PackageFiles,
  options: PackageDirOptions = {},
): Promise<void> {
  const wanted = toFileMap(files);
  const causes = validatePackagePaths(
    wanted,
    options.maxPackageBytes === undefined ? {} : { maxPackageBytes: options.maxPackageBytes },
  );
  if (causes.length > 0) {
    throw new BadRequestError(
      `cannot write the package to ${dir}: ${causes.map((c) => `${c.field}: ${c.message}`).join('; ')}`,
      {
        causes,
      },
    );
  }
  await mkdir(dir, { recursive: true });
  const root = await realpath(dir);
  const existing = await listFiles(root);
  for (const file of existing.files) {
    options.signal?.throwIfAborted();
    if (!wanted.has(file)) await rm(join(root, file), { force: true });
  }
  for (const [path, text] of wanted) {
    options.signal?.throwIfAborted();
    await ensureParents(root, path);
    const target = join(root, path);
    if (!isInside(root, target)) throw new BadRequestError(`${path}: outside the package directory`);
    const info = await lstat(target).catch(() => undefined);
    if (info?.isSymbolicLink() || info?.isDirectory()) await rm(target, { recursive: true, force: true });
    await writeFile(target, text);
  }
  // Remove directories left empty (deepest first).
  for (const d of existing.dirs.sort((a, b) => b.length - a.length)) {
    await rmdir(join(root, d)).catch(() => undefined);
  }
}
