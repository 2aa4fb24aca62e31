/**
 * Test support: the real `kpt` CLI as the reference, local bare git repositories to fetch from, and
 * the fixture packages. Not part of the build (test-*.ts).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { writePackageDir } from './package-dir.js';

export const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/kpt');

/** The kpt version, or undefined (with the reason printed) when kpt cannot run here. */
export const KPT_VERSION: string | undefined = (() => {
  const r = spawnSync('kpt', ['version'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.log('kpt is not installed: the comparisons with the kpt CLI are skipped');
    return undefined;
  }
  return r.stdout.trim();
})();

export const GIT_AVAILABLE = spawnSync('git', ['--version']).status === 0;

export function kpt(args: string[], cwd?: string): string {
  return execFileSync('kpt', args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** All files under `dir` (sorted paths, `.git` left out). */
export function readTree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      if (name === '.git') continue;
      const p = join(abs, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

export function fixturePackage(path: string): Map<string, string> {
  return readTree(join(FIXTURES, path));
}

export function makeTempDir(): string {
  return mkdtempSync(join(tmpdir(), 'lading-krm-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temporary directory that is removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'lading-krm-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

/**
 * A bare repository at `<root>/repo.git` whose `main` branch holds `packages` (directory → files).
 * Returns the repository path and the commit.
 */
export async function bareRepo(
  root: string,
  packages: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Promise<{ repo: string; commit: string }> {
  const work = join(root, 'work');
  const files = new Map<string, string>();
  for (const [dir, pkg] of packages) for (const [p, text] of pkg) files.set(`${dir}/${p}`, text);
  await writePackageDir(work, files, { maxPackageBytes: Number.MAX_SAFE_INTEGER });
  git(['init', '-q', '-b', 'main'], work);
  git(['add', '-A'], work);
  git(['commit', '-q', '-m', 'packages'], work);
  const repo = join(root, 'repo.git');
  git(['init', '-q', '--bare', repo], root);
  git(['push', '-q', repo, 'main'], work);
  return { repo, commit: git(['rev-parse', 'HEAD'], work).trim() };
}
