/**
 * Which executable runs an image, from Porch FunctionConfig objects (`binaryExecutor{tags, path}`).
 * An image `<prefix>/<name>:<tag>` maps to a FunctionConfig whose `spec.image` is `<name>` (or the
 * full reference without tag), whose `spec.prefixes` contain `<prefix>` (the catalog registries
 * when none are listed; a bare `<name>` is kpt's short form of a catalog image) and whose executor
 * serves `<tag>` (any tag when it lists none). Pure: no file system access.
 */
import type { FunctionConfig } from '../apis/index.js';

/** Registries of the kpt function catalog, the default `prefixes`. */
export const CATALOG_REGISTRIES = ['ghcr.io/kptdev/krm-functions-catalog', 'gcr.io/kpt-fn'] as const;

export interface ImageReference {
  /** Everything before the last path segment (`''` for a bare name). */
  prefix: string;
  name: string;
  /** The tag, `latest` when none is given; undefined for a digest reference. */
  tag: string | undefined;
  digest: string | undefined;
}

export function parseImageReference(image: string): ImageReference {
  let ref = image.trim();
  let digest: string | undefined;
  const at = ref.indexOf('@');
  if (at >= 0) {
    digest = ref.slice(at + 1);
    ref = ref.slice(0, at);
  }
  let tag: string | undefined;
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) {
    tag = ref.slice(colon + 1);
    ref = ref.slice(0, colon);
  } else if (digest === undefined) {
    tag = 'latest';
  }
  const slash = ref.lastIndexOf('/');
  return { prefix: slash < 0 ? '' : ref.slice(0, slash), name: ref.slice(slash + 1), tag, digest };
}

function trimSlash(s: string): string {
  return s.replace(/\/+$/, '');
}

/** Whether `config` names the image (ignoring the executor's tags). */
function namesImage(config: FunctionConfig, ref: ImageReference): boolean {
  const spec = config.spec;
  if (!spec) return false;
  const specRef = parseImageReference(spec.image);
  const fullName = ref.prefix === '' ? ref.name : `${ref.prefix}/${ref.name}`;
  if (specRef.prefix !== '') {
    return `${specRef.prefix}/${specRef.name}` === fullName;
  }
  if (specRef.name !== ref.name) return false;
  if (ref.prefix === '') return true;
  const prefixes = spec.prefixes && spec.prefixes.length > 0 ? spec.prefixes : CATALOG_REGISTRIES;
  return prefixes.some((p) => trimSlash(p) === ref.prefix);
}

function servesTag(tags: readonly string[] | undefined, ref: ImageReference): boolean {
  if (!tags || tags.length === 0) return true;
  return ref.tag !== undefined && tags.includes(ref.tag);
}

/** The executable for `image` (the first matching `binaryExecutor`), or undefined. */
export function executableForImage(image: string, configs: readonly FunctionConfig[]): string | undefined {
  const ref = parseImageReference(image);
  for (const config of configs) {
    const executor = config.spec?.binaryExecutor;
    if (!executor?.path) continue;
    if (namesImage(config, ref) && servesTag(executor.tags, ref)) return executor.path;
  }
  return undefined;
}
