/**
 * The packages of a file map as kpt sees them for rendering: every directory holding a `Kptfile`
 * is a package; a package's local resources are its own files (not those of its subpackages), read
 * with its `.krmignore`, with paths relative to the package directory.
 */
import { BadRequestError } from '../apimachinery/index.js';
import {
  KPTFILE,
  comparePackagePaths,
  parseKptfile,
  readPackageResources,
  type Kptfile,
  type PackageResources,
  type YamlLimits,
} from '../krm/index.js';

export interface PackageNode {
  /** Directory relative to the root package, `''` for the root. */
  dir: string;
  kptfile: Kptfile;
  /** Direct subpackages, in directory-walk order. */
  children: PackageNode[];
}

function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** `dir/path`, or `path` for the root. */
export function joinPackagePath(dir: string, path: string): string {
  return dir === '' ? path : `${dir}/${path}`;
}

/** Display form kpt uses in messages: `.` for the root, `./sub` for a subpackage. */
export function displayPackage(dir: string): string {
  return dir === '' ? '.' : `./${dir}`;
}

/**
 * The package tree. Throws BadRequestError when the root has no Kptfile and InvalidError when a
 * Kptfile is invalid (kpt's pipeline rules included).
 */
export function packageTree(files: ReadonlyMap<string, string>): PackageNode {
  const kptfiles = [...files.keys()]
    .filter((p) => p === KPTFILE || p.endsWith(`/${KPTFILE}`))
    .map(parentDir)
    .sort(comparePackagePaths);
  if (!files.has(KPTFILE)) {
    throw new BadRequestError('No Kptfile found at the package root; `fn render` needs a kpt package');
  }
  const nodes = new Map<string, PackageNode>();
  for (const dir of kptfiles) {
    const path = joinPackagePath(dir, KPTFILE);
    const kptfile = parseKptfile(files.get(path) ?? '', { path });
    nodes.set(dir, { dir, kptfile, children: [] });
  }
  for (const dir of kptfiles) {
    if (dir === '') continue;
    let parent = parentDir(dir);
    while (!nodes.has(parent)) parent = parentDir(parent);
    nodes.get(parent)?.children.push(nodes.get(dir) as PackageNode);
  }
  return nodes.get('') as PackageNode;
}

/** The package's own files, with paths relative to its directory. */
export function packageFiles(files: ReadonlyMap<string, string>, dir: string): Map<string, string> {
  if (dir === '') return new Map(files);
  const prefix = `${dir}/`;
  const out = new Map<string, string>();
  for (const [p, text] of files) if (p.startsWith(prefix)) out.set(p.slice(prefix.length), text);
  return out;
}

/** The local resources of one package (kpt refuses documents that are not KRM resources). */
export function readLocalResources(
  files: ReadonlyMap<string, string>,
  dir: string,
  limits?: YamlLimits,
): PackageResources {
  return readPackageResources(packageFiles(files, dir), {
    includeSubpackages: false,
    nonKrm: 'error',
    ...(limits ? { limits } : {}),
  });
}
