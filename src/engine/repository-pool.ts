/**
 * The open repositories of this process, one per Repository object, shared by the repository
 * controller (sync) and the package handlers (reads and writes). Any replica opens a repository
 * when it first needs it — the controller's sync on the leader, a package request on any other —
 * with the credentials of the Secret its `spec.git.secretRef` names. A Repository whose location
 * or credentials change is reopened.
 */
import { ServiceUnavailableError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import type { ResourceHandler } from '../registry/index.js';
import { createGitRepository, type Repository } from '../repository/index.js';
import { repositoryRefOf, text, type RepositoryRef } from './revision-objects.js';
import { credentialsFromSecret } from './secret-credentials.js';

export interface GitLocation {
  repo: string;
  branch?: string;
  directory?: string;
  createBranch?: boolean;
  secretRef?: { name?: string };
}

interface Opened {
  repository: Repository;
  identity: string;
}

/** A Secret by namespace and name (NotFoundError when missing). */
export type SecretLookup = (namespace: string, name: string) => Promise<KubeObject>;

export class RepositoryPool {
  readonly #opened = new Map<string, Opened>();
  /** Opens in flight, so that concurrent callers share one. */
  readonly #opening = new Map<string, Promise<Repository>>();

  constructor(
    private readonly dataDir: string,
    private readonly secret: SecretLookup,
  ) {}

  /**
   * The open repository of a Repository object, opening (or reopening) it when new or changed.
   * Throws for a Repository that is not of type git, and for missing or unusable credentials.
   */
  async openFor(object: KubeObject): Promise<Repository> {
    const namespace = object.metadata.namespace ?? '';
    const key = `${namespace}/${object.metadata.name ?? ''}`;
    const spec = isPlainObject(object.spec) ? object.spec : {};
    const git = isPlainObject(spec.git) ? (spec.git as unknown as GitLocation) : undefined;
    if ((text(spec.type) || 'git') !== 'git' || !git) {
      throw new ServiceUnavailableError(
        `repository ${key} is not a git repository; only git repositories are supported`,
      );
    }
    const secretName = git.secretRef?.name;
    const credentials = secretName
      ? credentialsFromSecret(await this.secret(namespace, secretName))
      : undefined;
    const identity = JSON.stringify([git.repo, git.branch, git.directory, git.createBranch, credentials]);
    const opened = this.#opened.get(key);
    if (opened?.identity === identity) return opened.repository;
    const pending = this.#opening.get(key);
    if (pending) return pending;
    const open = (async () => {
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
    })();
    this.#opening.set(key, open);
    try {
      return await open;
    } finally {
      this.#opening.delete(key);
    }
  }

  /** The repository if it is open. */
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
 * What the package handlers need of a Repository object: its open repository (opened here when
 * this replica has not opened it yet) and its description. A repository that cannot be opened
 * answers 503 with the reason.
 */
export function repositoryResolver(
  pool: RepositoryPool,
  repositories: ResourceHandler,
): (namespace: string, name: string) => Promise<{ repository: Repository; ref: RepositoryRef }> {
  return async (namespace, name) => {
    const object = await repositories.get(namespace, name);
    let repository = pool.get(`${namespace}/${name}`);
    if (!repository) {
      try {
        repository = await pool.openFor(object);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        throw new ServiceUnavailableError(
          `repository "${name}" is not ready: ${reason}; see the Ready condition of repository ${namespace}/${name}`,
          { cause: err },
        );
      }
    }
    return { repository, ref: repositoryRefOf(object) };
  };
}
