/**
 * Credentials for http(s) remotes, handed to one git child through its environment only: never
 * argv (visible in `ps`), never a file, never a log line.
 *
 * - basic: `GIT_ASKPASS` names our script, which prints the username/password from variables of
 *   that child's environment when git asks (after the server's 401).
 * - bearer: `http.<url>.extraHeader=Authorization: Bearer …` passed as `GIT_CONFIG_KEY_n/VALUE_n`
 *   environment config, scoped to the remote URL.
 *
 * file:// URLs and plain paths need none. ssh URLs are passed through unchanged: key material is
 * out of scope (the inherited `SSH_AUTH_SOCK` / `GIT_SSH_COMMAND` apply).
 */
import { ASKPASS_PASSWORD_VAR, ASKPASS_USERNAME_VAR, askpassPath } from './git-home.js';

export type GitCredentials =
  { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

/** What a git child needs to reach one remote. */
export interface RemoteAccess {
  /** The URL to pass to git: userinfo removed for http(s). Safe to show. */
  url: string;
  env: Record<string, string>;
  config: Array<readonly [string, string]>;
  /** Values to redact from anything shown. */
  secrets: string[];
  /** For http(s) remotes: the headers that carry the credentials when we speak HTTP ourselves. */
  headers?: Record<string, string>;
}

/**
 * Credentials embedded in an http(s) URL (`https://user:pw@host/…`) are moved out of the URL and
 * used when no explicit credentials are given, so they never reach argv or the mirror's config.
 */
export function remoteAccess(
  remoteUrl: string,
  credentials: GitCredentials | undefined,
  home: string,
): RemoteAccess {
  const parsed = parseHttpUrl(remoteUrl);
  if (parsed === undefined) return { url: remoteUrl, env: {}, config: [], secrets: [] };
  let creds = credentials;
  if (creds === undefined && (parsed.username !== '' || parsed.password !== '')) {
    creds = {
      type: 'basic',
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
    };
  }
  parsed.username = '';
  parsed.password = '';
  const url = parsed.toString();
  if (creds === undefined) return { url, env: {}, config: [], secrets: [], headers: {} };
  switch (creds.type) {
    case 'basic':
      return {
        url,
        env: {
          GIT_ASKPASS: askpassPath(home),
          [ASKPASS_USERNAME_VAR]: creds.username,
          [ASKPASS_PASSWORD_VAR]: creds.password,
        },
        config: [],
        secrets: [creds.password, `${creds.username}:${creds.password}`],
        headers: {
          Authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
        },
      };
    case 'bearer':
      return {
        url,
        env: {},
        config: [[`http.${url}.extraHeader`, `Authorization: Bearer ${creds.token}`]],
        secrets: [creds.token],
        headers: { Authorization: `Bearer ${creds.token}` },
      };
  }
}

function parseHttpUrl(remoteUrl: string): URL | undefined {
  if (!/^https?:\/\//i.test(remoteUrl)) return undefined;
  try {
    return new URL(remoteUrl);
  } catch {
    return undefined;
  }
}
