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
