/**
 * A small Kubernetes API client for the CLI: reads a kubeconfig (the current context's cluster,
 * user and namespace) and sends JSON requests over `node:http`/`node:https`. A failed request
 * rejects with an `ApiError` carrying the server's `Status` message, so the CLI prints one line.
 */
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ApiError, BadRequestError, type StatusReason } from '../apimachinery/index.js';

/** Flags every API command takes. */
export interface KubeFlags {
  kubeconfig?: string;
  namespace?: string;
  allNamespaces?: boolean;
}

/** The `Accept` header kubectl sends for server-side printing. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** Ask for a `meta.k8s.io/v1` Table instead of the objects. */
  table?: boolean;
  /** Content type of a PATCH body; default `application/merge-patch+json`. */
  patchType?: string;
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeClient {
  readonly server: string;
  /** The namespace commands act in: `-n`, else the context's, else `default`. */
  readonly namespace: string;
  /** True with `-A`: list across all namespaces. */
  readonly allNamespaces: boolean;
  /** Sends one request; resolves the parsed JSON body, rejects with an `ApiError` on a non-2xx. */
  request<T = unknown>(method: Method, path: string, options?: RequestOptions): Promise<T>;
}

interface KubeconfigFile {
  'current-context'?: string;
  clusters?: { name?: string; cluster?: ClusterEntry }[];
  users?: { name?: string; user?: UserEntry }[];
  contexts?: { name?: string; context?: ContextEntry }[];
}

interface ClusterEntry {
  server?: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
}

interface UserEntry {
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  'client-certificate-data'?: string;
  'client-key-data'?: string;
}

interface ContextEntry {
  cluster?: string;
  user?: string;
  namespace?: string;
}

/** `--kubeconfig`, else `$KUBECONFIG` (its first path), else `./.lading/kubeconfig`. */
export function kubeconfigPath(flag: string | undefined): string {
  if (flag) return flag;
  const env = process.env['KUBECONFIG']?.split(':').find((p) => p !== '');
  return env ?? join('.lading', 'kubeconfig');
}

export async function createKubeClient(flags: KubeFlags): Promise<KubeClient> {
  const path = kubeconfigPath(flags.kubeconfig);
  let config: KubeconfigFile;
  try {
    config = (parse(await readFile(path, 'utf8')) ?? {}) as KubeconfigFile;
  } catch (err) {
    throw new BadRequestError(
      `cannot read kubeconfig "${path}": ${err instanceof Error ? err.message : String(err)}; ` +
        'pass --kubeconfig or set KUBECONFIG (`lading serve` writes .lading/kubeconfig)',
      { cause: err },
    );
  }
  const contextName = config['current-context'] ?? config.contexts?.[0]?.name;
  const context = config.contexts?.find((c) => c.name === contextName)?.context ?? {};
  const cluster =
    config.clusters?.find((c) => c.name === context.cluster)?.cluster ?? config.clusters?.[0]?.cluster;
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};
  if (!cluster?.server) throw new BadRequestError(`kubeconfig "${path}" names no cluster \`server\``);
  const server = cluster.server.replace(/\/+$/, '');
  const secure = server.startsWith('https://');
  const ca = cluster['certificate-authority-data']
    ? Buffer.from(cluster['certificate-authority-data'], 'base64')
    : cluster['certificate-authority']
      ? await readFile(cluster['certificate-authority'])
      : undefined;
  const agent = secure
    ? new https.Agent({
        keepAlive: true,
        ...(ca ? { ca } : {}),
        ...(cluster['insecure-skip-tls-verify'] ? { rejectUnauthorized: false } : {}),
        ...(user['client-certificate-data']
          ? { cert: Buffer.from(user['client-certificate-data'], 'base64') }
          : {}),
        ...(user['client-key-data'] ? { key: Buffer.from(user['client-key-data'], 'base64') } : {}),
      })
    : new http.Agent({ keepAlive: true });
  const token = user.token ?? (user.tokenFile ? (await readFile(user.tokenFile, 'utf8')).trim() : undefined);
  const authorization = token
    ? `Bearer ${token}`
    : user.username !== undefined
      ? `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`
      : undefined;
  if (authorization && !secure && !/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/.test(`${server}/`)) {
    throw new BadRequestError(`refusing to send credentials in clear text to ${server}; use https`);
  }

  return {
    server,
    namespace: flags.namespace ?? context.namespace ?? 'default',
    allNamespaces: flags.allNamespaces === true,
    request<T>(method: Method, path: string, options: RequestOptions = {}): Promise<T> {
      const url = new URL(server + path);
      for (const [key, value] of Object.entries(options.query ?? {})) {
        if (value !== undefined) url.searchParams.set(key, value);
      }
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string> = {
        Accept: options.table ? TABLE_ACCEPT : 'application/json',
        'User-Agent': 'lading-cli',
      };
      if (authorization) headers['Authorization'] = authorization;
      if (body !== undefined) {
        headers['Content-Type'] =
          method === 'PATCH' ? (options.patchType ?? 'application/merge-patch+json') : 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(body));
      }
      return send<T>(secure ? https : http, url, { method, headers, agent }, body);
    },
  };
}

function send<T>(
  transport: typeof http | typeof https,
  url: URL,
  options: http.RequestOptions,
  body: string | undefined,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const req = transport.request(url, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (code >= 200 && code < 300) resolve(parsed as T);
        else reject(toApiError(code, parsed, text, `${options.method ?? 'GET'} ${url.pathname}`));
      });
    });
    req.on('error', (err) =>
      reject(
        new ApiError(
          503,
          'ServiceUnavailable',
          `cannot reach the API server at ${url.origin}: ${err.message}`,
          {
            cause: err,
          },
        ),
      ),
    );
    req.end(body);
  });
}

/** A non-2xx response as an `ApiError`: the `Status` message when there is one. */
export function toApiError(code: number, body: unknown, text: string, what: string): ApiError {
  const status = body as { kind?: string; message?: string; reason?: StatusReason } | undefined;
  if (status?.kind === 'Status' && status.message) {
    return new ApiError(code, status.reason ?? 'InternalError', status.message);
  }
  const reason: StatusReason =
    code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : 'InternalError';
  const detail = text.trim().split('\n')[0] ?? '';
  return new ApiError(code, reason, `${what}: HTTP ${code}${detail ? `: ${detail.slice(0, 200)}` : ''}`);
}

/** Adds `--kubeconfig`, `-n/--namespace` (and `-A` when asked) to a command. */
export function kubeOptions<C extends { option(flags: string, description: string): C }>(
  command: C,
  withAll = false,
): C {
  command
    .option('--kubeconfig <file>', 'kubeconfig to use (default: $KUBECONFIG, else ./.lading/kubeconfig)')
    .option('-n, --namespace <namespace>', "namespace (default: the kubeconfig context's, else default)");
  if (withAll) command.option('-A, --all-namespaces', 'list across all namespaces');
  return command;
}

/** The collection path of a namespaced resource (across namespaces with `all`). */
export function resourcePath(
  groupVersion: string,
  plural: string,
  namespace: string,
  all = false,
  name?: string,
): string {
  const base = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
  const collection = all
    ? `${base}/${plural}`
    : `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
  return name === undefined ? collection : `${collection}/${encodeURIComponent(name)}`;
}
