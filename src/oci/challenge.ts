/**
 * `WWW-Authenticate` challenges (RFC 7235 syntax as registries send it) and the distribution
 * token flow: GET (or POST, for refresh tokens) to the Bearer `realm` with `service` and `scope`.
 */
import type { Credentials } from './credentials.js';

export interface Challenge {
  scheme: 'basic' | 'bearer';
  realm?: string;
  service?: string;
  /** Scope the registry asked for, space-separated. */
  scope?: string;
}

/** Parses the first Basic or Bearer challenge of a header; undefined when there is none. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*(basic|bearer)\b\s*(.*)$/is.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase() as 'basic' | 'bearer';
  const params: Record<string, string> = {};
  const re = /([a-z_][a-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/giy;
  const rest = match[2] ?? '';
  re.lastIndex = 0;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
    if (re.lastIndex >= rest.length) break;
  }
  const challenge: Challenge = { scheme };
  if (params['realm'] !== undefined) challenge.realm = params['realm'];
  if (params['service'] !== undefined) challenge.service = params['service'];
  if (params['scope'] !== undefined) challenge.scope = params['scope'];
  return challenge;
}

export function basicAuthorization(credentials: Credentials): string | undefined {
  if (credentials.username === undefined && credentials.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credentials.username ?? ''}:${credentials.password ?? ''}`).toString('base64')}`;
}

export interface TokenResponse {
  token: string;
  /** Epoch milliseconds after which the token must not be used. */
  expiresAt: number;
}

export class TokenError extends Error {
  readonly status: number | undefined;
  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TokenError';
    this.status = options.status;
  }
}

/**
 * Fetches a bearer token for `scopes` from the challenge's realm. Anonymous when there are no
 * credentials; an `identityToken` is exchanged with the OAuth2 refresh-token grant (POST), as
 * Docker does, falling back to GET with basic auth when the realm does not support POST.
 */
export async function fetchToken(options: {
  challenge: Challenge;
  scopes: readonly string[];
  credentials: Credentials | undefined;
  fetch: typeof fetch;
  userAgent: string;
  signal?: AbortSignal;
}): Promise<TokenResponse> {
  const { challenge, scopes, credentials } = options;
  if (!challenge.realm) throw new TokenError('the registry sent a Bearer challenge without a `realm`');
  let realm: URL;
  try {
    realm = new URL(challenge.realm);
  } catch (err) {
    throw new TokenError(`the registry's token realm ${JSON.stringify(challenge.realm)} is not a URL`, {
      cause: err,
    });
  }
  const started = Date.now();
  let res: Response;
  const init = (extra: RequestInit): RequestInit => ({
    redirect: 'follow',
    ...(options.signal ? { signal: options.signal } : {}),
    ...extra,
  });
  if (credentials?.identityToken) {
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credentials.identityToken,
      client_id: 'lading',
    });
    if (challenge.service) form.set('service', challenge.service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    res = await options.fetch(
      realm,
      init({
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': options.userAgent },
        body: form.toString(),
      }),
    );
  } else {
    const url = new URL(realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { 'user-agent': options.userAgent };
    const basic = credentials ? basicAuthorization(credentials) : undefined;
    if (basic) headers['authorization'] = basic;
    res = await options.fetch(url, init({ method: 'GET', headers }));
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new TokenError(
      `the token server at "${realm.origin}${realm.pathname}" answered ${res.status} ${res.statusText}`,
      {
        status: res.status,
      },
    );
  }
  let body: { token?: string; access_token?: string; expires_in?: number };
  try {
    body = (await res.json()) as typeof body;
  } catch (err) {
    throw new TokenError(`the token server at "${realm.origin}${realm.pathname}" did not answer JSON`, {
      cause: err,
    });
  }
  const token = body.token ?? body.access_token;
  if (!token)
    throw new TokenError(`the token server at "${realm.origin}${realm.pathname}" answered without a token`);
  const lifetime = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
  // Renew 10 s early so a token does not expire between our check and the registry's.
  return { token, expiresAt: started + Math.max(1, lifetime - 10) * 1000 };
}
