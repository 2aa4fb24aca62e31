/**
 * `Repository` over a bare git mirror, in Porch's layout (porch.md §5). Every write runs inside
 * the repository's queue as fetch → plan (read refs, build commits with plumbing) → one atomic
 * leased push; a rejected push (someone else pushed in between) re-fetches and re-plans, up to
 * three attempts. The plan re-checks that the revision's ref is still where the caller saw it, so
 * a stale revision is a Conflict and another client's commit is never overwritten.
 */
import { ConflictError, ForbiddenError, NotFoundError } from '../apimachinery/index.js';
import type { GitIdentity, GitMirror, PushUpdate, RepositoryQueue } from '../git/index.js';

import { discoverRevisions, refsVersion } from './discovery.js';
import type { LayoutConfig } from './discovery.js';
import {
  DEFAULT_AUTHOR,
  fullPackagePath,
  heads,
  packageScope,
  refOf,
  requireLifecycle,
  rfc3339,
  shortRef,
  tags,
  validateNames,
  withKptTrailer,
} from './git-layout.js';
import { leasedWrite, sig } from './leased-write.js';
import type { Plan, RefMap } from './leased-write.js';
import { assertNotNested, publishedWorkspaces, validateFiles } from './package-checks.js';
import type {
  ApproveOptions,
  CreateDraftInput,
  RefreshOptions,
  RefreshResult,
  Repository,
  RevisionRecord,
  UpdateDraftOptions,
} from './repository.js';

const PACKAGE_REVISIONS = { group: 'porch.kpt.dev', resource: 'packagerevisions' };

/** Build with `createGitRepository`, which also makes sure the branch exists. */
export class GitRepository implements Repository {
  constructor(
    private readonly mirror: GitMirror,
    readonly config: LayoutConfig,
    private readonly queue: RepositoryQueue,
    private readonly backoffMs: number,
  ) {}

  /** The remote URL without credentials. */
  get url(): string {
    return this.mirror.url;
  }

  async refresh(signal?: AbortSignal, options: RefreshOptions = {}): Promise<RefreshResult> {
    const pkg = options.packagePath === undefined ? undefined : this.pkg(options.packagePath);
    const scope = pkg === undefined ? undefined : packageScope(pkg, this.config.branch);
    const refs = await this.queue.withLock(
      this.mirror.dir,
      async () => {
        if (options.fetch !== false)
          await this.mirror.fetch({ ...sig(signal), ...(scope ? { refspecs: scope.refspecs } : {}) });
        return this.mirror.listRefs(scope?.patterns, signal);
      },
      sig(signal),
    );
    return {
      version: refsVersion(refs),
      revisions: await discoverRevisions(this.mirror, refs, this.config, signal, options.packagePath),
    };
  }

  async readResources(rev: RevisionRecord, signal?: AbortSignal): Promise<Map<string, string>> {
    const directory = fullPackagePath(this.config.directory, rev.packagePath);
    const files = await this.mirror.readFiles(rev.commit, { directory, ...sig(signal) });
    return new Map([...files].map(([p, data]) => [p, data.toString('utf8')]));
  }

  async readFile(rev: RevisionRecord, file: string, signal?: AbortSignal): Promise<string | undefined> {
    const path = `${fullPackagePath(this.config.directory, rev.packagePath)}/${file}`;
    return (await this.mirror.readFile(rev.commit, path, signal))?.toString('utf8');
  }

  async createDraft(input: CreateDraftInput, signal?: AbortSignal): Promise<RevisionRecord> {
    const { packagePath, workspaceName } = input;
    validateNames(packagePath, workspaceName, this.config.directory);
    validateFiles(packagePath, input.files);
    const pkg = this.pkg(packagePath);
    return this.write(signal, pkg, async (refs) => {
      const head = this.head(refs);
      const taken = [
        heads(shortRef.draft(pkg, workspaceName)),
        heads(shortRef.proposed(pkg, workspaceName)),
      ].some((r) => refs.has(r));
      // The placeholder revision already uses the branch name as its workspace.
      if (
        taken ||
        workspaceName === this.config.branch ||
        (await publishedWorkspaces(this.mirror, this.config, refs, pkg, signal)).has(workspaceName)
      ) {
        throw new ConflictError(
          { ...PACKAGE_REVISIONS, name: `${packagePath}/${workspaceName}` },
          `package "${packagePath}" already has a revision with workspace "${workspaceName}"; choose another \`spec.workspaceName\``,
        );
      }
      await assertNotNested(this.mirror, this.config.directory, head, packagePath, signal);
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
    return this.write(signal, this.pkg(rev.packagePath), async (refs) => {
      const ref = this.expectAt(refs, rev);
      // The creation task stays on the revision (spec.tasks) unless the caller replaces it.
      const base: RevisionRecord = options.task === undefined ? { ...rev } : { ...rev, task: options.task };
      const next = await this.commitPackage(rev.commit, base, files, options, signal);
      return { updates: [{ ref, newOid: next.commit, expectedRemoteOid: rev.commit }], result: next };
    });
  }

  async propose(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Draft'], 'propose');
    return this.move(
      rev,
      'Proposed',
      shortRef.proposed(this.pkg(rev.packagePath), rev.workspaceName),
      signal,
    );
  }

  async rejectProposal(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
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
    return this.write(signal, pkg, async (refs) => {
      const proposedRef = this.expectAt(refs, rev);
      const head = this.head(refs);
      // N is recomputed on every attempt: a concurrent approval of this package may have taken it.
      const revision = nextRevision(refs, pkg);
      const entry = await this.mirror.entryAt(rev.commit, pkg, signal);
      // Only the trees on the package's path are rewritten; every other subtree is reused by oid.
      const tree = await this.mirror.writeTree(
        head,
        { [pkg]: entry?.type === 'tree' ? { mode: '040000', oid: entry.oid } : null },
        sig(signal),
      );
      const date = now();
      const author = options.author ?? DEFAULT_AUTHOR;
      const commit = this.mirror.commitTree({
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

  async proposeDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['Published'], 'propose deletion of');
    const ref = heads(shortRef.deletionProposed(this.pkg(rev.packagePath), rev.revision));
    return this.write(signal, this.pkg(rev.packagePath), (refs) => {
      this.expectAt(refs, rev);
      return Promise.resolve({
        updates: [{ ref, newOid: rev.commit, expectedRemoteOid: this.lease(refs, ref) }],
        result: { ...rev, lifecycle: 'DeletionProposed' as const },
      });
    });
  }

  async rejectDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord> {
    requireLifecycle(rev, ['DeletionProposed'], 'reject deletion of');
    const ref = heads(shortRef.deletionProposed(this.pkg(rev.packagePath), rev.revision));
    return this.write(signal, this.pkg(rev.packagePath), (refs) => {
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
    await this.write(signal, pkg, (refs) => {
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
    await this.write(signal, pkg, async (refs) => {
      const head = this.head(refs);
      if ((await this.mirror.entryAt(head, pkg, signal)) === undefined)
        return { updates: [], result: undefined };
      const tree = await this.mirror.writeTree(head, { [pkg]: null }, sig(signal));
      const commit = this.mirror.commitTree({
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
    return this.write(signal, this.pkg(rev.packagePath), (refs) => {
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

  /** A write to one package (`pkg`: its full path in the repository). */
  private write<T>(
    signal: AbortSignal | undefined,
    pkg: string,
    plan: (refs: RefMap) => Promise<Plan<T>>,
  ): Promise<T> {
    const scope = packageScope(pkg, this.config.branch);
    return leasedWrite(
      { mirror: this.mirror, queue: this.queue, backoffMs: this.backoffMs, signal, scope },
      plan,
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
    const commit = this.mirror.commitTree({
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
}

/** Now, truncated to seconds (git's resolution), so the record's `updated` equals what refresh reads. */
function now(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

/** Highest published revision of `pkg` (tags exactly `<pkg>/v<N>`) + 1. */
function nextRevision(refs: RefMap, pkg: string): number {
  const prefix = `refs/tags/${pkg}/v`;
  let highest = 0;
  for (const name of refs.keys()) {
    if (!name.startsWith(prefix)) continue;
    const digits = name.slice(prefix.length);
    if (/^[1-9][0-9]{0,8}$/.test(digits)) highest = Math.max(highest, Number(digits));
  }
  return highest + 1;
}
