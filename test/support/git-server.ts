/**
 * A real smart-HTTP git server for tests: `node:http` on 127.0.0.1 (free port) serving each
 * request with Lading's `serveHttpBackend` (the smart endpoints run `git upload-pack` or
 * `git receive-pack` as `git http-backend` does, the rest runs `git http-backend` as a CGI), with
 * pushes enabled and optional basic auth.
 * Repositories are bare repos in a temp dir; stop() kills in-flight backends and removes it.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { serveHttpBackend } from '../../src/git/index.js';

export interface GitServerOptions {
  /** When set, every request must carry these basic-auth credentials (401 otherwise). */
  auth?: { username: string; password: string };
}

export interface CreateRepoOptions {
  /** Files of an initial commit (path → UTF-8 content). Without files the repo stays empty. */
  files?: Record<string, string>;
  /** Branch of the initial commit and of HEAD; default `main`. */
  branch?: string;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>/<name>` — without credentials. */
  url(repoName: string): string;
  /** Creates a bare repository; returns the initial commit oid when files were given. */
  createRepo(name: string, options?: CreateRepoOptions): Promise<string | undefined>;
  /** The bare repository's directory, for inspecting it with git directly. */
  repoPath(name: string): string;
  /** Request counters, to check that auth, gzip bodies or a client were actually exercised. */
  readonly stats: {
    requests: number;
    unauthorized: number;
    gzipBodies: number;
    /** Pushes (POST git-receive-pack) by User-Agent. */
    pushesByAgent: Record<string, number>;
    /** Requests by git service and method: `GET git-upload-pack` (ref discovery), `POST git-receive-pack`… */
    byService: Record<string, number>;
    /** Wall time (ms) of each push (POST git-receive-pack), from its request to its response's end. */
    pushMs: number[];
  };
  stop(): Promise<void>;
}

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const root = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-server-'));
  const reposDir = path.join(root, 'repos');
  const home = path.join(root, 'home');
  await fs.promises.mkdir(reposDir);
  await fs.promises.mkdir(home);
  // Like a hosting service, which schedules housekeeping itself (GitLab counts pushes), the
  // server runs no `git gc --auto` after every push: on a small machine shared with the server
  // under test that is one process per push for nothing.
  await fs.promises.writeFile(path.join(home, '.gitconfig'), '[receive]\n\tautogc = false\n');
  const stats = {
    requests: 0,
    unauthorized: 0,
    gzipBodies: 0,
    pushesByAgent: {} as Record<string, number>,
    byService: {} as Record<string, number>,
    pushMs: [] as number[],
  };

  const server = http.createServer((req, res) => {
    stats.requests += 1;
    const user = authenticate(req, options.auth);
    if (user === false) {
      stats.unauthorized += 1;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    if (/gzip/i.test(req.headers['content-encoding'] ?? '')) stats.gzipBodies += 1;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const service = url.searchParams.get('service') ?? url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    const key = `${req.method ?? ''} ${service}`;
    stats.byService[key] = (stats.byService[key] ?? 0) + 1;
    if (req.method === 'POST' && url.pathname.endsWith('/git-receive-pack')) {
      const agent = req.headers['user-agent'] ?? '';
      stats.pushesByAgent[agent] = (stats.pushesByAgent[agent] ?? 0) + 1;
      const start = performance.now();
      res.once('finish', () => stats.pushMs.push(performance.now() - start));
    }
    void serveHttpBackend(req, res, {
      projectRoot: reposDir,
      pathInfo: decodeURIComponent(url.pathname),
      query: url.search.replace(/^\?/, ''),
      home,
      ...(user === undefined ? {} : { remoteUser: user }),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const repoPath = (name: string): string => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(name) || name.includes('..'))
      throw new Error(`bad repo name "${name}"`);
    return path.join(reposDir, name);
  };

  return {
    url: (name) => `http://127.0.0.1:${port}/${name}`,
    repoPath,
    stats,
    async createRepo(name, repoOptions = {}) {
      const dir = repoPath(name);
      const oid = await createBareRepo(dir, repoOptions);
      await gitAt(dir, ['config', 'http.receivepack', 'true']);
      return oid;
    },
    async stop() {
      // Closing the connections ends in-flight backends (serveHttpBackend kills them on close).
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.promises.rm(root, { recursive: true, force: true });
    },
  };
}

/** undefined: no auth configured; false: refused; a string: the authenticated user. */
function authenticate(req: http.IncomingMessage, auth: GitServerOptions['auth']): string | false | undefined {
  if (auth === undefined) return undefined;
  const header = req.headers.authorization ?? '';
  const match = /^Basic (.+)$/i.exec(header);
  if (match === null) return false;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const [user, password] = [decoded.slice(0, colon), decoded.slice(colon + 1)];
  return colon >= 0 && user === auth.username && password === auth.password ? user : false;
}

/** Environment for test-side git commands: no user/system config, no prompts, C locale. */
function isolatedGitEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: os.tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    GIT_AUTHOR_NAME: 'Test Seed',
    GIT_AUTHOR_EMAIL: 'seed@example.test',
    GIT_COMMITTER_NAME: 'Test Seed',
    GIT_COMMITTER_EMAIL: 'seed@example.test',
  };
}

/** Runs git with `GIT_DIR=gitDir` (or in `cwd` when gitDir is undefined); resolves stdout. */
export function gitAt(
  gitDir: string | undefined,
  args: readonly string[],
  options: { input?: string; cwd?: string; env?: Record<string, string> } = {},
): Promise<string> {
  const env = { ...isolatedGitEnv(), ...(gitDir === undefined ? {} : { GIT_DIR: gitDir }), ...options.env };
  return runWithInput([...args], options.input ?? '', env, options.cwd);
}

/**
 * Creates a bare repository in `dir`; with `files`, also an initial commit on the branch.
 * Returns that commit's oid. Test-only: it uses a temporary index, which is simplest here.
 */
export async function createBareRepo(
  dir: string,
  options: CreateRepoOptions = {},
): Promise<string | undefined> {
  const branch = options.branch ?? 'main';
  await gitAt(undefined, ['init', '--bare', '--quiet', `--initial-branch=${branch}`, dir]);
  if (options.files === undefined) return undefined;
  const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-seed-'));
  try {
    const env = { ...isolatedGitEnv(), GIT_DIR: dir, GIT_INDEX_FILE: path.join(staging, 'index') };
    const entries = Object.entries(options.files);
    const paths = await Promise.all(
      entries.map(async ([, content], i) => {
        const file = path.join(staging, `blob-${i}`);
        await fs.promises.writeFile(file, content);
        return file;
      }),
    );
    const oids = (await runWithInput(['hash-object', '-w', '--stdin-paths'], paths.join('\n') + '\n', env))
      .split('\n')
      .filter((line) => line !== '');
    const indexInfo = entries.map(([file], i) => `100644 ${oids[i] ?? ''}\t${file}\n`).join('');
    await runWithInput(['update-index', '--add', '--index-info'], indexInfo, env);
    const tree = (await runWithInput(['write-tree'], '', env)).trim();
    const commit = (await runWithInput(['commit-tree', tree], 'Initial commit\n', env)).trim();
    await runWithInput(['update-ref', `refs/heads/${branch}`, commit], '', env);
    return commit;
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Commits on `branch` of the bare repo in `dir` (created if missing): `files` maps paths to new
 * content, or to null to delete. Returns the new commit. Simulates "someone else" changing a remote.
 */
export async function commitToBranch(
  dir: string,
  branch: string,
  files: Record<string, string | null>,
  message = 'Test commit',
): Promise<string> {
  if (!fs.existsSync(path.join(dir, 'HEAD'))) await createBareRepo(dir, { branch });
  const staging = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-seed-'));
  try {
    const env = { ...isolatedGitEnv(), GIT_DIR: dir, GIT_INDEX_FILE: path.join(staging, 'index') };
    const ref = `refs/heads/${branch}`;
    const parent = (await runWithInput(['for-each-ref', '--format=%(objectname)', ref], '', env)).trim();
    if (parent !== '') await runWithInput(['read-tree', parent], '', env);
    for (const [file, content] of Object.entries(files)) {
      if (content === null) {
        await runWithInput(['update-index', '--force-remove', '--', file], '', env);
      } else {
        const oid = (await runWithInput(['hash-object', '-w', '--stdin'], content, env)).trim();
        await runWithInput(['update-index', '--add', '--cacheinfo', `100644,${oid},${file}`], '', env);
      }
    }
    const tree = (await runWithInput(['write-tree'], '', env)).trim();
    const parents = parent === '' ? [] : ['-p', parent];
    const commit = (await runWithInput(['commit-tree', tree, ...parents], `${message}\n`, env)).trim();
    await runWithInput(['update-ref', ref, commit], '', env);
    return commit;
  } finally {
    await fs.promises.rm(staging, { recursive: true, force: true });
  }
}

function runWithInput(args: string[], input: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { env, cwd: cwd ?? os.tmpdir(), maxBuffer: 256 * 1024 * 1024 };
    const child = execFile('git', args, options, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(`git ${args.join(' ')} failed: ${stderr.trim() || err.message}`, { cause: err }));
    });
    child.stdin?.on('error', () => undefined); // git may exit without reading its input
    child.stdin?.end(input);
  });
}
