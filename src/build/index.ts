/**
 * Ship: package images in Package Operator's layout (build, validate, tree, read back), the
 * PackageManifest and its lock, image discovery, the Kubefile front end, and the Go template and
 * CEL subsets packages use.
 */
export { buildFromFiles, buildFromFolder, type BuildOptions, type BuildResult } from './build.js';
export {
  PACKAGE_PATH_PREFIX,
  PackageAnnotation,
  buildPackageImage,
  readPackageImageFiles,
  readPackageLayer,
  type BuiltImage,
} from './package-image.js';
export {
  readPackageFolder,
  packageFormat,
  imageFiles,
  type PackageFileMap,
  type PackageFormat,
} from './package-source.js';
export { storePackageImage, readStoredPackage } from './store-image.js';
export {
  validatePackage,
  packageTree,
  formatTree,
  type ValidationReport,
  type TestCaseReport,
  type PackageTree,
  type TreeOptions,
} from './validate.js';
export {
  MANIFESTS_API_VERSION,
  PHASE_ANNOTATION,
  parsePackageManifest,
  parsePackageManifestLock,
  validatePackageManifest,
  checkLock,
  type PackageManifest,
  type PackageManifestLock,
} from './manifest.js';
export { validateConfig, validateConfigSchema } from './config-schema.js';
export { loadPackage, selectComponent, type LoadedPackage } from './package-structure.js';
export {
  renderPackage,
  templateContext,
  type TemplateContext,
  type PackageObject,
} from './package-render.js';
export {
  findImages,
  IMAGES_ANNOTATION,
  IMAGE_LIST_FILE,
  type FoundImage,
  type ImageSource,
} from './images.js';
export { parseKubefile, KubefileError, type Kubefile, type KubefileInstruction } from './kubefile.js';
export { PackageViolationError } from './violation.js';
export {
  createRegistryClient,
  looksRemote,
  parseRepoPrefix,
  registryFailure,
  remoteReference,
  type RegistryAccess,
} from './remote.js';
export {
  copyRemote,
  fetchRemotePackage,
  fetchStoredPackage,
  inspectRemote,
  inspectStored,
  pullPackage,
  pushImage,
  type FetchedPackage,
  type ImageInspection,
  type PullResult,
  type PushResult,
  type TransferOptions,
} from './transfer.js';
export {
  BundleAnnotation,
  loadImages,
  saveImages,
  withVerifiedArchive,
  type LoadedImage,
  type LoadImagesResult,
  type SaveResult,
} from './archive.js';
export {
  formatLock,
  lockTimestamp,
  resolutionReference,
  updateLock,
  yamlString,
  type LockImage,
} from './lock.js';
export { rewriteImages, type ImageMapping } from './relocate.js';
export {
  bundleToRepo,
  bundleToTar,
  loadToRepo,
  pushBuilt,
  relocatedRepository,
  resolveImages,
  type BundledImage,
  type BundleResult,
  type LoadToRepoResult,
  type PackageInput,
  type ResolvedImage,
} from './bundle.js';
export { buildFromKubefile, SealerAnnotation, type KubefileBuildOptions } from './kubefile-build.js';
