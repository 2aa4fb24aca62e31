/**
 * Serves git's HTTP protocol for the repositories under one project root. Used by `lading serve`
 * (`/git/…`) and by the test git server. The smart endpoints of a plain repository run the service
 * directly (smart-http.ts); everything else runs `git http-backend` as a CGI. The request body is
 * streamed (pushes may be large); gzip-encoded bodies are inflated on the way.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { serveSmartHttp, smartRequest } from './smart-http.js';

export interface HttpBackendRequest {
  /** Directory holding the bare repositories (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** Path below the project root, e.g. `/blueprints.git/info/refs`. */
  pathInfo: string;
  /** Query string without `?`. */
  query: string;
  /** The authenticated user, passed as `REMOTE_USER` (receive-pack refuses anonymous pushes). */
  remoteUser?: string;
  /** `HOME` for the backend: a directory of ours, so no user configuration applies. */
  home: string;
}

let backendPath: string | undefined;

/** The `git-http-backend` program of the installed git. */
export function gitHttpBackendPath(): string {
  backendPath ??= join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');
  return backendPath;
}

/**
 * Serves one request: a smart endpoint directly, the rest through `git http-backend`. Resolves when
 * the response has been sent.
 */
export async function serveHttpBackend(
  req: IncomingMessage,
  res: ServerResponse,
  request: HttpBackendRequest,
): Promise<void> {
  // What git itself runs with, whether it is the service alone or http-backend.
  const gitEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: request.home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') gitEnv.GIT_PROTOCOL = protocol;
  if (request.remoteUser !== undefined) gitEnv.REMOTE_USER = request.remoteUser;

  const smart = smartRequest(req.method ?? 'GET', request.projectRoot, request.pathInfo, request.query);
  if (smart && (await serveSmartHttp(req, res, smart, gitEnv))) return;

  const env: NodeJS.ProcessEnv = {
    ...gitEnv,
    GIT_PROJECT_ROOT: request.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: request.pathInfo,
    QUERY_STRING: request.query,
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
  };
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding'] !== undefined)
    env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  return runCgi(req, res, env);
}

/** Runs one request through `git http-backend` as a CGI. */
function runCgi(req: IncomingMessage, res: ServerResponse, env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(gitHttpBackendPath(), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const kill = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    res.on('close', kill);
    child.on('error', (err) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend: ${err.message}\n`);
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined); // the backend may exit without reading everything
    req.pipe(child.stdin);
    relayCgiResponse(child, res, () => stderr);
    child.on('close', () => {
      res.off('close', kill);
      resolve();
    });
  });
}

/** CGI response: header lines (`Status: 200 OK` sets the code), a blank line, then the body. */
function relayCgiResponse(child: ChildProcess, res: ServerResponse, stderr: () => string): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout?.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const crlf = head.indexOf('\r\n\r\n');
    const lf = head.indexOf('\n\n');
    const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf : lf;
    if (end < 0) return;
    const bodyStart = end + (end === crlf ? 4 : 2);
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
      else res.setHeader(name, value);
    }
    headersDone = true;
    res.writeHead(status);
    res.write(head.subarray(bodyStart));
  });
  child.on('close', (code) => {
    if (!headersDone) {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`git http-backend exited with ${code}: ${stderr()}\n`);
    } else {
      res.end();
    }
  });
}
