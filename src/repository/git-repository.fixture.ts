/**
 * Shared setup of the GitRepository tests: one smart-HTTP git server with basic auth per test
 * file, a fresh remote and data dir per test, and small readers of the remote.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, afterEach, beforeAll, vi } from 'vitest';

import { gitAt, startGitServer } from '../../test/support/git-server.js';
import type { GitServer } from '../../test/support/git-server.js';
import { createGitRepository } from './index.js';
import type { GitRepository, GitRepositoryOptions, RevisionRecord } from './index.js';

export const auth = { username: 'porch', password: 's3cret-pw' };
const credentials = { type: 'basic' as const, ...auth };
let server: GitServer | undefined;
let tmp = '';
let counter = 0;
const open: GitRepository[] = [];

/** Registers the hooks that start and stop the server; call once at the top of a test file. */
export function useGitServer(): void {
  beforeAll(async () => {
    server = await startGitServer({ auth });
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-repository-'));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(open.splice(0).map((r) => r.close()));
  });
  afterAll(async () => {
    await server?.stop();
    await fs.promises.rm(tmp, { recursive: true, force: true });
  });
}

export function gitServer(): GitServer {
  if (server === undefined) throw new Error('useGitServer() was not called');
  return server;
}

export function dataDir(): string {
  return path.join(tmp, `data-${++counter}`);
}

/** A new empty remote (or seeded with `files` on main); returns its name. */
export async function newRemote(files?: Record<string, string>): Promise<string> {
  const name = `repo-${++counter}.git`;
  await gitServer().createRepo(name, files === undefined ? {} : { files });
  return name;
}

/** A fresh remote seeded with `files` on main, and a GitRepository on it with its own data dir. */
export async function setup(
  files: Record<string, string>,
  options: Partial<GitRepositoryOptions> = {},
): Promise<{ name: string; remote: string; repo: GitRepository }> {
  const name = await newRemote(files);
  const repo = await openRepo(name, options);
  return { name, remote: gitServer().repoPath(name), repo };
}

export async function openRepo(
  name: string,
  options: Partial<GitRepositoryOptions> = {},
): Promise<GitRepository> {
  const repo = await createGitRepository({
    dataDir: dataDir(),
    url: gitServer().url(name),
    credentials,
    retryBackoffMs: 5,
    ...options,
  });
  open.push(repo);
  return repo;
}

/** Runs git on the bare remote; trimmed stdout. */
export const git = (remote: string, ...args: string[]): Promise<string> =>
  gitAt(remote, args).then((s) => s.trim());

export function find(
  revisions: RevisionRecord[],
  packagePath: string,
  workspaceName: string,
): RevisionRecord | undefined {
  return revisions.find((r) => r.packagePath === packagePath && r.workspaceName === workspaceName);
}

/** `<path> <ws> <revision> <lifecycle> <ref>` per revision, sorted: easy to compare as a table. */
export function summary(revisions: RevisionRecord[]): string[] {
  return revisions
    .map((r) => `${r.packagePath} ${r.workspaceName} ${r.revision} ${r.lifecycle} ${r.ref}`)
    .sort();
}

export const kptfile = (name: string): string =>
  `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n`;
