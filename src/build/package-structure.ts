/**
 * The structure of a Package Operator package: exactly one `manifest.yaml`/`manifest.yml`, at most
 * one lock file, and with `spec.components: {}` one sub-package per folder of `components/`
 * (one level only; only folders and dot-files allowed there). Dot-prefixed paths are ignored.
 */
import {
  LOCK_FILES,
  MANIFEST_FILES,
  parsePackageManifest,
  parsePackageManifestLock,
  type PackageManifest,
  type PackageManifestLock,
} from './manifest.js';
import { fileText, hasDotSegment, type PackageFileMap } from './package-source.js';
import { PackageViolationError, VIOLATION } from './violation.js';

export interface LoadedPackage {
  manifest: PackageManifest;
  manifestPath: string;
  lock: PackageManifestLock | undefined;
  /** The package's own files (for a multi-component root: everything outside `components/`). */
  files: PackageFileMap;
  /** Components by folder name (empty unless `spec.components` is set). */
  components: Map<string, LoadedPackage>;
}

function pickOne(
  files: PackageFileMap,
  names: readonly string[],
  duplicated: string,
  component: string | undefined,
): [string, string] | undefined {
  const present = names.filter((n) => files.has(n));
  if (present.length > 1) {
    throw new PackageViolationError(duplicated, {
      ...(component ? { component } : {}),
      details: present.join(', '),
    });
  }
  const name = present[0];
  return name === undefined ? undefined : [name, fileText(name, files.get(name) ?? new Uint8Array())];
}

function loadSingle(files: PackageFileMap, component: string | undefined): Omit<LoadedPackage, 'components'> {
  if (files.size === 0) throw new PackageViolationError(VIOLATION.emptyPackage);
  const manifestFile = pickOne(files, MANIFEST_FILES, VIOLATION.manifestDuplicated, component);
  if (!manifestFile) {
    throw new PackageViolationError(VIOLATION.manifestNotFound, {
      ...(component ? { component } : {}),
      details: 'searched at manifest.yaml and manifest.yml',
    });
  }
  const manifest = parsePackageManifest(...manifestFile);
  const lockFile = pickOne(files, LOCK_FILES, VIOLATION.lockDuplicated, component);
  return {
    manifest,
    manifestPath: manifestFile[0],
    lock: lockFile ? parsePackageManifestLock(...lockFile) : undefined,
    files,
  };
}

/**
 * Loads the package in `files` (package-relative paths). Dot-prefixed paths are dropped first.
 * Throws PackageViolationError with Package Operator's reasons.
 */
export function loadPackage(all: PackageFileMap): LoadedPackage {
  const files = new Map([...all].filter(([p]) => !hasDotSegment(p)));
  const rootFiles = new Map([...files].filter(([p]) => !p.startsWith('components/')));
  const root = loadSingle(rootFiles, undefined);
  const components = new Map<string, LoadedPackage>();
  if (root.manifest.spec.components === undefined) {
    return { ...root, files, components };
  }
  const byComponent = new Map<string, PackageFileMap>();
  for (const path of [...all.keys()].filter((p) => p.startsWith('components/'))) {
    const rest = path.slice('components/'.length);
    const slash = rest.indexOf('/');
    if (slash < 0) {
      if (!rest.startsWith('.')) {
        throw new PackageViolationError(VIOLATION.invalidFileInComponentsDir, { path });
      }
      continue;
    }
    const name = rest.slice(0, slash);
    if (name.startsWith('.') || hasDotSegment(rest)) continue;
    const inner = rest.slice(slash + 1);
    if (inner.startsWith('components/')) {
      throw new PackageViolationError(VIOLATION.nestedComponents, { path, component: name });
    }
    const map = byComponent.get(name) ?? new Map<string, Uint8Array>();
    map.set(inner, all.get(path) ?? new Uint8Array());
    byComponent.set(name, map);
  }
  for (const [name, map] of byComponent) {
    const single = loadSingle(map, name);
    if (single.manifest.spec.components !== undefined) {
      throw new PackageViolationError(VIOLATION.nestedComponents, { component: name });
    }
    components.set(name, { ...single, components: new Map() });
  }
  return { ...root, files: rootFiles, components };
}

/** The component `name` of `pkg` ('' = the root). */
export function selectComponent(pkg: LoadedPackage, name: string | undefined): LoadedPackage {
  if (!name) return pkg;
  if (pkg.manifest.spec.components === undefined) {
    throw new PackageViolationError(VIOLATION.componentsNotEnabled, {
      details: `component "${name}" requested`,
    });
  }
  const component = pkg.components.get(name);
  if (!component) throw new PackageViolationError(VIOLATION.componentNotFound, { component: name });
  return component;
}
