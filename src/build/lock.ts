/**
 * `manifest.lock.yaml` as Package Operator's `kubectl package update` writes it: every image of
 * the manifest's `spec.images`, in manifest order, resolved to the digest of its manifest (or
 * index) at the registry; `metadata.creationTimestamp` is the time of generation; the YAML is what
 * `sigs.k8s.io/yaml` prints (keys sorted, sequences not indented, YAML 1.1 quoting). An unchanged
 * lock (same name → image and digest, order ignored) is not rewritten ("Package is already
 * up-to-date"). `PKO_REPOSITORY_HOST` replaces the registry an image is resolved at.
 */
import { BadRequestError } from '../apimachinery/index.js';
import { formatReference, parseReference, withDefaultTag, type ImageReference } from '../oci/index.js';
import {
  LOCK_FILES,
  MANIFEST_FILES,
  MANIFESTS_API_VERSION,
  PACKAGE_MANIFEST_LOCK_KIND,
  parsePackageManifest,
  parsePackageManifestLock,
  type PackageManifestLock,
} from './manifest.js';
import { fileText, type PackageFileMap } from './package-source.js';
import { registryFailure } from './remote.js';

export interface LockImage {
  name: string;
  image: string;
  digest: string;
}

const YAML11_SPECIAL =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NUMBER =
  /^(?:[-+]?(?:0b[01_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)|[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP =
  /^\d{4}-\d\d?-\d\d?(?:(?:[Tt]|[ \t]+)\d\d?:\d\d:\d\d(?:\.\d*)?(?:[ \t]*(?:Z|[-+]\d\d?(?::\d\d)?))?)?$/;

/** A string scalar as go-yaml v2 emits it: double quotes when plain would read as another type. */
export function yamlString(value: string): string {
  if (value === '' || YAML11_SPECIAL.test(value) || NUMBER.test(value) || TIMESTAMP.test(value))
    return JSON.stringify(value);
  // Control characters (and newlines) need escapes: only double quotes have them.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20)) return JSON.stringify(value);
  const plainUnsafe = /^[-?:,[\]{}#&*!|>'"%@`\s]/.test(value) || /\s$/.test(value) || /: |:$| #/.test(value);
  if (plainUnsafe) return `'${value.replace(/'/g, "''")}'`;
  return value;
}

/** The lock file text for `images` (manifest order), created at `creationTimestamp` (RFC 3339). */
export function formatLock(images: readonly LockImage[], creationTimestamp: string): string {
  const lines = [
    `apiVersion: ${MANIFESTS_API_VERSION}`,
    `kind: ${PACKAGE_MANIFEST_LOCK_KIND}`,
    'metadata:',
    `  creationTimestamp: ${yamlString(creationTimestamp)}`,
    'spec:',
  ];
  if (images.length === 0) lines.push('  images: null');
  else {
    lines.push('  images:');
    for (const i of images) {
      lines.push(`  - digest: ${yamlString(i.digest)}`);
      lines.push(`    image: ${yamlString(i.image)}`);
      lines.push(`    name: ${yamlString(i.name)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** RFC 3339 at second precision in UTC, as `metav1.Time` marshals. */
export function lockTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The reference an image is resolved at: with `hostOverride` (`PKO_REPOSITORY_HOST`) its
 * registry replaced, as Package Operator does (the reference normalised, `latest` added).
 */
export function resolutionReference(image: string, hostOverride?: string): ImageReference {
  const ref = withDefaultTag(parseReference(image));
  return hostOverride ? { ...ref, registry: hostOverride } : ref;
}

export interface UpdateLockOptions {
  /** Resolves a reference to the digest of its manifest or index (e.g. a registry HEAD). */
  resolve: (ref: ImageReference, image: string) => Promise<string>;
  now?: () => Date;
  hostOverride?: string;
}

export interface UpdateLockResult {
  /** Package-relative path of the lock file. */
  path: string;
  /** The new lock text; undefined when the existing lock is up to date. */
  text: string | undefined;
  images: LockImage[];
}

function sameSpec(a: readonly LockImage[], b: readonly LockImage[]): boolean {
  const left = new Map(a.map((i) => [i.name, i]));
  const right = new Map(b.map((i) => [i.name, i]));
  if (left.size !== right.size) return false;
  for (const [name, i] of left) {
    const o = right.get(name);
    if (!o || o.image !== i.image || o.digest !== i.digest) return false;
  }
  return true;
}

/**
 * Resolves every `spec.images` entry of the package's manifest and returns the lock to write.
 * Images resolve one after another in manifest order, as Package Operator does; the first
 * failure is thrown naming the image.
 */
export async function updateLock(
  files: PackageFileMap,
  options: UpdateLockOptions,
): Promise<UpdateLockResult> {
  const manifestPath = MANIFEST_FILES.find((f) => files.has(f));
  if (!manifestPath)
    throw new BadRequestError(
      'PackageManifest not found: `lading pkg update` needs a Package Operator package (manifest.yaml)',
    );
  const manifest = parsePackageManifest(manifestPath, fileText(manifestPath, files.get(manifestPath)!));
  const lockPath = LOCK_FILES.find((f) => files.has(f)) ?? LOCK_FILES[0];
  const old: PackageManifestLock | undefined = files.has(lockPath)
    ? parsePackageManifestLock(lockPath, fileText(lockPath, files.get(lockPath)!))
    : undefined;
  const images: LockImage[] = [];
  for (const entry of manifest.spec.images ?? []) {
    let ref: ImageReference;
    try {
      ref = resolutionReference(entry.image, options.hostOverride);
    } catch (err) {
      throw new BadRequestError(
        `resolving lock image for ${JSON.stringify(entry.image)}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    let digest: string;
    try {
      digest = await options.resolve(ref, entry.image);
    } catch (err) {
      throw registryFailure(
        `resolving lock image for ${JSON.stringify(entry.image)} at ${formatReference(ref)}`,
        err,
      );
    }
    images.push({ name: entry.name, image: entry.image, digest });
  }
  if (old && sameSpec(images, old.spec.images)) return { path: lockPath, text: undefined, images };
  return {
    path: lockPath,
    text: formatLock(images, lockTimestamp(options.now?.() ?? new Date())),
    images,
  };
}
