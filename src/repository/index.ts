/**
 * Package repositories behind one interface: `Repository` (the engine's view) and its git
 * implementation in Porch's layout (drafts/proposed branches, `<pkg>/v<N>` tags, `kpt:` trailers).
 */
export type {
  ApproveOptions,
  CreateDraftInput,
  Lifecycle,
  RefreshOptions,
  RefreshResult,
  Repository,
  RevisionRecord,
  UpdateDraftOptions,
} from './repository.js';
export { GitRepository } from './git-repository.js';
export { createGitRepository } from './create-git-repository.js';
export type { GitRepositoryOptions } from './create-git-repository.js';
export { commitMessageFor, DEFAULT_AUTHOR, readKptTrailer, withKptTrailer } from './git-layout.js';
export type { KptTrailer } from './git-layout.js';
export { UpstreamMirrors } from './upstream-mirrors.js';
export type { UpstreamPackage, UpstreamRequest } from './upstream-mirrors.js';
