/**
 * Resource paths: `/api/v1/…` (core group) and `/apis/<group>/<version>/…`, optionally
 * `namespaces/<ns>/`, then `<plural>[/<name>[/<subresource>]]`, plus the legacy
 * `…/watch/…` prefix. Namespaces themselves are `/api/v1/namespaces/<name>[/status]`.
 */
export interface ResourcePath {
  group: string;
  version: string;
  /** Present when the path names a namespace (`namespaces/<ns>/<plural>…`). */
  namespace?: string;
  plural: string;
  name?: string;
  subresource?: string;
  /** The legacy `/watch/` form. */
  watch: boolean;
}

/** Parses a resource path; undefined when the path is not one (discovery, unknown prefixes). */
export function parseResourcePath(pathname: string): ResourcePath | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    rest = parts.slice(1);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    rest = parts.slice(2);
  } else {
    return undefined;
  }
  const [version, ...tail] = rest;
  if (version === undefined) return undefined;
  let watch = false;
  if (tail[0] === 'watch') {
    watch = true;
    tail.shift();
  }
  // `namespaces/<ns>/<plural>…` addresses namespaced objects; `namespaces[/<name>[/sub]]` alone is
  // the Namespace kind itself.
  const namespaceItself = group === '' && tail.length === 3 && isNamespaceSubresource(tail[2]);
  if (tail[0] === 'namespaces' && tail.length >= 3 && !namespaceItself) {
    const [, namespace, plural, name, subresource, ...extra] = tail;
    if (extra.length > 0 || plural === undefined) return undefined;
    return withOptional({ group, version, namespace: namespace ?? '', plural, watch }, name, subresource);
  }
  const [plural, name, subresource, ...extra] = tail;
  if (plural === undefined || extra.length > 0) return undefined;
  return withOptional({ group, version, plural, watch }, name, subresource);
}

/** `/api/v1/namespaces/<name>/status` and `/finalize` are subresources of a Namespace. */
function isNamespaceSubresource(segment: string | undefined): boolean {
  return segment === 'status' || segment === 'finalize';
}

function withOptional(
  path: Omit<ResourcePath, 'name' | 'subresource'>,
  name?: string,
  subresource?: string,
): ResourcePath {
  const result: ResourcePath = { ...path };
  if (name !== undefined) result.name = name;
  if (subresource !== undefined) result.subresource = subresource;
  return result;
}
