/**
 * Git for Lading: bare mirrors fetched by the system `git` CLI, batch reads, objects and refs
 * written in-process, atomic leased pushes (smart HTTP in-process, the CLI otherwise), in-memory
 * credentials, and a per-repository operation queue.
 */
export { GitMirror } from './git-mirror.js';
export type { FetchOptions, GitMirrorOptions } from './git-mirror.js';
export { RepositoryQueue } from './repository-queue.js';
export {
  GitAuthenticationError,
  GitError,
  GitObjectNotFoundError,
  GitPushRejectedError,
  GitRefConflictError,
} from './errors.js';
export type { GitErrorDetails, GitFailure, RejectedRef } from './errors.js';
export type { GitCredentials } from './credentials.js';
export type { CommitTreeOptions, GitIdentity } from './commit-tree.js';
export type { FileEntry, ListOptions } from './object-reader.js';
export type { CommitInfo, FileMode, GitSignature, ObjectType, Trailer, TreeEntry } from './objects.js';
export { parseTrailers, withTrailers } from './objects.js';
export type { PushedRef, PushUpdate } from './push.js';
export type { GitRef, LocalRefUpdate } from './refs.js';
export { assertRefName, ZERO_OID } from './refs.js';
export type { TreeChange, TreeChanges, WriteTreeOptions } from './tree-writer.js';
export { runGit } from './run-git.js';
export type { GitOutput, RunGitOptions } from './run-git.js';
export { defaultGitHome, prepareGitHome } from './git-home.js';
export { redact } from './redact.js';
export { gitHttpBackendPath, serveHttpBackend, type HttpBackendRequest } from './http-backend.js';
export { createHostedRepository, hostedRepositoriesDir } from './hosted-repositories.js';
