/**
 * Git's smart HTTP protocol served by running the service itself (`git upload-pack` or
 * `git receive-pack` with `--stateless-rpc`), the way `git http-backend` does it, without the
 * backend in between: one process less per request, which is most of a small push's cost. Only the
 * four smart endpoints of an existing repository whose configuration is plain are served here;
 * everything else (dumb HTTP, odd paths, includes in the config) is left to `git http-backend`.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, normalize } from 'node:path';
import { createGunzip } from 'node:zlib';
import { FLUSH, pktLine } from './pkt-line.js';

export type GitService = 'upload-pack' | 'receive-pack';

export interface SmartRequest {
  service: GitService;
  /** `info/refs` (the ref advertisement) or the service's POST. */
  advertise: boolean;
  /** The repository directory. */
  dir: string;
}

const SMART_PATH = /^\/(.+)\/(info\/refs|git-upload-pack|git-receive-pack)$/;

/** The smart endpoint a request asks for, or undefined when it is something else. */
export function smartRequest(
  method: string,
  projectRoot: string,
  pathInfo: string,
  query: string,
): SmartRequest | undefined {
  const match = SMART_PATH.exec(pathInfo);
  if (!match) return undefined;
  const [, repo = '', endpoint] = match;
  if (repo.split('/').some((part) => part === '..' || part === '.' || part === '')) return undefined;
  const dir = join(projectRoot, normalize(repo));
  if (endpoint === 'info/refs') {
    const service = new URLSearchParams(query).get('service');
    if (method !== 'GET' || (service !== 'git-upload-pack' && service !== 'git-receive-pack'))
      return undefined;
    return { service: service === 'git-upload-pack' ? 'upload-pack' : 'receive-pack', advertise: true, dir };
  }
  if (method !== 'POST') return undefined;
  return { service: endpoint === 'git-upload-pack' ? 'upload-pack' : 'receive-pack', advertise: false, dir };
}

function parseBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'true' || v === 'yes' || v === 'on' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === 'off' || v === '0') return false;
  return undefined;
}

/**
 * `http.uploadpack` / `http.receivepack` of the repository's own config file: true, false, or null
 * when unset; undefined when the file is not plain enough to read this way (includes, odd values).
 */
export function serviceSetting(config: string, service: GitService): boolean | null | undefined {
  const key = service === 'upload-pack' ? 'uploadpack' : 'receivepack';
  let section = '';
  let setting: boolean | null = null;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      const header = /^\[\s*([A-Za-z0-9.-]+)\s*(?:"[^"]*")?\s*\]$/.exec(line);
      if (!header) return undefined;
      section = (header[1] ?? '').toLowerCase();
      if (section.startsWith('include')) return undefined;
      if (line.includes('"')) section += ' sub';
      continue;
    }
    if (section !== 'http') continue;
    const entry = /^([A-Za-z][A-Za-z0-9-]*)\s*(?:=(.*))?$/.exec(line);
    if (!entry) return undefined;
    if ((entry[1] ?? '').toLowerCase() !== key) continue;
    const value = parseBool(entry[2] ?? '');
    if (value === undefined) return undefined;
    setting = value;
  }
  return setting;
}

/** `git http-backend`'s rule: a setting in the repository decides; unset, receive-pack needs a user. */
function serviceEnabled(setting: boolean | null, service: GitService, remoteUser?: string): boolean {
  if (setting !== null) return setting;
  return service === 'upload-pack' || (remoteUser !== undefined && remoteUser !== '');
}

const NO_CACHE = {
  Expires: 'Fri, 01 Jan 1980 00:00:00 GMT',
  Pragma: 'no-cache',
  'Cache-Control': 'no-cache, max-age=0, must-revalidate',
};

/**
 * Serves `request` with git running in `gitEnv` (`REMOTE_USER` is the authenticated user); resolves
 * true when done, false when it must go to `git http-backend` instead (before anything was sent).
 */
export async function serveSmartHttp(
  req: IncomingMessage,
  res: ServerResponse,
  request: SmartRequest,
  gitEnv: NodeJS.ProcessEnv,
): Promise<boolean> {
  let config: string;
  try {
    config = await readFile(join(request.dir, 'config'), 'utf8');
  } catch {
    return false; // not a repository here (http-backend also tries `<name>.git`, and answers 404)
  }
  const setting = serviceSetting(config, request.service);
  if (setting === undefined) return false;
  if (!serviceEnabled(setting, request.service, gitEnv.REMOTE_USER)) {
    res.writeHead(403, { ...NO_CACHE, 'Content-Type': 'text/plain' });
    res.end('Forbidden\n');
    return true;
  }
  // As http-backend: the pusher's identity for reflogs comes from the HTTP user.
  const user = gitEnv.REMOTE_USER || 'anonymous';
  const env: NodeJS.ProcessEnv = {
    GIT_COMMITTER_NAME: user,
    GIT_COMMITTER_EMAIL: `${user}@http.${req.socket.remoteAddress ?? '(none)'}`,
    ...gitEnv,
  };
  const args = [request.service, '--stateless-rpc', ...(request.advertise ? ['--advertise-refs'] : []), '.'];
  const child = spawn('git', args, { cwd: request.dir, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const kind = request.advertise ? 'advertisement' : 'result';
  res.writeHead(200, { ...NO_CACHE, 'Content-Type': `application/x-git-${request.service}-${kind}` });
  if (request.advertise && !/version=2/.test(env.GIT_PROTOCOL ?? '')) {
    res.write(Buffer.concat([pktLine(`# service=git-${request.service}\n`), Buffer.from(FLUSH)]));
  }
  const kill = (): void => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  res.on('close', kill);
  child.stderr.resume();
  child.stdin.on('error', () => undefined); // the service may exit without reading everything
  if (request.advertise) child.stdin.end();
  else if (/^(x-)?gzip$/i.test(req.headers['content-encoding'] ?? '')) {
    const gunzip = createGunzip();
    gunzip.on('error', kill);
    req.pipe(gunzip).pipe(child.stdin);
  } else req.pipe(child.stdin);
  child.stdout.pipe(res);
  await new Promise<void>((resolve) => {
    child.once('error', () => {
      res.destroy();
      resolve();
    });
    child.once('close', () => {
      res.off('close', kill);
      resolve();
    });
  });
  return true;
}
