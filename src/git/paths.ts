/**
 * Repository-relative paths as this module accepts them: `/`-separated, no leading or trailing
 * slash, no empty, `.` or `..` segments, no `.git` segment, no NUL. Anything else is refused
 * rather than normalised, because such paths come from outside (package files, requests).
 */

/** Normalises a directory argument: `''`, `'.'` and `'/'` mean the root; a trailing `/` is dropped. */
export function normalizeDirectory(directory: string | undefined): string {
  if (directory === undefined) return '';
  const trimmed = directory.replace(/^\/+|\/+$/g, '');
  if (trimmed === '' || trimmed === '.') return '';
  assertPath(trimmed);
  return trimmed;
}

/** Throws unless `path` is a clean relative path (see the module comment). */
export function assertPath(path: string): void {
  if (path === '' || path.startsWith('/') || path.endsWith('/')) {
    throw new Error(`path "${path}" must be relative, non-empty and must not start or end with "/"`);
  }
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..' || segment.toLowerCase() === '.git') {
      throw new Error(`path "${path}" must not contain empty, ".", ".." or ".git" segments`);
    }
    if (segment.includes('\0')) throw new Error(`path "${JSON.stringify(path)}" must not contain NUL`);
  }
}

export function joinPath(directory: string, name: string): string {
  return directory === '' ? name : `${directory}/${name}`;
}
