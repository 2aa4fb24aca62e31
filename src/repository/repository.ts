/**
 * The contract between the package-revision engine and a package repository (git today, OCI
 * later). A `Repository` turns lifecycle steps into storage operations and lists what storage
 * holds; it keeps no index of its own (the engine keeps that in the object store, ADR 0003).
 */
import type { GitIdentity } from '../git/index.js';

export type Lifecycle = 'Draft' | 'Proposed' | 'Published' | 'DeletionProposed';

/** One package revision as the repository holds it. Plain data: safe to store and compare. */
export interface RevisionRecord {
  /** Relative to the repository's `spec.git.directory` (Porch's `spec.packageName`); may contain '/'. */
  packagePath: string;
  workspaceName: string;
  /** 0 for Draft/Proposed, 1..N for published revisions, -1 for the placeholder on the branch head. */
  revision: number;
  lifecycle: Lifecycle;
  /** Commit whose tree holds the package at `<directory>/<packagePath>`. */
  commit: string;
  /**
   * Short ref, as an upstreamLock would name it: `drafts/<pkgpath>/<ws>`, `proposed/<pkgpath>/<ws>`,
   * `<pkgpath>/v<N>` (published and deletion-proposed), or the branch name (placeholder).
   */
  ref: string;
  /** The task from the commit's `kpt:` trailer, if any (opaque here; the engine owns its schema). */
  task?: unknown;
  /** Commit time, RFC 3339 (UTC). */
  updated: string;
}

export interface RefreshResult {
  /** Hash of every ref name and target: equal versions mean equal listings. */
  version: string;
  revisions: RevisionRecord[];
}

export interface RefreshOptions {
  /**
   * Only this package's revisions: fetches and reads just its refs and the branch, so the cost
   * does not grow with the repository (used after a write; full refreshes keep everything true).
   */
  packagePath?: string;
  /** Read the mirror as it is, without fetching (right after this process's own write); default true. */
  fetch?: boolean;
}

export interface CreateDraftInput {
  packagePath: string;
  workspaceName: string;
  /** The package's files, package-relative paths; they become the whole package directory. */
  files: ReadonlyMap<string, string>;
  task?: unknown;
  /** First line(s) of the commit message; see `commitMessageFor` for Porch's wording per task. */
  message: string;
  /** Author and committer; default `Package Orchestration Service <porch@kpt.dev>`. */
  author?: GitIdentity;
}

export interface UpdateDraftOptions {
  task?: unknown;
  message: string;
  author?: GitIdentity;
}

export interface ApproveOptions {
  author?: GitIdentity;
  /** Recorded as the committer of the approval commit (the author stays `author`). */
  publishedBy?: GitIdentity;
}

/**
 * Every method that writes is serialized per repository and pushes atomically with leases: it
 * never overwrites a commit someone else pushed. A write whose revision no longer matches the
 * remote (another client moved it) fails with a `ConflictError`; a write that raced an unrelated
 * push is rebuilt on the new remote state and retried. Lifecycle preconditions and invalid input
 * fail with `BadRequestError`/`InvalidError`/`ForbiddenError`/`NotFoundError` (apimachinery);
 * network and auth failures surface as the git module's errors (already free of credentials).
 */
export interface Repository {
  /** Fetches (with prune) and lists every revision the refs describe (porch.md §5.1). */
  refresh(signal?: AbortSignal, options?: RefreshOptions): Promise<RefreshResult>;
  /** The package's files (subpackages included), package-relative paths, UTF-8 text. */
  readResources(rev: RevisionRecord, signal?: AbortSignal): Promise<Map<string, string>>;
  /** One file of the package (e.g. its `Kptfile`), or undefined when there is none. */
  readFile(rev: RevisionRecord, file: string, signal?: AbortSignal): Promise<string | undefined>;
  /** New Draft: one commit on top of the branch head, pushed to `drafts/<pkgpath>/<ws>`. */
  createDraft(input: CreateDraftInput, signal?: AbortSignal): Promise<RevisionRecord>;
  /** New commit on the Draft's branch; `files` become the whole package directory. */
  updateDraft(
    rev: RevisionRecord,
    files: ReadonlyMap<string, string>,
    options: UpdateDraftOptions,
    signal?: AbortSignal,
  ): Promise<RevisionRecord>;
  /** drafts/… → proposed/… in one atomic push. */
  propose(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord>;
  /** proposed/… → drafts/… in one atomic push. */
  rejectProposal(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord>;
  /** Branch commit + tag `<pkgpath>/v<N>` + delete proposed/… in one atomic push (porch.md §5.2). */
  approve(rev: RevisionRecord, options?: ApproveOptions, signal?: AbortSignal): Promise<RevisionRecord>;
  /** Pushes `deletionProposed/<pkgpath>/v<N>` at the published revision's commit. */
  proposeDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord>;
  /** Deletes the `deletionProposed/…` branch. */
  rejectDeletion(rev: RevisionRecord, signal?: AbortSignal): Promise<RevisionRecord>;
  /**
   * Draft/Proposed: delete the branch. DeletionProposed: delete the tag and the deletionProposed
   * branch. Placeholder (-1): commit `Delete <pkgpath>` removing the directory from the branch.
   * Published (not proposed for deletion): ForbiddenError.
   */
  delete(rev: RevisionRecord, signal?: AbortSignal): Promise<void>;
  /** Stops background processes; the mirror stays on disk for the next open. */
  close(): Promise<void>;
}
