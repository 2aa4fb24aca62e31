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
