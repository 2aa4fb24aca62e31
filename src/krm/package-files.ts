/**
 * A package as Porch's `PackageRevisionResources.spec.resources` holds it: package-relative,
 * slash-separated path → file text. Paths come from outside (API requests, archives, directories),
 * so they are validated before anything touches a file system.
 */
import { fieldError, type StatusCause } from '../apimachinery/index.js';

/** Package files: path → text. Either a Map or a plain object. */
export type PackageFiles = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** Porch's request body limit; the total size (UTF-8 bytes of paths and texts) of a package. */
export const MAX_PACKAGE_BYTES = 6 * 1024 * 1024;
/** Longest path, in UTF-8 bytes (PATH_MAX on Linux). */
export const MAX_PATH_BYTES = 4096;

export const KPTFILE = 'Kptfile';

/** The field path used in error causes for a package file. */
export function resourcesField(path: string): string {
  return `spec.resources[${path}]`;
}

/** A copy of `files` as a Map (keeps insertion order). */
export function toFileMap(files: PackageFiles): Map<string, string> {
  if (files instanceof Map) return new Map(files as ReadonlyMap<string, string>);
  return new Map(Object.entries(files as Record<string, string>));
}

function entries(files: PackageFiles): [string, string][] {
  if (files instanceof Map) return [...(files as ReadonlyMap<string, string>).entries()];
  return Object.entries(files as Record<string, string>);
}

export interface PathValidationOptions {
  /** Total size limit in bytes; `MAX_PACKAGE_BYTES` by default. */
  maxPackageBytes?: number;
}

// C0 controls, DEL and C1 controls; NUL is one of them.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Problems with one path, or [] when it is a safe package-relative path. */
export function validatePackagePath(path: string): StatusCause[] {
  const field = resourcesField(path);
  const causes: StatusCause[] = [];
  if (path === '') return [fieldError.required(field, 'the path must not be empty')];
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES)
    causes.push(fieldError.tooLong(field, MAX_PATH_BYTES));
  if (CONTROL.test(path)) {
    causes.push(fieldError.invalid(field, path, 'must not contain NUL or control characters'));
  }
  if (path.includes('\\')) {
    causes.push(fieldError.invalid(field, path, 'must use `/` as separator and must not contain `\\`'));
  }
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    causes.push(fieldError.invalid(field, path, 'must be relative to the package directory'));
  }
  const segments = path.split('/');
  if (segments.some((s) => s === '..')) {
    causes.push(fieldError.invalid(field, path, 'must not contain `..` segments'));
  }
  if (segments.some((s) => s === '.')) {
    causes.push(fieldError.invalid(field, path, 'must not contain `.` segments'));
  }
  if (!path.startsWith('/') && segments.some((s) => s === '')) {
    causes.push(fieldError.invalid(field, path, 'must not contain empty segments (`//` or a trailing `/`)'));
  }
  if (segments[0] === '.git') {
    causes.push(fieldError.forbidden(field, 'the `.git` directory is not package content'));
  }
  return causes;
}

/**
 * Validates every path of a package and the package size. Accepts the file map itself (then sizes
 * count) or just the paths. Returns the problems; an empty list means the package is acceptable.
 */
export function validatePackagePaths(
  input: PackageFiles | Iterable<string>,
  options: PathValidationOptions = {},
): StatusCause[] {
  const causes: StatusCause[] = [];
  let total = 0;
  const isFiles = input instanceof Map || !(Symbol.iterator in Object(input));
  const pairs: [string, string | undefined][] = isFiles
    ? entries(input as PackageFiles)
    : [...(input as Iterable<string>)].map((p) => [p, undefined]);
  const seenLower = new Map<string, string>();
  for (const [path, text] of pairs) {
    causes.push(...validatePackagePath(path));
    total += Buffer.byteLength(path, 'utf8') + (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
    // A file and a directory of the same name cannot both exist on disk.
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (seenLower.get(dir) === 'file') {
        causes.push(fieldError.invalid(resourcesField(path), path, `\`${dir}\` is a file, not a directory`));
      }
      if (!seenLower.has(dir)) seenLower.set(dir, 'dir');
    }
    if (seenLower.get(path) === 'dir') {
      causes.push(fieldError.invalid(resourcesField(path), path, 'is also used as a directory'));
    }
    seenLower.set(path, 'file');
  }
  const max = options.maxPackageBytes ?? MAX_PACKAGE_BYTES;
  if (total > max) {
    causes.push({
      reason: 'FieldValueTooLong',
      field: 'spec.resources',
      message: `Too long: the package is ${total} bytes; it must not be larger than ${max} bytes`,
    });
  }
  return causes;
}
