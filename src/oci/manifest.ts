/**
 * OCI (and Docker v2 schema 2) manifests, indexes, descriptors and image configs: types, media
 * types, parsing with validation, and the canonical bytes Lading writes.
 */
import { isDigest, type Digest } from './digest.js';

export const MediaType = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** Manifest media types the client accepts when reading (Accept header order = preference). */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerManifestList,
  MediaType.dockerManifest,
];

export const INDEX_MEDIA_TYPES: readonly string[] = [MediaType.ociIndex, MediaType.dockerManifestList];

/** Well-known annotation keys. */
export const Annotation = {
  refName: 'org.opencontainers.image.ref.name',
  created: 'org.opencontainers.image.created',
  title: 'org.opencontainers.image.title',
  source: 'org.opencontainers.image.source',
  version: 'org.opencontainers.image.version',
} as const;

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  variant?: string;
  config?: {
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string>;
    User?: string;
  };
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean }>;
}

/** A manifest or index failed to parse or breaks the spec. */
export class ManifestError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ManifestError';
  }
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkDescriptor(value: unknown, field: string, what: string): Descriptor {
  if (!isRecord(value)) throw new ManifestError(`${what}: \`${field}\` must be a descriptor object`);
  if (typeof value['mediaType'] !== 'string' || value['mediaType'] === '') {
    throw new ManifestError(`${what}: \`${field}.mediaType\` must be a non-empty string`);
  }
  if (!isDigest(value['digest']))
    throw new ManifestError(`${what}: \`${field}.digest\` must be a sha256 or sha512 digest`);
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestError(`${what}: \`${field}.size\` must be a non-negative integer`);
  }
  return value as unknown as Descriptor;
}

/** The parsed document and what it is. */
export type ParsedManifest =
  | { kind: 'manifest'; mediaType: string; manifest: ImageManifest }
  | { kind: 'index'; mediaType: string; index: ImageIndex };

/**
 * Parses manifest or index bytes. `contentType` (from the registry or a descriptor) is used when
 * the document has no `mediaType`. Throws a ManifestError naming `what` and the bad field.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string, what = 'manifest'): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ManifestError(`${what} is not valid JSON`, { cause: err });
  }
  if (!isRecord(doc)) throw new ManifestError(`${what} must be a JSON object`);
  if (doc['schemaVersion'] !== 2) {
    throw new ManifestError(
      `${what}: \`schemaVersion\` must be 2 (got ${JSON.stringify(doc['schemaVersion'])}); schema 1 manifests are not supported`,
    );
  }
  const declared = typeof doc['mediaType'] === 'string' ? doc['mediaType'] : undefined;
  const ct = contentType?.split(';')[0]?.trim();
  const mediaType =
    declared ??
    (ct && MANIFEST_MEDIA_TYPES.includes(ct) ? ct : undefined) ??
    (Array.isArray(doc['manifests']) ? MediaType.ociIndex : MediaType.ociManifest);
  if (isIndexMediaType(mediaType) || (declared === undefined && Array.isArray(doc['manifests']))) {
    if (!Array.isArray(doc['manifests'])) throw new ManifestError(`${what}: \`manifests\` must be an array`);
    doc['manifests'].forEach((d, i) => checkDescriptor(d, `manifests[${i}]`, what));
    return { kind: 'index', mediaType, index: doc as unknown as ImageIndex };
  }
  checkDescriptor(doc['config'], 'config', what);
  if (!Array.isArray(doc['layers'])) throw new ManifestError(`${what}: \`layers\` must be an array`);
  doc['layers'].forEach((d, i) => checkDescriptor(d, `layers[${i}]`, what));
  return { kind: 'manifest', mediaType, manifest: doc as unknown as ImageManifest };
}

/** Canonical bytes of a manifest, index or config: JSON without whitespace, keys in the given order. */
export function encodeJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Every descriptor a manifest or index points at (config and layers; or child manifests). */
export function childDescriptors(parsed: ParsedManifest): Descriptor[] {
  if (parsed.kind === 'index') return [...parsed.index.manifests];
  return [parsed.manifest.config, ...parsed.manifest.layers];
}
