/**
 * Image references (`registry/repository[:tag][@digest]`) with Docker's defaults: no registry
 * means `docker.io`, and a one-segment Docker Hub name gets `library/`.
 */
import { isDigest, type Digest } from './digest.js';

/** A repository in a registry. */
export interface RepositoryRef {
  /** Registry host with optional port, as the user wrote it (`docker.io` for Docker Hub). */
  registry: string;
  /** Repository path, e.g. `library/nginx`. */
  repository: string;
}

/** An image: a repository plus a tag, a digest, or both (the digest wins when reading). */
export interface ImageReference extends RepositoryRef {
  tag?: string;
  digest?: Digest;
}

/** A reference string failed to parse; the message says which part is wrong. */
export class ReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReferenceError';
  }
}

export const DOCKER_HUB = 'docker.io';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$/;

export function isValidRepository(repository: string): boolean {
  return repository.length <= 255 && REPOSITORY_RE.test(repository);
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

/**
 * Parses `[registry/]repository[:tag][@digest]`. The first path segment is a registry when it
 * holds a `.` or `:` or is `localhost`. No tag and no digest means no tag: callers that want
 * Docker's `latest` default use `withDefaultTag`.
 */
export function parseReference(input: string): ImageReference {
  const text = input.trim();
  if (text === '') throw new ReferenceError('image reference is empty');
  let rest = text;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    const d = rest.slice(at + 1);
    if (!isDigest(d))
      throw new ReferenceError(
        `image reference "${input}" has a malformed digest "${d}": it must be sha256:<64 hex digits>`,
      );
    digest = d;
    rest = rest.slice(0, at);
  }
  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  if (
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))
  ) {
    if (!HOST_RE.test(first))
      throw new ReferenceError(`image reference "${input}" has an invalid registry host "${first}"`);
    registry = first === 'index.docker.io' || first === 'registry-1.docker.io' ? DOCKER_HUB : first;
    rest = rest.slice(slash + 1);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!isValidTag(tag))
      throw new ReferenceError(
        `image reference "${input}" has an invalid tag "${tag}": tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`,
      );
  }
  let repository = rest;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!isValidRepository(repository)) {
    throw new ReferenceError(
      `image reference "${input}" has an invalid repository "${repository}": lowercase letters, digits and separators (. _ __ -) in /-separated components`,
    );
  }
  const ref: ImageReference = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** The reference with tag `latest` when it has neither tag nor digest. */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** `registry/repository[:tag][@digest]`, always with the registry. */
export function formatReference(ref: ImageReference | RepositoryRef): string {
  const image = ref as ImageReference;
  return `${ref.registry}/${ref.repository}${image.tag !== undefined ? `:${image.tag}` : ''}${image.digest !== undefined ? `@${image.digest}` : ''}`;
}

/** What to put after `/manifests/`: the digest when there is one, else the tag (or `latest`). */
export function manifestReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** The host to connect to: Docker Hub's API lives on `registry-1.docker.io`. */
export function registryHost(registry: string): string {
  return registry === DOCKER_HUB ? 'registry-1.docker.io' : registry;
}

/** True for `localhost`, 127.0.0.0/8 and `::1`, with or without a port. */
export function isLoopbackRegistry(registry: string): boolean {
  let host = registry;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.split(':').length === 2) host = host.slice(0, host.indexOf(':'));
  host = host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
