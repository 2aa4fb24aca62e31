/**
 * Repositories Lading hosts itself: bare repositories under `<data-dir>/repos`, served over smart
 * HTTP at `/git/<name>.git` so that a newcomer needs no git server of their own.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { BadRequestError, AlreadyExistsError } from '../apimachinery/index.js';
import { prepareGitHome } from './git-home.js';
import { runGit } from './run-git.js';

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function hostedRepositoriesDir(dataDir: string): string {
  return join(dataDir, 'repos');
}

/**
 * Creates the bare repository `<name>.git` (default branch `main`, pushes over HTTP allowed).
 * Throws BadRequestError for a bad name and AlreadyExistsError when it exists.
 */
export async function createHostedRepository(dataDir: string, name: string): Promise<string> {
  if (!NAME.test(name) || name.length > 63) {
    throw new BadRequestError(
      `repository name ${JSON.stringify(name)} must be a DNS label: lowercase letters, digits and '-', at most 63 characters`,
    );
  }
  // Absolute: git runs with its working directory in our HOME, not in the caller's.
  const root = resolve(hostedRepositoriesDir(dataDir));
  const dir = join(root, `${name}.git`);
  if (existsSync(dir)) throw new AlreadyExistsError({ resource: 'repositories', name });
  await mkdir(root, { recursive: true });
  const home = await prepareGitHome(join(root, '.home'));
  await runGit(['init', '--bare', '--quiet', '--initial-branch=main', dir], { home });
  await runGit(['config', 'http.receivepack', 'true'], { home, gitDir: dir });
  return dir;
}
