export { packageRevisionKind, porchPackageKind } from './package-kinds.js';
export { clearIndex, desiredObjects, syncIndex, type IndexHandlers, type SyncResult } from './index-sync.js';
export {
  latestRevisions,
  packageObjectName,
  packageRevisionObject,
  porchPackageObject,
  revisionName,
  type RepositoryRef,
} from './revision-objects.js';
