/**
 * Package problems worded as Package Operator words them (`<reason> in <path> idx <n> [<component>]:
 * <details>`), so that messages users search for match. They are BadRequestErrors: the input
 * package is wrong, retrying does not help.
 */
import { BadRequestError, type StatusCause } from '../apimachinery/index.js';

export const VIOLATION = {
  emptyPackage: 'Package image contains no files. Might be corrupted.',
  manifestNotFound: 'PackageManifest not found',
  manifestInvalid: 'PackageManifest invalid',
  manifestDuplicated: 'PackageManifest present multiple times',
  lockInvalid: 'PackageManifestLock invalid',
  lockDuplicated: 'PackageManifestLock present multiple times',
  invalidYaml: 'Invalid YAML',
  missingPhaseAnnotation: 'Missing package-operator.run/phase Annotation',
  phaseNotFound: 'Phase name not found in manifest',
  missingGvk: 'GroupVersionKind not set',
  duplicateObject: 'Duplicate Object',
  labelsInvalid: 'Labels invalid',
  unsupportedScope: 'Package unsupported scope',
  componentsNotEnabled: 'Components not enabled',
  componentNotFound: 'Component not found',
  nestedComponents: 'Nesting multi-component packages not allowed',
  invalidFileInComponentsDir: 'The components directory may only contain folders and dot files',
  lockfileMissing:
    'Missing image in manifest.lock.yaml, but using PackageManifest.spec.images. Try running: kubectl package update',
  imageMissingInLockfile:
    'Image specified in manifest but missing from lockfile. Try running: kubectl package update',
  imageDifferentToLockfile:
    'Image specified in manifest does not match with lockfile. Try running: kubectl package update',
  templateError: 'Template error',
} as const;

export interface ViolationOptions {
  path?: string;
  index?: number;
  component?: string;
  details?: string;
  causes?: StatusCause[];
  cause?: unknown;
}

export class PackageViolationError extends BadRequestError {
  readonly violation: string;
  readonly path: string | undefined;

  constructor(reason: string, options: ViolationOptions = {}) {
    let message = reason;
    if (options.path !== undefined && options.path !== '') {
      message += ` in ${options.path}`;
      if (options.index !== undefined) message += ` idx ${options.index}`;
    }
    if (options.component) message += ` [${options.component}]`;
    if (options.details) message += `: ${options.details}`;
    super(message, {
      ...(options.causes ? { causes: options.causes } : {}),
      cause: options.cause,
    });
    this.violation = reason;
    this.path = options.path;
  }
}

/** `field: message` joined with `, ` — Kubernetes' field error list wording. */
export function formatCauses(causes: readonly StatusCause[]): string {
  return causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}` : (c.message ?? ''))).join(', ');
}
