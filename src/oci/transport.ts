/**
 * HTTP to registries: scheme choice (plain HTTP on loopback), authentication (Basic, and the
 * Bearer token flow with a token cache per registry and scope set), bounded retries with
 * backoff on 429/5xx and network errors, and redirects that never carry credentials elsewhere.
 */
import { basicAuthorization, fetchToken, parseChallenge, TokenError, type Challenge } from './challenge.js';
import type { CredentialProvider, Credentials } from './credentials.js';
import {
  RegistryAuthError,
  RegistryError,
  RegistryNotFoundError,
  RegistryProtocolError,
  RegistryUnavailableError,
  where,
} from './errors.js';
import { isLoopbackRegistry, registryHost } from './reference.js';

export interface RetryOptions {
  /** Retries after the first attempt (default 4). */
  retries?: number;
  /** First backoff in ms (default 200); doubles each time, with jitter. */
  baseDelayMs?: number;
  /** Longest single wait in ms, `Retry-After` included (default 5000). */
  maxDelayMs?: number;
}

export interface TransportOptions {
  credentials?: CredentialProvider;
  /** Plain HTTP for every registry (loopback registries get it anyway). */
  plainHttp?: boolean;
  /** HTTPS without certificate verification, falling back to plain HTTP when TLS fails. */
  insecure?: boolean;
  /** Registries (host[:port]) to reach over plain HTTP or insecure HTTPS, on top of the flags. */
  insecureRegistries?: readonly string[];
  retry?: RetryOptions;
  userAgent?: string;
  /** A fetch implementation (default the global one). */
  fetch?: typeof fetch;
}

/** A request body that can be produced again for a retry or an auth round trip. */
export type BodyFactory = () => Uint8Array | AsyncIterable<Uint8Array> | string;

export interface RegistryRequest {
  registry: string;
  repository?: string;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** Path starting with `/v2/`, or an absolute URL (an upload `Location`). */
  path: string;
  headers?: Record<string, string>;
  body?: BodyFactory;
  /** Token scopes this request needs, e.g. `repository:app:pull,push`. */
  scopes?: readonly string[];
  /** For messages: e.g. `GET manifest "v1"`. */
  operation: string;
  signal?: AbortSignal;
  /** Retry on 429/5xx/network errors (default true). Non-replayable streams set false. */
  retry?: boolean;
}

interface AuthState {
  challenge?: Challenge;
  credentials?: Credentials | undefined;
  credentialsLoaded?: boolean;
  tokens: Map<string, { token: string; expiresAt: number }>;
  pendingTokens: Map<string, Promise<string>>;
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The first `errors[]` entry of a registry error body, or a short text excerpt. */
export async function readErrorBody(res: Response): Promise<{ code?: string; message: string }> {
  let text = '';
  try {
    text = (await res.text()).slice(0, 4096);
  } catch {
    return { message: '' };
  }
  try {
    const body = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
    const first = body.errors?.[0];
    if (first)
      return { ...(first.code ? { code: first.code } : {}), message: first.message ?? first.code ?? '' };
  } catch {
    // not JSON
  }
  return { message: text.trim().split('\n')[0]?.slice(0, 200) ?? '' };
}

/** `fetch failed: connect ECONNREFUSED …` from undici's nested causes. */
function networkMessage(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 4; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    parts.push(typeof code === 'string' && !e.message.includes(code) ? `${e.message} (${code})` : e.message);
  }
  return parts.join(': ') || String(err);
}

let insecureDispatcher: unknown;

/** An undici Agent of Node's bundled fetch that skips certificate verification (no extra dependency). */
async function getInsecureDispatcher(): Promise<unknown> {
  if (insecureDispatcher) return insecureDispatcher;
  await fetch('data:,').then((r) => r.arrayBuffer()); // makes Node create its global dispatcher
  const global = (globalThis as Record<symbol, unknown>)[Symbol.for('undici.globalDispatcher.1')];
  const Agent = (global as { constructor?: new (options: unknown) => unknown } | undefined)?.constructor;
  if (!Agent)
    throw new Error('cannot create an insecure HTTPS agent: Node did not expose its fetch dispatcher');
  insecureDispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  return insecureDispatcher;
}

export class RegistryTransport {
  private readonly options: TransportOptions;
  private readonly fetch: typeof fetch;
  private readonly auth = new Map<string, AuthState>();
  private readonly schemes = new Map<string, 'http' | 'https' | 'https-insecure'>();
  readonly userAgent: string;

  constructor(options: TransportOptions = {}) {
    this.options = options;
    this.fetch = options.fetch ?? fetch;
    this.userAgent = options.userAgent ?? 'lading';
  }

  /** `http`, `https`, or `https-insecure` for a registry, per the plain-HTTP rule. */
  schemeOf(registry: string): 'http' | 'https' | 'https-insecure' {
    const known = this.schemes.get(registry);
    if (known) return known;
    const listed = this.options.insecureRegistries?.includes(registry) ?? false;
    if (this.options.plainHttp || isLoopbackRegistry(registry)) return 'http';
    if (this.options.insecure || listed) return 'https-insecure';
    return 'https';
  }

  /** The base URL of a registry's API, e.g. `http://127.0.0.1:5000`. */
  baseUrl(registry: string): string {
    const scheme = this.schemeOf(registry);
    return `${scheme === 'http' ? 'http' : 'https'}://${registryHost(registry)}`;
  }

  private state(registry: string): AuthState {
    let state = this.auth.get(registry);
    if (!state) {
      state = { tokens: new Map(), pendingTokens: new Map() };
      this.auth.set(registry, state);
    }
    return state;
  }

  private async credentialsFor(registry: string, state: AuthState): Promise<Credentials | undefined> {
    if (!state.credentialsLoaded) {
      state.credentials = await this.options.credentials?.get(registry);
      state.credentialsLoaded = true;
    }
    return state.credentials;
  }

  /** The Authorization header for a request, once the registry's challenge is known. */
  private async authorization(
    req: RegistryRequest,
    state: AuthState,
    forceRefresh: boolean,
  ): Promise<string | undefined> {
    const challenge = state.challenge;
    if (!challenge) return undefined;
    const credentials = await this.credentialsFor(req.registry, state);
    if (challenge.scheme === 'basic') return credentials ? basicAuthorization(credentials) : undefined;
    if (credentials?.registryToken) return `Bearer ${credentials.registryToken}`;
    const scopes = [...new Set(req.scopes ?? [])].sort();
    const key = scopes.join(' ');
    const cached = state.tokens.get(key);
    if (cached && !forceRefresh && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    let pending = state.pendingTokens.get(key);
    if (!pending) {
      pending = fetchToken({
        challenge,
        scopes,
        credentials,
        fetch: this.fetch,
        userAgent: this.userAgent,
        ...(req.signal ? { signal: req.signal } : {}),
      })
        .then((t) => {
          state.tokens.set(key, t);
          return t.token;
        })
        .finally(() => state.pendingTokens.delete(key));
      state.pendingTokens.set(key, pending);
    }
    try {
      return `Bearer ${await pending}`;
    } catch (err) {
      if (err instanceof TokenError) {
        const denied = err.status === 401 || err.status === 403;
        const Cls = denied ? RegistryAuthError : RegistryUnavailableError;
        throw new Cls(
          `${where(req.registry, req.repository)}: ${req.operation}: getting a token failed: ${err.message}${denied ? '; check the credentials for this registry (docker login, or the pull secret)' : ''}`,
          {
            registry: req.registry,
            ...(req.repository ? { repository: req.repository } : {}),
            operation: req.operation,
            ...(err.status ? { status: err.status } : {}),
            cause: err,
          },
        );
      }
      throw err;
    }
  }

  private details(
    req: RegistryRequest,
    extra: { status?: number; code?: string; attempts?: number; cause?: unknown } = {},
  ) {
    return {
      registry: req.registry,
      ...(req.repository !== undefined ? { repository: req.repository } : {}),
      operation: req.operation,
      ...extra,
    };
  }

  private async send(
    url: string,
    req: RegistryRequest,
    authorization: string | undefined,
  ): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    if (authorization) headers['authorization'] = authorization;
    const body = req.body?.();
    const init: Omit<RequestInit, 'dispatcher'> & { duplex?: 'half'; dispatcher?: unknown } = {
      method: req.method,
      headers,
      redirect: 'manual',
      ...(req.signal ? { signal: req.signal } : {}),
    };
    if (body !== undefined) {
      init.body = body as NonNullable<RequestInit['body']>;
      if (typeof body !== 'string' && !(body instanceof Uint8Array)) init.duplex = 'half';
    }
    if (url.startsWith('https:') && this.schemeOf(req.registry) === 'https-insecure')
      init.dispatcher = await getInsecureDispatcher();
    let res = await this.fetch(url, init as RequestInit);
    // Follow redirects ourselves (blob storage on another host): credentials stay with the registry.
    for (
      let hops = 0;
      res.status >= 300 && res.status < 400 && res.headers.has('location') && hops < 5;
      hops += 1
    ) {
      if (req.method !== 'GET' && req.method !== 'HEAD') break;
      const next = new URL(res.headers.get('location')!, url);
      await res.body?.cancel();
      const sameOrigin = next.origin === new URL(url).origin;
      const nextHeaders = { ...headers };
      if (!sameOrigin) delete nextHeaders['authorization'];
      res = await this.fetch(next, { ...init, headers: nextHeaders } as RequestInit);
      url = next.toString();
    }
    return res;
  }

  /**
   * Sends a request, authenticating on a 401 challenge (once) and retrying 408/429/5xx and network
   * errors with exponential backoff. Returns the response for every other status (the caller
   * decides what a 404 means); throws a RegistryAuthError on a second 401/403 and a
   * RegistryUnavailableError naming registry, repository and status when retries run out.
   */
  async request(req: RegistryRequest): Promise<Response> {
    const state = this.state(req.registry);
    const retries = req.retry === false ? 0 : (this.options.retry?.retries ?? 4);
    const base = this.options.retry?.baseDelayMs ?? 200;
    const max = this.options.retry?.maxDelayMs ?? 5000;
    let authRetried = false;
    let attempt = 0;
    for (;;) {
      req.signal?.throwIfAborted();
      const url =
        req.path.startsWith('http:') || req.path.startsWith('https:')
          ? req.path
          : `${this.baseUrl(req.registry)}${req.path}`;
      let res: Response;
      try {
        res = await this.send(url, req, await this.authorization(req, state, authRetried));
      } catch (err) {
        if (req.signal?.aborted || err instanceof RegistryError) throw err;
        if (this.schemeOf(req.registry) === 'https-insecure' && !this.schemes.has(req.registry)) {
          // Docker's rule for insecure registries: no TLS at all → plain HTTP.
          this.schemes.set(req.registry, 'http');
          continue;
        }
        if (attempt < retries) {
          await sleep(Math.min(max, base * 2 ** attempt) * (0.5 + Math.random() / 2), req.signal);
          attempt += 1;
          continue;
        }
        throw new RegistryUnavailableError(
          `${where(req.registry, req.repository)}: ${req.operation} failed after ${attempt + 1} attempt(s): ${networkMessage(err)}; check that the registry is reachable at ${this.baseUrl(req.registry)}`,
          this.details(req, { attempts: attempt + 1, cause: err }),
        );
      }
      if (url.startsWith('https:') && !this.schemes.has(req.registry))
        this.schemes.set(req.registry, this.schemeOf(req.registry));
      if (res.status === 401 && !authRetried) {
        const challenge = parseChallenge(res.headers.get('www-authenticate'));
        await res.body?.cancel();
        if (!challenge) {
          throw new RegistryAuthError(
            `${where(req.registry, req.repository)}: ${req.operation}: 401 Unauthorized without a usable challenge`,
            this.details(req, { status: 401 }),
          );
        }
        state.challenge = challenge;
        authRetried = true;
        if (challenge.scheme === 'basic' && !(await this.credentialsFor(req.registry, state))) {
          throw new RegistryAuthError(
            `${where(req.registry, req.repository)}: ${req.operation}: the registry requires a login and no credentials are configured for it; add them to the docker config (docker login) or a pull secret`,
            this.details(req, { status: 401 }),
          );
        }
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const { code, message } = await readErrorBody(res);
        throw new RegistryAuthError(
          `${where(req.registry, req.repository)}: ${req.operation}: ${res.status} ${res.statusText}${message ? `: ${message}` : ''}; check the credentials and their access to this repository`,
          this.details(req, { status: res.status, ...(code ? { code } : {}) }),
        );
      }
      if (RETRYABLE.has(res.status)) {
        if (attempt < retries) {
          const retryAfter = Number(res.headers.get('retry-after'));
          await res.body?.cancel();
          const backoff =
            Number.isFinite(retryAfter) && retryAfter > 0
              ? retryAfter * 1000
              : base * 2 ** attempt * (0.5 + Math.random() / 2);
          await sleep(Math.min(max, backoff), req.signal);
          attempt += 1;
          continue;
        }
        const { code, message } = await readErrorBody(res);
        throw new RegistryUnavailableError(
          `${where(req.registry, req.repository)}: ${req.operation}: the registry answered ${res.status} ${res.statusText}${message ? ` (${message})` : ''} ${attempt + 1} time(s); it is failing or overloaded, try again later`,
          this.details(req, { status: res.status, attempts: attempt + 1, ...(code ? { code } : {}) }),
        );
      }
      return res;
    }
  }

  /**
   * Turns an unexpected response into the matching error (404 → RegistryNotFoundError, else
   * RegistryProtocolError), consuming its body. Call for any status the caller does not handle.
   */
  async fail(
    res: Response,
    req: Pick<RegistryRequest, 'registry' | 'repository' | 'operation'>,
  ): Promise<never> {
    const { code, message } = await readErrorBody(res);
    const details = {
      registry: req.registry,
      ...(req.repository !== undefined ? { repository: req.repository } : {}),
      operation: req.operation,
      status: res.status,
      ...(code ? { code } : {}),
    };
    const text = `${where(req.registry, req.repository)}: ${req.operation}: ${res.status} ${res.statusText}${code ? ` ${code}` : ''}${message && message !== code ? `: ${message}` : ''}`;
    if (res.status === 404 || (code !== undefined && code.endsWith('_UNKNOWN')))
      throw new RegistryNotFoundError(text, details);
    throw new RegistryProtocolError(text, details);
  }
}
