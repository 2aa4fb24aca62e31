/**
 * `Repository` over a bare git mirror, in Porch's layout (porch.md §5). Every write runs inside
 * the repository's queue as fetch → plan (read refs, build commits with plumbing) → one atomic
 * leased push; a rejected push (someone else pushed in between) re-fetches and re-plans, up to
 * three attempts. The plan re-checks that the revision's ref is still where the caller saw it, so
 * a stale revision is a Conflict and another client's commit is never overwritten.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { ConflictError, ForbiddenError, InvalidError, NotFoundError } from '../apimachinery/index.js';
import { GitMirror, GitPushRejectedError, RepositoryQueue } from '../git/index.js';
import type { GitCredentials, GitIdentity, GitRef, PushUpdate } from '../git/index.js';
import { validatePackagePaths } from '../krm/index.js';

import { discoverRevisions, findPackages, refsVersion } from './discovery.js';
import type { LayoutConfig } from './discovery.js';
import {
  DEFAULT_AUTHOR,
  fullPackagePath,
  heads,
  refOf,
  requireLifecycle,
  rfc3339,
  shortRef,
  tags,
  validateNames,
  withKptTrailer,
} from './git-layout.js';
import type {
  ApproveOptions,
  CreateDraftInput,
  RefreshResult,
  Repository,
  RevisionRecord,
  UpdateDraftOptions,
} from './repository.js';

export interface GitRepositoryOptions {
  /** Lading's data dir; the mirror lives in `<dataDir>/git/<hash of url>`. */
  dataDir: string;
  url: string;
  /** Registered branch (default `main`). */
  branch?: string;
  /** `spec.git.directory`: packages live below it (default the root). */
  directory?: string;
  credentials?: GitCredentials;
  /** Create a missing branch with Porch's initial commit instead of failing (porch.md §4). */
  createBranch?: boolean;
  /**
   * Serializes writes per mirror. Defaults to one queue shared by every GitRepository of this
   * process, because two instances for the same URL share one mirror directory.
   */
  queue?: RepositoryQueue;
  /** Retry backoff unit in ms (default 200, as Porch); tests may shorten it. */
  retryBackoffMs?: number;
}

const MAX_ATTEMPTS = 3;
const sharedQueue = new RepositoryQueue();
const PACKAGE_REVISIONS = { group: 'porch.kpt.dev', resource: 'packagerevisions' };

/** What one attempt of a write pushes, and what the write returns if the push succeeds. */
interface Plan<T> {
  updates: PushUpdate[];
  result: T;
}

/** Opens (or creates) the mirror, fetches, and makes sure the registered branch exists. */
export async function createGitRepository(
  options: GitRepositoryOptions,
  signal?: AbortSignal,
): Promise<GitRepository> {
  const url = options.url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, '$1');
  const key = createHash('sha256').update(url).digest('hex').slice(0, 24);
  const dir = path.join(options.dataDir, 'git', key);
  const mirror = await GitMirror.open(dir, options.url, {
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(signal === undefined ? {} : { signal }),
  });
  const directory = (options.directory ?? '').replace(/^\/+|\/+$/g, '');
  const repo = new GitRepository(
    mirror,
    { branch: options.branch ?? 'main', directory },
    options.queue ?? sharedQueue,
    options.retryBackoffMs ?? 200,
  );
  try {
    await repo.ensureBranch(options.createBranch === true, signal);
  } catch (err) {
    await mirror.close();
    throw err;
  }
  return repo;
}

export class GitRepository implements Repository {
  constructor(
    private readonly mirror: GitMirror,
    private readonly config: LayoutConfig,
    private readonly queue: RepositoryQueue,
    private readonly backoffMs: number,
  ) {}

  /** The remote URL without credentials. */
  get url(): string {
    return this.mirror.url;
  }

  /** Fails unless the branch exists; with `create`, pushes Porch's initial commit (porch.md §4). */
  async ensureBranch(create: boolean, signal?: AbortSignal): Promise<void> {
    const { branch } = this.config;
    await this.write(signal, async (refs) => {
      if (refs.has(heads(branch))) return { updates: [], result: undefined };
      if (!create) {
        throw new NotFoundError(
          { resource: 'branches', name: branch },
          {
            message: `branch "${branch}" not found in git repository ${this.mirror.url}; create it or set \`spec.git.createBranch\``,
          },
        );
      }
      const tree = await this.mirror.writeTree(
        undefined,
        { 'README.md': Buffer.from('Created by porch') },
        sig(signal),
      );
      const commit = await this.mirror.commitTree({
        tree,
        message: 'Initial commit: Creating main branch',
        author: DEFAULT_AUTHOR,
        ...sig(signal),
      });
      return {
        updates: [{ ref: heads(branch), newOid: commit, expectedRemoteOid: null }],
        result: undefined,
      };
    });
  }

  async refresh(signal?: AbortSignal): Promise<RefreshResult> {
    const refs = await this.queue.withLock(
      this.mirror.dir,
      async () => {
        await this.mirror.fetch(sig(signal));
        return this.mirror.listRefs(undefined, signal);
      },
      sig(signal),
    );
    return {
      version: refsVersion(refs),
      revisions: await discoverRevisions(this.mirror, refs, this.config, signal),
    };
  }

  async readResources(rev: RevisionRecord, signal?: AbortSignal): Promise<Map<string, string>> {
    const directory = fullPackagePath(this.config.directory, rev.packagePath);
    const files = await this.mirror.readFiles(rev.commit, { directory, ...sig(signal) });
    return new Map([...files].map(([p, data]) => [p, data.toString('utf8')]));
  }

  async createDraft(input: CreateDraftInput, signal?: AbortSignal): Promise<RevisionRecord> {
    const { packagePath, workspaceName } = input;
    validateNames(packagePath, workspaceName, this.config.directory);
    validateFiles(packagePath, input.files);
    const pkg = this.pkg(packagePath);
    return this.write(signal, async (refs) => {
      const head = this.head(refs);
      const taken = [
        heads(shortRef.draft(pkg, workspaceName)),
        heads(shortRef.proposed(pkg, workspaceName)),
      ].some((r) => refs.has(r));
      if (taken || (await this.publishedWorkspaces(refs, pkg, signal)).has(workspaceName)) {
        throw new ConflictError(
          { ...PACKAGE_REVISIONS, name: `${packagePath}/${workspaceName}` },
          `package "${packagePath}" already has a revision with workspace "${workspaceName}"; choose another \`spec.workspaceName\``,
        );
      }
      await this.assertNotNested(head, packagePath, signal);
      const draft: RevisionRecord = {
        packagePath,
        workspaceName,
        revision: 0,
        lifecycle: 'Draft',
        commit: '',
        ref: shortRef.draft(pkg, workspaceName),
        updated: '',
      };
      if (input.task !== undefined) draft.task = input.task;
      const next = await this.commitPackage(head, draft, input.files, input, signal);
      return {
        updates: [{ ref: heads(next.ref), newOid: next.commit, expectedRemoteOid: null }],
        result: next,
      };
    });
  }

  async updateDraft(
    rev: RevisionRecord,
    files: ReadonlyMap<string, string>,
    options: UpdateDraftOptions,
    signal?: AbortSignal,
  ): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Draft'], 'update the content of');
    validateFiles(rev.packagePath, files);
    return this.write(signal, async (refs) => {
      const ref = this.expectAt(refs, rev);
      // The creation task stays on the revision (spec.tasks) unless the caller replaces it.
      const base: RevisionRecord = options.task === undefined ? { ...rev } : { ...rev, task: options.task };
      const next = await this.commitPackage(rev.commit, base, files, options, signal);
      return { updates: [{ ref, newOid: next.commit, expectedRemoteOid: rev.commit }], result: next };
    });
  }

  propose(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Draft'], 'propose');
    return this.move(
      rev,
      'Proposed',
      shortRef.proposed(this.pkg(rev.packagePath), rev.workspaceName),
      signal,
    );
  }

  rejectProposal(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Proposed'], 'reject');
    return this.move(rev, 'Draft', shortRef.draft(this.pkg(rev.packagePath), rev.workspaceName), signal);
  }

  async approve(
    rev: RevisionRecord,
    options: ApproveOptions = {},
    signal?: AbortSignal,
  ): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Proposed'], 'approve');
    const pkg = this.pkg(rev.packagePath);
    return this.write(signal, async (refs) => {
      const proposedRef = this.expectAt(refs, rev);
      const head = this.head(refs);
      // N is recomputed on every attempt: a concurrent approval of this package may have taken it.
      const published = await this.mirror.listRefs(`refs/tags/${pkg}/v`, signal);
      const revision = 1 + Math.max(0, ...published.map((r) => Number(/\/v(\d+)$/.exec(r.name)?.[1] ?? 0)));
      const entry = await this.mirror.entryAt(rev.commit, pkg, signal);
      // Only the trees on the package's path are rewritten; every other subtree is reused by oid.
      const tree = await this.mirror.writeTree(
        head,
        { [pkg]: entry?.type === 'tree' ? { mode: '040000', oid: entry.oid } : null },
        sig(signal),
      );
      const date = now();
      const author = options.author ?? DEFAULT_AUTHOR;
      const commit = await this.mirror.commitTree({
        tree,
        parents: [head],
        message: withKptTrailer(`Approving package revision ${pkg}/${revision}`, {
          package: pkg,
          workspaceName: rev.workspaceName,
          revision: String(revision),
          task: rev.task,
        }),
        author,
        committer: options.publishedBy ?? author,
        date,
        ...sig(signal),
      });
      const tag = shortRef.tag(pkg, revision);
      const result: RevisionRecord = {
        ...rev,
        revision,
        lifecycle: 'Published',
        commit,
        ref: tag,
        updated: rfc3339(date),
      };
      return {
        updates: [
          { ref: heads(this.config.branch), newOid: commit, expectedRemoteOid: head },
          { ref: tags(tag), newOid: commit, expectedRemoteOid: null },
          { ref: proposedRef, newOid: null, expectedRemoteOid: rev.commit },
        ],
        result,
      };
    });
  }

  proposeDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Published'], 'propose deletion of');
    const ref = heads(shortRef.deletionProposed(this.pkg(rev.packagePath), rev.revision));
    return this.write(signal, (refs) => {
      this.expectAt(refs, rev);
      return Promise.resolve({
        updates: [{ ref, newOid: rev.commit, expectedRemoteOid: this.lease(refs, ref) }],
        result: { ...rev, lifecycle: 'DeletionProposed' as const },
      });
    });
  }

  rejectDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['DeletionProposed'], 'reject deletion of');
    const ref = heads(shortRef.deletionProposed(this.pkg(rev.packagePath), rev.revision));
    return this.write(signal, (refs) => {
      this.expectAt(refs, rev);
      const current = this.lease(refs, ref);
      return Promise.resolve({
        updates: current === null ? [] : [{ ref, newOid: null, expectedRemoteOid: current }],
        result: { ...rev, lifecycle: 'Published' as const },
      });
    });
  }

  async delete(rev: RevisionRecord, signal?: AbortSignal): Promise<void> {
    if (rev.revision === -1) return this.deletePlaceholder(rev, signal);
    if (rev.lifecycle === 'Published') {
      throw new ForbiddenError(
        'published PackageRevisions must be proposed for deletion by setting spec.lifecycle to ' +
          "'DeletionProposed' prior to deletion",
      );
    }
    const pkg = this.pkg(rev.packagePath);
    await this.write(signal, (refs) => {
      const ref = this.expectAt(refs, rev);
      const updates: PushUpdate[] = [{ ref, newOid: null, expectedRemoteOid: this.lease(refs, ref) }];
      if (rev.lifecycle === 'DeletionProposed') {
        const marker = heads(shortRef.deletionProposed(pkg, rev.revision));
        const current = this.lease(refs, marker);
        if (current !== null) updates.push({ ref: marker, newOid: null, expectedRemoteOid: current });
      }
      return Promise.resolve({ updates, result: undefined });
    });
  }

  close(): Promise<void> {
    return this.mirror.close();
  }

  /** Removes the package directory from the branch with one commit `Delete <pkgpath>`. */
  private async deletePlaceholder(rev: RevisionRecord, signal?: AbortSignal): Promise<void> {
    const pkg = this.pkg(rev.packagePath);
    await this.write(signal, async (refs) => {
      const head = this.head(refs);
      if ((await this.mirror.entryAt(head, pkg, signal)) === undefined)
        return { updates: [], result: undefined };
      const tree = await this.mirror.writeTree(head, { [pkg]: null }, sig(signal));
      const commit = await this.mirror.commitTree({
        tree,
        parents: [head],
        message: `Delete ${pkg}`,
        author: DEFAULT_AUTHOR,
        ...sig(signal),
      });
      const update = { ref: heads(this.config.branch), newOid: commit, expectedRemoteOid: head };
      return { updates: [update], result: undefined };
    });
  }

  /** Moves the revision's commit from its branch to `target` (create + delete in one push). */
  private move(
    rev: RevisionRecord,
    lifecycle: 'Draft' | 'Proposed',
    target: string,
    signal?: AbortSignal,
  ): Promise<RevisionRecord> {
    return this.write(signal, (refs) => {
      const from = this.expectAt(refs, rev);
      if (refs.has(heads(target))) {
        throw new ConflictError(
          { ...PACKAGE_REVISIONS, name: `${rev.packagePath}/${rev.workspaceName}` },
          `branch "${target}" already exists; delete it or use another workspace`,
        );
      }
      return Promise.resolve({
        updates: [
          { ref: heads(target), newOid: rev.commit, expectedRemoteOid: null },
          { ref: from, newOid: null, expectedRemoteOid: rev.commit },
        ],
        result: { ...rev, lifecycle, ref: target },
      });
    });
  }

  /**
   * Runs fetch → plan → push under the repository lock, retrying a rejected push on fresh refs.
   * `plan` gets the mirror's refs (full name → target) right after the fetch.
   */
  private write<T>(signal: AbortSignal | undefined, plan: (refs: RefMap) => Promise<Plan<T>>): Promise<T> {
    return this.queue.withLock(
      this.mirror.dir,
      async () => {
        for (let attempt = 1; ; attempt++) {
          await this.mirror.fetch(sig(signal));
          const refs = toMap(await this.mirror.listRefs(undefined, signal));
          const { updates, result } = await plan(refs);
          try {
            await this.mirror.push(updates, sig(signal));
            return result;
          } catch (err) {
            if (!(err instanceof GitPushRejectedError)) throw err;
            if (attempt >= MAX_ATTEMPTS) {
              throw new ConflictError(
                { resource: 'repositories', name: this.mirror.url },
                `the git remote kept changing; ${MAX_ATTEMPTS} attempts to push were rejected (${err.message})`,
                { cause: err },
              );
            }
            const hook = err.rejected.some((r) => /hook declined/.test(r.reason));
            await sleep(this.backoffMs * attempt * (hook ? 5 : 1), undefined, sig(signal));
          }
        }
      },
      sig(signal),
    );
  }

  /** Writes the package directory as `files` on top of `base` and commits with the kpt trailer. */
  private async commitPackage(
    base: string,
    rev: RevisionRecord,
    files: ReadonlyMap<string, string>,
    options: { message: string; author?: GitIdentity },
    signal?: AbortSignal,
  ): Promise<RevisionRecord> {
    const pkg = this.pkg(rev.packagePath);
    const changes = new Map([...files].map(([p, text]) => [p, Buffer.from(text, 'utf8')]));
    const tree = await this.mirror.writeTree(base, changes, {
      directory: pkg,
      replaceDirectory: true,
      ...sig(signal),
    });
    const date = now();
    const commit = await this.mirror.commitTree({
      tree,
      parents: [base],
      message: withKptTrailer(options.message, {
        package: pkg,
        workspaceName: rev.workspaceName,
        revision: String(rev.revision),
        task: rev.task,
      }),
      author: options.author ?? DEFAULT_AUTHOR,
      date,
      ...sig(signal),
    });
    return { ...rev, commit, updated: rfc3339(date) };
  }

  /** The revision's full ref, after checking it is still at `rev.commit` (else Conflict/NotFound). */
  private expectAt(refs: RefMap, rev: RevisionRecord): string {
    const ref = refOf(rev, this.config.directory, this.config.branch);
    const found = refs.get(ref);
    const current = found === undefined ? undefined : (found.peeled ?? found.oid);
    const target = { ...PACKAGE_REVISIONS, name: `${rev.packagePath}/${rev.workspaceName}` };
    if (current === undefined) {
      throw new NotFoundError(target, {
        message: `package revision "${rev.packagePath}/${rev.workspaceName}" (${rev.lifecycle}) not found: git ref "${ref}" does not exist`,
      });
    }
    if (current !== rev.commit) {
      throw new ConflictError(
        target,
        `git ref "${ref}" moved from ${rev.commit.slice(0, 12)} to ${current.slice(0, 12)}; refresh and retry`,
      );
    }
    return ref;
  }

  /** The lease for `ref`: its current raw oid (a tag object for annotated tags). */
  private lease(refs: RefMap, ref: string): string | null {
    return refs.get(ref)?.oid ?? null;
  }

  private head(refs: RefMap): string {
    const head = refs.get(heads(this.config.branch))?.oid;
    if (head === undefined) {
      throw new NotFoundError(
        { resource: 'branches', name: this.config.branch },
        { message: `branch "${this.config.branch}" no longer exists in git repository ${this.mirror.url}` },
      );
    }
    return head;
  }

  private pkg(packagePath: string): string {
    return fullPackagePath(this.config.directory, packagePath);
  }

  /** Workspaces of the published revisions of `pkg` (from the tags' commit trailers). */
  private async publishedWorkspaces(refs: RefMap, pkg: string, signal?: AbortSignal): Promise<Set<string>> {
    const published = (await this.mirror.listRefs(`refs/tags/${pkg}/v`, signal)).filter((r) =>
      refs.has(r.name),
    );
    const records = await discoverRevisions(this.mirror, published, this.config, signal);
    return new Set(records.map((r) => r.workspaceName));
  }

  /** Porch: "Package path cannot be parent or child of existing package". */
  private async assertNotNested(head: string, packagePath: string, signal?: AbortSignal): Promise<void> {
    const segments = packagePath.split('/');
    const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
    const checks = ancestors.map(async (a) =>
      (await this.mirror.entryAt(head, `${this.pkg(a)}/Kptfile`, signal)) ? a : undefined,
    );
    const parent = (await Promise.all(checks)).find((a) => a !== undefined);
    // An existing package may hold subpackages; only a new package must not enclose packages.
    const exists =
      (await this.mirror.entryAt(head, `${this.pkg(packagePath)}/Kptfile`, signal)) !== undefined;
    const children = exists ? [] : await findPackages(this.mirror, head, this.pkg(packagePath), signal);
    const other = parent ?? (children[0] === undefined ? undefined : `${packagePath}/${children[0]}`);
    if (other !== undefined) {
      throw new InvalidError({ group: 'porch.kpt.dev', kind: 'PackageRevision', name: packagePath }, [
        {
          reason: 'FieldValueInvalid',
          field: 'spec.packageName',
          message: `package path "${packagePath}" cannot be parent or child of existing package "${other}"`,
        },
      ]);
    }
  }
}

function validateFiles(packagePath: string, files: ReadonlyMap<string, string>): void {
  const causes = validatePackagePaths(files);
  if (causes.length > 0)
    throw new InvalidError(
      { group: 'porch.kpt.dev', kind: 'PackageRevisionResources', name: packagePath },
      causes,
    );
}

/** Full ref name → ref; leases use `oid`, revisions compare `peeled ?? oid` (the commit). */
type RefMap = Map<string, GitRef>;

function toMap(refs: readonly GitRef[]): RefMap {
  return new Map(refs.map((r) => [r.name, r]));
}

/** Now, truncated to seconds (git's resolution), so the record's `updated` equals what refresh reads. */
function now(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
