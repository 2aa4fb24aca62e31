/**
 * The KRM resources of a package, read the way kpt reads a package for rendering: files named
 * `*.yaml`, `*.yml` or `Kptfile`; each package directory's `.krmignore` applies to its own files; a
 * document is a resource when it has `apiVersion`, `kind` and `metadata.name` (kustomization files
 * are accepted as they are). Each resource keeps its file path and document index, and the package
 * writes back with unchanged documents byte-identical.
 */
import { BadRequestError, fieldError } from '../apimachinery/index.js';
import { KRMIGNORE, parseKrmIgnore, type KrmIgnore } from './krmignore.js';
import { KPTFILE, resourcesField, toFileMap, type PackageFiles } from './package-files.js';
import { objectMeta } from './resource-meta.js';
import {
  parseYamlFile,
  serializeYamlFile,
  type YamlDocument,
  type YamlFile,
  type YamlLimits,
} from './yaml-file.js';

export interface KrmResource {
  /** Package-relative path of the file holding the resource. */
  path: string;
  /** Index of the document among the file's non-empty documents (kpt's `index`). */
  index: number;
  document: YamlDocument;
}

export interface SkippedDocument {
  path: string;
  index: number;
  reason: string;
}

export interface PackageResources {
  /** Parsed YAML files (also those with non-KRM documents), by path. */
  files: Map<string, YamlFile>;
  resources: KrmResource[];
  /** Documents that are not KRM resources (kept in their files, not in `resources`). */
  skipped: SkippedDocument[];
}

export interface ReadResourcesOptions {
  /** `skip` (default) leaves non-KRM documents out; `error` refuses them, as `kpt fn render` does. */
  nonKrm?: 'skip' | 'error';
  /** Include resources of subpackages (directories with their own Kptfile); true by default. */
  includeSubpackages?: boolean;
  limits?: YamlLimits;
}

const KUSTOMIZATION_FILES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function dirName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Whether kpt reads the file as package resources (case-sensitive, as kpt's glob). */
export function isPackageYamlFile(path: string): boolean {
  const base = baseName(path);
  return base === KPTFILE || base.endsWith('.yaml') || base.endsWith('.yml');
}

/** kpt's KRM check; returns why a document is not a resource, or undefined. */
export function krmProblem(path: string, document: YamlDocument): string | undefined {
  const meta = objectMeta(document.doc);
  if (KUSTOMIZATION_FILES.has(baseName(path))) return undefined;
  if (meta.apiVersion.startsWith('kustomize.config.k8s.io')) return undefined;
  if (meta.apiVersion === '' && meta.kind === 'Kustomization') return undefined;
  if (meta.apiVersion === '') return 'resource must have `apiVersion`';
  if (meta.kind === '') return 'resource must have `kind`';
  if (meta.name === '') return 'resource must have `metadata.name`';
  return undefined;
}

/** The package directory (`''` for the root) each file belongs to, given the Kptfiles present. */
function packageDirs(paths: Iterable<string>): string[] {
  const dirs = new Set(['']);
  for (const p of paths) if (baseName(p) === KPTFILE) dirs.add(dirName(p));
  return [...dirs].sort((a, b) => b.length - a.length);
}

function ownerPackage(path: string, dirs: readonly string[]): string {
  return dirs.find((d) => d === '' || path.startsWith(`${d}/`)) ?? '';
}

/**
 * Directory-walk order (kpt reads files as a depth-first walk with names sorted byte-wise in each
 * directory): compares segment by segment, so `a/x.yaml` comes before `a.yaml`.
 */
export function comparePackagePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

export function readPackageResources(
  files: PackageFiles,
  options: ReadResourcesOptions = {},
): PackageResources {
  const map = toFileMap(files);
  const dirs = packageDirs(map.keys());
  const ignores = new Map<string, KrmIgnore>();
  for (const d of dirs) {
    const text = map.get(d === '' ? KRMIGNORE : `${d}/${KRMIGNORE}`);
    if (text !== undefined) ignores.set(d, parseKrmIgnore(text));
  }
  const result: PackageResources = { files: new Map(), resources: [], skipped: [] };
  const paths = [...map.keys()].filter(isPackageYamlFile).sort(comparePackagePaths);
  for (const path of paths) {
    const owner = ownerPackage(path, dirs);
    if (owner !== '' && options.includeSubpackages === false) continue;
    const rel = owner === '' ? path : path.slice(owner.length + 1);
    if (ignores.get(owner)?.ignores(rel, false)) continue;
    const file = parseYamlFile(path, map.get(path) ?? '', options.limits);
    result.files.set(path, file);
    file.documents.forEach((document, index) => {
      const problem = krmProblem(path, document);
      if (problem === undefined) {
        result.resources.push({ path, index, document });
        return;
      }
      if (options.nonKrm === 'error') {
        throw new BadRequestError(
          `input resource list must contain only KRM resources: ${path}: ${problem}`,
          {
            causes: [fieldError.invalid(resourcesField(path), index, problem)],
          },
        );
      }
      result.skipped.push({ path, index, reason: problem });
    });
  }
  return result;
}

/**
 * Writes resources back into the package: files keep their non-KRM documents in place, resources
 * are placed by `path` and ordered by `index`, files left without documents are deleted, files of
 * new paths are created. Unchanged documents keep their bytes; changed and new ones are written in
 * kpt's format. Returns the new file map.
 */
export function writePackageResources(
  files: PackageFiles,
  pkg: PackageResources,
  resources: readonly KrmResource[],
): Map<string, string> {
  const out = toFileMap(files);
  const byPath = new Map<string, { index: number; order: number; document: YamlDocument }[]>();
  const add = (path: string, index: number, document: YamlDocument): void => {
    const list = byPath.get(path) ?? [];
    list.push({ index, order: list.length, document });
    byPath.set(path, list);
  };
  for (const s of pkg.skipped) {
    const document = pkg.files.get(s.path)?.documents[s.index];
    if (document) add(s.path, s.index, document);
  }
  for (const r of resources) add(r.path, r.index, r.document);
  for (const [path, file] of pkg.files) {
    // A file whose documents all went is deleted (a file that never had any stays).
    if (!byPath.has(path) && file.documents.length > 0) out.delete(path);
  }
  for (const [path, list] of byPath) {
    list.sort((a, b) => a.index - b.index || a.order - b.order);
    const documents = list.map((e) => e.document);
    const file = pkg.files.get(path);
    out.set(path, file ? serializeYamlFile(file, documents) : serializeYamlFile(emptyFile(path), documents));
  }
  return out;
}

function emptyFile(path: string): YamlFile {
  return { path, text: '', documents: [], chunks: [] };
}

/**
 * kyaml's default file for a resource that has no path: `[<dir>/][<namespace>/]<kind>_<name>.yaml`
 * with the kind in lower case.
 */
export function defaultResourcePath(
  meta: { kind: string; name: string; namespace?: string },
  dir = '',
): string {
  return [dir, meta.namespace ?? '', `${meta.kind.toLowerCase()}_${meta.name}.yaml`]
    .filter((p) => p !== '')
    .join('/');
}
