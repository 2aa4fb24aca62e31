export { packageRevisionKind, packageRevisionResourcesKind, porchPackageKind } from './package-kinds.js';
export { createPackageResourcesHandler, type PackageResourcesDeps } from './package-resources-handler.js';
export {
  clearIndex,
  desiredObjects,
  indexVersion,
  syncIndex,
  syncPackageIndex,
  type IndexHandlers,
  type SyncResult,
} from './index-sync.js';
export {
  latestRevisions,
  packageObjectName,
  packageRevisionObject,
  porchPackageObject,
  repositoryRefOf,
  revisionName,
  type RepositoryRef,
} from './revision-objects.js';
export { RepositoryPool, repositoryResolver, type GitLocation } from './repository-pool.js';
export { createPackageRevisionHandler, type PackageRevisionDeps } from './package-revision-handler.js';
export { credentialsFromSecret } from './secret-credentials.js';
export { PUSH_ON_RENDER_FAILURE_ANNOTATION, renderForWrite, type RenderStatus } from './render-on-write.js';
export { FunctionConfigCache, functionConfigKind } from './function-configs.js';
