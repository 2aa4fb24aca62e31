/**
 * Where registry credentials come from: a docker `config.json` (`auths` with base64 `auth`,
 * `username`/`password`, `identitytoken`, `registrytoken`; `credHelpers`/`credsStore` through
 * `docker-credential-*` helpers), a Kubernetes `kubernetes.io/dockerconfigjson` (or legacy
 * `dockercfg`) Secret, or a fixed map. Credentials are never logged or put in errors.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token sent to the registry as is (`registrytoken`). */
  registryToken?: string;
}

/** Looks up credentials for a registry host (as in an image reference, e.g. `docker.io`, `localhost:5000`). */
export interface CredentialProvider {
  get(registry: string): Promise<Credentials | undefined>;
}

/** The parts of a docker `config.json` Lading reads. */
export interface DockerConfig {
  auths?: Record<string, DockerAuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export interface DockerAuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** A config or secret could not be read; the message names the source, never its content. */
export class CredentialsError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CredentialsError';
  }
}

/** `https://index.docker.io/v1/` → `docker.io`; `http://host:5000/v2/` → `host:5000`. */
export function normalizeRegistryKey(key: string): string {
  let host = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = host.indexOf('/');
  if (slash !== -1) host = host.slice(0, slash);
  host = host.toLowerCase();
  if (host === 'index.docker.io' || host === 'registry-1.docker.io') return DOCKER_HUB;
  return host;
}

function entryCredentials(entry: DockerAuthEntry, source: string, key: string): Credentials | undefined {
  const creds: Credentials = {};
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1) {
      throw new CredentialsError(`${source}: \`auths["${key}"].auth\` must be base64 of "username:password"`);
    }
    creds.username = decoded.slice(0, colon);
    creds.password = decoded.slice(colon + 1);
  }
  if (entry.username) creds.username = entry.username;
  if (entry.password) creds.password = entry.password;
  if (entry.identitytoken) creds.identityToken = entry.identitytoken;
  if (entry.registrytoken) creds.registryToken = entry.registrytoken;
  return Object.keys(creds).length > 0 ? creds : undefined;
}

/** Runs `docker-credential-<helper> get` with the server URL on stdin. */
async function helperCredentials(helper: string, registry: string): Promise<Credentials | undefined> {
  const server = registry === DOCKER_HUB ? 'https://index.docker.io/v1/' : registry;
  const output = await new Promise<string | undefined>((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 30_000 }, (err, stdout) => {
      if (err) {
        // Helpers exit 1 with "credentials not found" when they hold nothing for this server.
        if (/not found/i.test(stdout) || (err as { code?: unknown }).code === 1) resolve(undefined);
        else
          reject(
            new CredentialsError(`credential helper "docker-credential-${helper}" failed for "${registry}"`, {
              cause: err,
            }),
          );
        return;
      }
      resolve(stdout);
    });
    child.stdin?.end(server);
  });
  if (output === undefined) return undefined;
  const parsed = JSON.parse(output) as { Username?: string; Secret?: string };
  if (!parsed.Secret) return undefined;
  return parsed.Username === '<token>'
    ? { identityToken: parsed.Secret }
    : { username: parsed.Username ?? '', password: parsed.Secret };
}

/**
 * Credentials from a docker config document (object or JSON text). `source` names it in errors.
 * Helpers named in `credHelpers` (per registry) or `credsStore` (default) are run on demand.
 */
export function dockerConfigCredentials(
  config: DockerConfig | string,
  source = 'docker config',
): CredentialProvider {
  let doc: DockerConfig;
  try {
    doc = typeof config === 'string' ? (JSON.parse(config) as DockerConfig) : config;
  } catch (err) {
    throw new CredentialsError(`${source} is not valid JSON`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null) throw new CredentialsError(`${source} must be a JSON object`);
  const auths = new Map<string, Credentials>();
  for (const [key, entry] of Object.entries(doc.auths ?? {})) {
    const creds = entryCredentials(entry, source, key);
    if (creds) auths.set(normalizeRegistryKey(key), creds);
  }
  const helpers = new Map(
    Object.entries(doc.credHelpers ?? {}).map(([k, v]) => [normalizeRegistryKey(k), v]),
  );
  return {
    async get(registry) {
      const key = normalizeRegistryKey(registry);
      const found = auths.get(key);
      if (found) return found;
      const helper = helpers.get(key) ?? doc.credsStore;
      return helper ? helperCredentials(helper, key) : undefined;
    },
  };
}

/** The fields of a Kubernetes Secret that hold registry credentials. */
export interface DockerConfigSecret {
  metadata?: { name?: string; namespace?: string };
  type?: string;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

/**
 * Credentials from a `kubernetes.io/dockerconfigjson` Secret (`data[".dockerconfigjson"]`,
 * base64) or a legacy `kubernetes.io/dockercfg` one (`.dockercfg`: the `auths` map alone).
 */
export function secretCredentials(secret: DockerConfigSecret): CredentialProvider {
  const name = `Secret "${secret.metadata?.namespace ? `${secret.metadata.namespace}/` : ''}${secret.metadata?.name ?? ''}"`;
  const read = (key: string): string | undefined => {
    if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
    const data = secret.data?.[key];
    return data === undefined ? undefined : Buffer.from(data, 'base64').toString('utf8');
  };
  const json = read('.dockerconfigjson');
  if (json !== undefined) return dockerConfigCredentials(json, `${name} \`data[".dockerconfigjson"]\``);
  const legacy = read('.dockercfg');
  if (legacy !== undefined) {
    let auths: Record<string, DockerAuthEntry>;
    try {
      auths = JSON.parse(legacy) as Record<string, DockerAuthEntry>;
    } catch (err) {
      throw new CredentialsError(`${name} \`data[".dockercfg"]\` is not valid JSON`, { cause: err });
    }
    return dockerConfigCredentials({ auths }, `${name} \`data[".dockercfg"]\``);
  }
  throw new CredentialsError(
    `${name} holds no registry credentials: it must be of type kubernetes.io/dockerconfigjson with \`data[".dockerconfigjson"]\``,
  );
}

/** Credentials from a fixed map of registry host → credentials. */
export function staticCredentials(map: Record<string, Credentials>): CredentialProvider {
  const normalized = new Map(Object.entries(map).map(([k, v]) => [normalizeRegistryKey(k), v]));
  return { get: (registry) => Promise.resolve(normalized.get(normalizeRegistryKey(registry))) };
}

/** Asks each provider in turn; the first that knows the registry wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return {
    async get(registry) {
      for (const provider of providers) {
        const found = await provider.get(registry);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/**
 * The user's docker config: `path`, else `$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`, then containers' `$REGISTRY_AUTH_FILE` or
 * `$XDG_RUNTIME_DIR/containers/auth.json` (what podman and skopeo write). Missing files are skipped.
 */
export async function loadDockerConfig(
  options: { path?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CredentialProvider> {
  const env = options.env ?? process.env;
  const paths = options.path
    ? [options.path]
    : [
        join(env['DOCKER_CONFIG'] ?? join(homedir(), '.docker'), 'config.json'),
        env['REGISTRY_AUTH_FILE'] ??
          (env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'containers', 'auth.json') : undefined),
      ].filter((p): p is string => p !== undefined);
  const providers: CredentialProvider[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !options.path) continue;
      throw new CredentialsError(`cannot read registry credentials from "${path}"`, { cause: err });
    }
    providers.push(dockerConfigCredentials(text, `"${path}"`));
  }
  return chainCredentials(...providers);
}
