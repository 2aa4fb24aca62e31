/**
 * The open repositories of this process, one per Repository object, shared by the repository
 * controller (sync) and the package handlers (content reads, later writes). A Repository whose
 * location or credentials change is reopened.
 */
import { ServiceUnavailableError } from '../apimachinery/index.js';
import type { GitCredentials } from '../git/index.js';
import type { ResourceHandler } from '../registry/index.js';
import { createGitRepository, type Repository } from '../repository/index.js';
import { repositoryRefOf, type RepositoryRef } from './revision-objects.js';

export interface GitLocation {
  repo: string;
  branch?: string;
  directory?: string;
  createBranch?: boolean;
}

interface Opened {
  repository: Repository;
  identity: string;
}

export class RepositoryPool {
  readonly #opened = new Map<string, Opened>();

  constructor(private readonly dataDir: string) {}

  /** The open repository for `key` (`<namespace>/<name>`), opening it when new or changed. */
  async open(key: string, git: GitLocation, credentials: GitCredentials | undefined): Promise<Repository> {
    const identity = JSON.stringify([git.repo, git.branch, git.directory, git.createBranch, credentials]);
    const opened = this.#opened.get(key);
    if (opened?.identity === identity) return opened.repository;
    await this.close(key);
    const repository = await createGitRepository({
      dataDir: this.dataDir,
      url: git.repo,
      ...(git.branch ? { branch: git.branch } : {}),
      ...(git.directory ? { directory: git.directory } : {}),
      ...(credentials ? { credentials } : {}),
      ...(git.createBranch ? { createBranch: true } : {}),
    });
    this.#opened.set(key, { repository, identity });
    return repository;
  }

  /** The repository if it is open (the controller opens it on its first sync). */
  get(key: string): Repository | undefined {
    return this.#opened.get(key)?.repository;
  }

  async close(key: string): Promise<void> {
    const opened = this.#opened.get(key);
    this.#opened.delete(key);
    await opened?.repository.close();
  }

  async closeAll(): Promise<void> {
    for (const key of [...this.#opened.keys()]) await this.close(key);
  }
}

/**
 * What the package handlers need of a Repository object: its open repository (opened by the
 * repository controller's sync; 503 until then) and its description.
 */
export function repositoryResolver(
  pool: RepositoryPool,
  repositories: ResourceHandler,
): (namespace: string, name: string) => Promise<{ repository: Repository; ref: RepositoryRef }> {
  return async (namespace, name) => {
    const object = await repositories.get(namespace, name);
    const repository = pool.get(`${namespace}/${name}`);
    if (!repository) {
      throw new ServiceUnavailableError(
        `repository "${name}" is not ready yet; see the Ready condition of repository ${namespace}/${name}`,
      );
    }
    return { repository, ref: repositoryRefOf(object) };
  };
}
