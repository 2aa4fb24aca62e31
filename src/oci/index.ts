/**
 * OCI: tar and gzip for layers and archives, digests, manifests and media types, the distribution
 * client (auth, retries, streaming, digest verification), the local OCI layout store and copy.
 */
export * from './tar.js';
export {
  Digester,
  DigestError,
  digestAlgorithm,
  digestHex,
  digestStream,
  isDigest,
  parseDigest,
  sha256,
  verifyBytes,
  verifyStream,
  type Digest,
  type VerifyOptions,
} from './digest.js';
export {
  Annotation,
  INDEX_MEDIA_TYPES,
  MANIFEST_MEDIA_TYPES,
  ManifestError,
  MediaType,
  childDescriptors,
  encodeJson,
  isIndexMediaType,
  parseManifest,
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  type ParsedManifest,
  type Platform,
} from './manifest.js';
export {
  DOCKER_HUB,
  ReferenceError,
  formatReference,
  isLoopbackRegistry,
  isValidRepository,
  isValidTag,
  manifestReference,
  parseReference,
  registryHost,
  withDefaultTag,
  type ImageReference,
  type RepositoryRef,
} from './reference.js';
export {
  CredentialsError,
  chainCredentials,
  dockerConfigCredentials,
  loadDockerConfig,
  normalizeRegistryKey,
  secretCredentials,
  staticCredentials,
  type CredentialProvider,
  type Credentials,
  type DockerAuthEntry,
  type DockerConfig,
  type DockerConfigSecret,
} from './credentials.js';
export {
  RegistryAuthError,
  RegistryError,
  RegistryNotFoundError,
  RegistryProtocolError,
  RegistryUnavailableError,
  type RegistryErrorDetails,
} from './errors.js';
export { parseChallenge, type Challenge } from './challenge.js';
export { RegistryTransport, type RetryOptions, type TransportOptions } from './transport.js';
export {
  RegistryClient,
  type BlobDownload,
  type BlobSource,
  type CallOptions,
  type FetchedManifest,
  type PushBlobOptions,
  type PushBlobResult,
  type RegistryClientOptions,
} from './client.js';
export {
  OCI_LAYOUT_VERSION,
  OciLayoutStore,
  StoreError,
  type GcResult,
  type StoredManifest,
  type StoreRef,
  type VerifyProblem,
} from './store.js';
export {
  loadArchive,
  saveArchive,
  type LoadOptions,
  type LoadResult,
  type SaveOptions,
} from './store-archive.js';
export { Limiter, mapLimit } from './limit.js';
export {
  RegistryEndpoint,
  StoreEndpoint,
  type BlobWriteOptions,
  type ImageSource,
  type ImageTarget,
  type ManifestData,
} from './endpoints.js';
export {
  copyImage,
  copyImages,
  type CopyJob,
  type CopyOptions,
  type CopyProgress,
  type CopyResult,
} from './copy.js';
