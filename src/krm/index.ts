/**
 * KRM documents and kpt package files: pure functions over package file maps (no git, no network),
 * plus directory read/write for the CLI. Formats follow kpt (the reference implementation): YAML
 * written like kpt writes it, Kptfile `kpt.dev/v1`, merge keys of cloned packages, ResourceList
 * `config.kubernetes.io/v1`, `package-context.yaml`.
 */
export {
  KPTFILE,
  MAX_PACKAGE_BYTES,
  MAX_PATH_BYTES,
  resourcesField,
  toFileMap,
  validatePackagePath,
  validatePackagePaths,
  type PackageFiles,
  type PathValidationOptions,
} from './package-files.js';
export { readPackageDir, writePackageDir, type PackageDirOptions } from './package-dir.js';
export { KRMIGNORE, parseKrmIgnore, type KrmIgnore } from './krmignore.js';
export {
  DEFAULT_MAX_ALIAS_COUNT,
  DEFAULT_MAX_DOCUMENT_LENGTH,
  deriveSeqIndent,
  formatDocument,
  formatYamlFile,
  isDocumentChanged,
  newYamlDocument,
  parseYamlDocument,
  parseYamlFile,
  serializeYamlFile,
  type YamlDocument,
  type YamlFile,
  type YamlLimits,
} from './yaml-file.js';
export { emitDocument, type SeqIndent } from './kyaml-emitter.js';
export {
  getComments,
  getDocumentComments,
  setComments,
  setDocumentComments,
  type DocumentComments,
  type NodeComments,
} from './kyaml-comments.js';
export { cloneNode } from './yaml-clone.js';
export {
  apiGroup,
  clearEmptyMetadata,
  objectMeta,
  removeAnnotation,
  rootMap,
  scalarString,
  setAnnotation,
  type ObjectMeta,
} from './resource-meta.js';
export {
  comparePackagePaths,
  defaultResourcePath,
  isPackageYamlFile,
  krmProblem,
  readPackageResources,
  writePackageResources,
  type KrmResource,
  type PackageResources,
  type ReadResourcesOptions,
  type SkippedDocument,
} from './package-resources.js';
export {
  INDEX_ANNOTATION,
  LEGACY_INDEX_ANNOTATION,
  LEGACY_PATH_ANNOTATION,
  PATH_ANNOTATION,
  RESOURCE_LIST_API_VERSION,
  RESOURCE_LIST_KIND,
  SEQ_INDENT_ANNOTATION,
  TRACKING_ANNOTATIONS,
  buildResourceList,
  parseResourceList,
  type BuildResourceListOptions,
  type ParsedResourceList,
} from './resource-list.js';
export {
  KPTFILE_API_VERSION,
  KPTFILE_KIND,
  UPDATE_STRATEGIES,
  decodeKptfile,
  isValidFunctionImage,
  parseKptfile,
  parseKptfileDocument,
  validateKptfile,
  type Condition,
  type ConditionStatus,
  type ConfigRef,
  type GenericLock,
  type GitLock,
  type GitUpstream,
  type Inventory,
  type KptFunction,
  type Kptfile,
  type KptfileMetadata,
  type KptfileParseOptions,
  type KptfileStatus,
  type OciLock,
  type OciUpstream,
  type OriginType,
  type PackageInfo,
  type ParsedKptfile,
  type Pipeline,
  type PipelineStepResult,
  type ReadinessGate,
  type RenderStatus,
  type Selector,
  type UpdateStrategy,
  type Upstream,
  type UpstreamLock,
} from './kptfile.js';
export {
  serializeKptfile,
  setConditions,
  setInfo,
  setKptfile,
  setKptfileField,
  setKptfileUpstream,
  setPackageMetadata,
  setPipeline,
  setReadinessGates,
  setUpstreamLock,
  upsertCondition,
} from './kptfile-edit.js';
export {
  LOCAL_CONFIG_ANNOTATION,
  formatKptfile,
  newKptfile,
  type NewKptfileOptions,
} from './kptfile-format.js';
export {
  MERGE_COMMENT_PREFIX,
  UPSTREAM_IDENTIFIER_ANNOTATION,
  addMergeKey,
  parseMergeComment,
  upstreamIdentifier,
} from './merge-key.js';
export {
  BLUEPRINT_ANNOTATION,
  addMergeKeys,
  clonePackage,
  clonedKptfile,
  recordKptAction,
  type ClonePackageOptions,
  type GitOrigin,
  type MergeKeyOptions,
  type PackageEditResult,
} from './clone-package.js';
export {
  PACKAGE_CONTEXT_FILE,
  PACKAGE_CONTEXT_NAME,
  deploymentPackagePath,
  packageContextFile,
  upsertPackageContext,
  type PackageContext,
} from './package-context.js';
export { initPackage, packageReadme } from './init-package.js';
