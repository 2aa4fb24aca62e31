/**
 * Reaching registries for package work: one RegistryClient built from the user's flags
 * (`--plain-http`, `--insecure`, a docker `config.json`), and reference parsing that says what
 * is wrong in the user's words.
 */
import {
  BadRequestError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../apimachinery/index.js';
import {
  ReferenceError,
  RegistryAuthError,
  RegistryClient,
  RegistryNotFoundError,
  RegistryUnavailableError,
  loadDockerConfig,
  parseReference,
  withDefaultTag,
  type CredentialProvider,
  type ImageReference,
} from '../oci/index.js';

export interface RegistryAccess {
  /** Plain HTTP for every registry (loopback registries get it anyway). */
  plainHttp?: boolean;
  /** HTTPS without certificate verification, plain HTTP when the registry has no TLS. */
  insecure?: boolean;
  /** A docker `config.json` to read credentials from (default: the user's, as docker finds it). */
  dockerConfig?: string;
  /** Credentials to use instead of a docker config (tests, secrets). */
  credentials?: CredentialProvider;
}

/** A client honouring the flags; credentials are looked up lazily, per registry. */
export async function createRegistryClient(access: RegistryAccess = {}): Promise<RegistryClient> {
  const credentials =
    access.credentials ??
    (await loadDockerConfig(access.dockerConfig !== undefined ? { path: access.dockerConfig } : {}));
  return new RegistryClient({
    credentials,
    ...(access.plainHttp ? { plainHttp: true } : {}),
    ...(access.insecure ? { insecure: true } : {}),
    userAgent: 'lading',
  });
}

/** Parses a remote image reference; no tag and no digest means `latest`. */
export function remoteReference(text: string, what = 'image reference'): ImageReference {
  try {
    return withDefaultTag(parseReference(text));
  } catch (err) {
    if (err instanceof ReferenceError) throw new BadRequestError(`${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Whether `text` names a registry explicitly (`host.tld/…`, `host:port/…`, `localhost/…`), so
 * it cannot be mistaken for a folder or a name in the local store.
 */
export function looksRemote(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const first = text.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost';
}

/**
 * `REGISTRY/PREFIX` of `--to-repo`: a registry host and an optional repository prefix that
 * relocated images are placed under.
 */
export function parseRepoPrefix(text: string): { registry: string; prefix: string } {
  const trimmed = text.trim().replace(/\/+$/, '');
  if (!looksRemote(`${trimmed}/x`))
    throw new BadRequestError(
      `--to-repo "${text}" must start with a registry host, e.g. "registry.example.com/mirror" or "127.0.0.1:5000/team"`,
    );
  const slash = trimmed.indexOf('/');
  const registry = slash === -1 ? trimmed : trimmed.slice(0, slash);
  const prefix = slash === -1 ? '' : trimmed.slice(slash + 1);
  if (prefix !== '') {
    // Validate the prefix as a repository path (a tag or digest here is a mistake).
    try {
      const ref = parseReference(`${registry}/${prefix}`);
      if (ref.tag !== undefined || ref.digest !== undefined) throw new ReferenceError('no tag or digest');
    } catch (err) {
      throw new BadRequestError(
        `--to-repo "${text}": "${prefix}" must be a repository path (lowercase, /-separated, no tag or digest)`,
        { cause: err },
      );
    }
  }
  return { registry, prefix };
}

/**
 * `err` as the API error that fits it, its message prefixed with what was being done: a missing
 * image → NotFound, refused credentials → Unauthorized, an unreachable or failing registry →
 * ServiceUnavailable, anything else → BadRequest. The original error is the cause.
 */
export function registryFailure(what: string, err: unknown): Error {
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  if (err instanceof RegistryNotFoundError)
    return new NotFoundError({ resource: 'images', name: what }, { message, cause: err });
  if (err instanceof RegistryAuthError) return new UnauthorizedError(message, { cause: err });
  if (err instanceof RegistryUnavailableError) return new ServiceUnavailableError(message, { cause: err });
  return new BadRequestError(message, { cause: err });
}
