/**
 * `lading pkg build`: a package folder (Package Operator package with `manifest.yaml`, kpt package
 * with a `Kptfile`, or a plain folder of YAML) → a validated, reproducible package image.
 */
import { BadRequestError } from '../apimachinery/index.js';
import { KPTFILE, parseKptfile } from '../krm/index.js';
import { buildPackageImage, PackageAnnotation, type BuiltImage } from './package-image.js';
import {
  fileText,
  imageFiles,
  packageFormat,
  readPackageFolder,
  type PackageFileMap,
  type PackageFormat,
} from './package-source.js';
import { validatePackage, type ValidationReport } from './validate.js';
import { PackageViolationError } from './violation.js';

export interface BuildOptions {
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Accept template test fixtures that do not match (they fail the build by default, as in PKO). */
  allowFixtureMismatch?: boolean;
  signal?: AbortSignal;
}

export interface BuildResult {
  format: PackageFormat;
  /** Package name: the manifest's `metadata.name`, the Kptfile's, or the folder's base name. */
  name: string;
  /** The files that went into the image, package-relative. */
  files: PackageFileMap;
  image: BuiltImage;
  validation: ValidationReport | undefined;
  /** Problems that did not stop the build (e.g. a Kptfile kpt would refuse). */
  warnings: string[];
}

/** Validates and builds the package in `files`; `fallbackName` names a plain folder. */
export async function buildFromFiles(
  all: PackageFileMap,
  fallbackName: string,
  options: BuildOptions = {},
): Promise<BuildResult> {
  const format = packageFormat(all);
  let name = fallbackName;
  let validation: ValidationReport | undefined;
  const warnings: string[] = [];
  if (format === 'package-operator') {
    validation = validatePackage(all);
    name = validation.name;
    const bad = validation.testCases.filter((t) => t.mismatches.length > 0);
    if (bad.length > 0 && !options.allowFixtureMismatch) {
      const mismatches = bad.flatMap((b) => b.mismatches);
      throw new PackageViolationError(mismatches[0] ?? 'File mismatch against fixture', {
        details:
          mismatches.length > 1
            ? `(and ${mismatches.length - 1} more; \`lading pkg validate\` lists them, \`--allow-fixture-mismatch\` builds anyway)`
            : '',
      });
    }
  } else if (format === 'kpt') {
    // The image carries the package as it is: a Kptfile kpt itself would refuse to render (bad
    // pipeline, malformed YAML) is a warning here, not a reason to refuse transport.
    try {
      const kptfile = parseKptfile(fileText(KPTFILE, all.get(KPTFILE) ?? new Uint8Array()));
      name = kptfile.metadata.name || fallbackName;
    } catch (err) {
      warnings.push(`Kptfile: ${err instanceof Error ? err.message : String(err)}`);
    }
  } else if (![...all.keys()].some((p) => /\.ya?ml$/.test(p))) {
    throw new BadRequestError(
      'the folder holds no package: it needs a manifest.yaml (Package Operator), a Kptfile (kpt) or YAML files',
    );
  }
  const files = imageFiles(all, format);
  const image = await buildPackageImage(files, {
    title: name,
    format,
    ...(options.labels ? { labels: options.labels } : {}),
    ...(options.annotations ? { annotations: options.annotations } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { format, name, files, image, validation, warnings };
}

/** Reads `dir` and builds it (see buildFromFiles). */
export async function buildFromFolder(dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const all = await readPackageFolder(dir, options.signal ? { signal: options.signal } : {});
  const base = dir.replace(/\/+$/, '').split('/').pop() || 'package';
  return buildFromFiles(all, base, options);
}

export { PackageAnnotation };
