/**
 * Package Operator's `PackageManifest` and `PackageManifestLock`
 * (`manifests.package-operator.run/v1alpha1`): field names, parsing and the validation that
 * `kubectl package validate` does (same field paths and wording).
 */
import { parse } from 'yaml';
import { fieldError, type StatusCause } from '../apimachinery/index.js';
import { validateConfigSchema, validateConfig } from './config-schema.js';
import { PackageViolationError, VIOLATION, formatCauses } from './violation.js';

export const MANIFESTS_API_VERSION = 'manifests.package-operator.run/v1alpha1';
export const PACKAGE_MANIFEST_KIND = 'PackageManifest';
export const PACKAGE_MANIFEST_LOCK_KIND = 'PackageManifestLock';
export const MANIFEST_FILES = ['manifest.yaml', 'manifest.yml'] as const;
export const LOCK_FILES = ['manifest.lock.yaml', 'manifest.lock.yml'] as const;

export const PHASE_ANNOTATION = 'package-operator.run/phase';
export const COLLISION_PROTECTION_ANNOTATION = 'package-operator.run/collision-protection';
export const CONDITION_ANNOTATION = 'package-operator.run/condition';
export const CONDITION_MAP_ANNOTATION = 'package-operator.run/condition-map';

export type PackageScope = 'Cluster' | 'Namespaced';
export const PACKAGE_SCOPES: readonly PackageScope[] = ['Cluster', 'Namespaced'];

export interface PackageManifestPhase {
  name: string;
  class?: string;
}

export interface PackageManifestImage {
  name: string;
  image: string;
}

export interface ObjectSetProbe {
  selector: { kind: { group: string; kind: string }; selector?: Record<string, unknown> };
  probes: Record<string, unknown>[];
}

export interface PackageManifestTestCase {
  name: string;
  context?: TemplateContextInput;
}

/** The test-case context as written in a manifest; every part optional. */
export interface TemplateContextInput {
  package?: { metadata?: Record<string, unknown> };
  config?: Record<string, unknown>;
  environment?: Record<string, unknown>;
}

export interface PackageManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: {
    scopes: PackageScope[];
    phases: PackageManifestPhase[];
    availabilityProbes?: ObjectSetProbe[];
    config?: { openAPIV3Schema?: Record<string, unknown> };
    images?: PackageManifestImage[];
    components?: Record<string, never>;
    filter?: {
      conditions?: { name: string; expression: string }[];
      paths?: { glob: string; expression: string }[];
    };
    constraints?: Record<string, unknown>[];
    repositories?: Record<string, unknown>[];
    dependencies?: Record<string, unknown>[];
  };
  test?: {
    template?: PackageManifestTestCase[];
    kubeconform?: { kubernetesVersion?: string; schemaLocations?: string[] };
  };
}

export interface PackageManifestLockImage {
  name: string;
  image: string;
  digest: string;
}

export interface PackageManifestLock {
  apiVersion: string;
  kind: string;
  metadata: { creationTimestamp?: string };
  spec: {
    images: PackageManifestLockImage[];
    dependencies?: { name: string; image: string; digest: string; version: string }[];
  };
}

const CONFIGMAP_KEY = /^[-._a-zA-Z0-9]+$/;
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one YAML document; a syntax error is PKO's "Invalid YAML in <path>". */
export function parseYamlObject(path: string, text: string): unknown {
  try {
    return parse(text, { maxAliasCount: 100, prettyErrors: true }) as unknown;
  } catch (err) {
    throw new PackageViolationError(VIOLATION.invalidYaml, {
      path,
      details: err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err),
      cause: err,
    });
  }
}

function checkTypeMeta(path: string, doc: unknown, kind: string, reason: string): Record<string, unknown> {
  if (!isRecord(doc)) {
    throw new PackageViolationError(reason, { path, details: 'the document must be a YAML mapping' });
  }
  if (doc.apiVersion !== MANIFESTS_API_VERSION || doc.kind !== kind) {
    throw new PackageViolationError(reason, {
      path,
      details: `GroupVersionKind must be ${MANIFESTS_API_VERSION}, Kind=${kind}, not ${String(doc.apiVersion)}, Kind=${String(doc.kind)}`,
    });
  }
  return doc;
}

/** Structural checks of a decoded manifest: wrong types are reported, not coerced. */
function shapeCauses(doc: Record<string, unknown>): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = doc.spec;
  if (spec !== undefined && !isRecord(spec))
    causes.push(fieldError.typeInvalid('spec', spec, 'must be an object'));
  const s = isRecord(spec) ? spec : {};
  for (const key of ['scopes', 'phases', 'availabilityProbes', 'images', 'constraints'] as const) {
    if (s[key] !== undefined && s[key] !== null && !Array.isArray(s[key])) {
      causes.push(fieldError.typeInvalid(`spec.${key}`, s[key], 'must be a list'));
    }
  }
  if (Array.isArray(s.phases)) {
    s.phases.forEach((p, i) => {
      if (!isRecord(p) || typeof p.name !== 'string') {
        causes.push(
          fieldError.typeInvalid(`spec.phases[${i}].name`, isRecord(p) ? p.name : p, 'must be a string'),
        );
      }
    });
  }
  if (Array.isArray(s.scopes)) {
    s.scopes.forEach((scope, i) => {
      if (!PACKAGE_SCOPES.includes(scope as PackageScope)) {
        causes.push(fieldError.notSupported(`spec.scopes[${i}]`, scope, PACKAGE_SCOPES));
      }
    });
  }
  if (Array.isArray(s.images)) {
    s.images.forEach((img, i) => {
      if (!isRecord(img)) causes.push(fieldError.typeInvalid(`spec.images[${i}]`, img, 'must be an object'));
    });
  }
  const config = s.config;
  if (config !== undefined && config !== null && !isRecord(config)) {
    causes.push(fieldError.typeInvalid('spec.config', config, 'must be an object'));
  }
  return causes;
}

/**
 * Validates a decoded PackageManifest as Package Operator does: `metadata.name`, `spec.scopes` and
 * `spec.phases` required, unique phase and image names, non-empty images, probes with at least one
 * probe, named filter conditions, a well-formed config schema and test cases whose config passes it.
 * Returns the problems; [] means valid.
 */
export function validatePackageManifest(manifest: PackageManifest): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!manifest.metadata.name) causes.push(fieldError.required('metadata.name'));
  const spec = manifest.spec;
  if (spec.scopes.length === 0) causes.push(fieldError.required('spec.scopes'));
  if (spec.phases.length === 0) causes.push(fieldError.required('spec.phases'));
  const phases = new Set<string>();
  spec.phases.forEach((phase, i) => {
    if (phases.has(phase.name))
      causes.push(fieldError.invalid(`spec.phases[${i}].name`, phase.name, 'must be unique'));
    phases.add(phase.name);
  });
  (spec.availabilityProbes ?? []).forEach((probe, i) => {
    if (!Array.isArray(probe.probes) || probe.probes.length === 0) {
      causes.push(fieldError.required(`spec.availabilityProbes[${i}].probes`));
    }
  });
  const images = new Set<string>();
  (spec.images ?? []).forEach((image, i) => {
    if (typeof image.name !== 'string' || image.name.length < 1) {
      causes.push(fieldError.invalid(`spec.images[${i}].name`, image.name ?? '', 'must be non empty'));
    } else if (images.has(image.name)) {
      causes.push(fieldError.invalid(`spec.images[${i}].name`, image.name, 'must be unique'));
    } else images.add(image.name);
    if (typeof image.image !== 'string' || image.image.length < 1) {
      causes.push(fieldError.invalid(`spec.images[${i}].image`, image.image ?? '', 'must be non empty'));
    }
  });
  const conditionNames = new Set<string>();
  (spec.filter?.conditions ?? []).forEach((c, i) => {
    if (!CEL_IDENTIFIER.test(c.name ?? '')) {
      causes.push(
        fieldError.invalid(`spec.filter.conditions[${i}].name`, c.name, 'must match [_a-zA-Z][_a-zA-Z0-9]*'),
      );
    } else if (conditionNames.has(c.name)) {
      causes.push(fieldError.duplicate(`spec.filter.conditions[${i}].name`, c.name));
    }
    conditionNames.add(c.name);
  });
  const schemaCauses = validateConfigSchema(spec.config?.openAPIV3Schema, 'spec.config.openAPIV3Schema');
  causes.push(...schemaCauses);
  (manifest.test?.template ?? []).forEach((test, i) => {
    const field = `test.template[${i}]`;
    if (typeof test.name !== 'string' || !CONFIGMAP_KEY.test(test.name) || test.name.length > 253) {
      causes.push(
        fieldError.invalid(
          `${field}.name`,
          test.name,
          "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
        ),
      );
    }
    if (schemaCauses.length === 0) {
      const config = test.context?.config ?? {};
      causes.push(...validateConfig(spec.config?.openAPIV3Schema, config, `${field}.context.config`).causes);
    }
  });
  if (manifest.test?.kubeconform && !manifest.test.kubeconform.kubernetesVersion) {
    causes.push(fieldError.required('test.kubeconform.kubernetesVersion'));
  }
  return causes;
}

/** Decodes and validates `manifest.yaml`; throws PackageViolationError ("PackageManifest invalid …"). */
export function parsePackageManifest(path: string, text: string): PackageManifest {
  const doc = checkTypeMeta(
    path,
    parseYamlObject(path, text),
    PACKAGE_MANIFEST_KIND,
    VIOLATION.manifestInvalid,
  );
  const shape = shapeCauses(doc);
  if (shape.length > 0) {
    throw new PackageViolationError(VIOLATION.manifestInvalid, {
      path,
      details: formatCauses(shape),
      causes: shape,
    });
  }
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const manifest: PackageManifest = {
    apiVersion: MANIFESTS_API_VERSION,
    kind: PACKAGE_MANIFEST_KIND,
    metadata: { ...(metadata as object), name: typeof metadata.name === 'string' ? metadata.name : '' },
    spec: {
      ...(spec as object),
      scopes: (spec.scopes as PackageScope[] | undefined) ?? [],
      phases: ((spec.phases as PackageManifestPhase[] | undefined) ?? []).map((p) => ({ ...p })),
    },
  };
  if (isRecord(doc.test)) manifest.test = doc.test;
  const causes = validatePackageManifest(manifest);
  if (causes.length > 0) {
    throw new PackageViolationError(VIOLATION.manifestInvalid, {
      path,
      details: formatCauses(causes),
      causes,
    });
  }
  return manifest;
}

/** Decodes `manifest.lock.yaml`; throws PackageViolationError ("PackageManifestLock invalid …"). */
export function parsePackageManifestLock(path: string, text: string): PackageManifestLock {
  const doc = checkTypeMeta(
    path,
    parseYamlObject(path, text),
    PACKAGE_MANIFEST_LOCK_KIND,
    VIOLATION.lockInvalid,
  );
  const spec = isRecord(doc.spec) ? doc.spec : {};
  const images = Array.isArray(spec.images) ? spec.images : [];
  const causes: StatusCause[] = [];
  images.forEach((img, i) => {
    for (const key of ['name', 'image', 'digest'] as const) {
      if (!isRecord(img) || typeof img[key] !== 'string' || img[key] === '') {
        causes.push(fieldError.required(`spec.images[${i}].${key}`));
      }
    }
  });
  if (causes.length > 0) {
    throw new PackageViolationError(VIOLATION.lockInvalid, { path, details: formatCauses(causes), causes });
  }
  const metadata = isRecord(doc.metadata) ? doc.metadata : {};
  const lock: PackageManifestLock = {
    apiVersion: MANIFESTS_API_VERSION,
    kind: PACKAGE_MANIFEST_LOCK_KIND,
    metadata:
      typeof metadata.creationTimestamp === 'string' ? { creationTimestamp: metadata.creationTimestamp } : {},
    spec: { images: images as PackageManifestLockImage[] },
  };
  if (Array.isArray(spec.dependencies)) lock.spec.dependencies = spec.dependencies as never;
  return lock;
}

/**
 * PKO's lock check: every manifest image must be in the lock under the same name and image.
 * Throws the PKO violation; a package without `spec.images` needs no lock.
 */
export function checkLock(
  manifest: PackageManifest,
  lock: PackageManifestLock | undefined,
  path: string,
): void {
  const images = manifest.spec.images ?? [];
  if (images.length === 0) return;
  if (lock === undefined) throw new PackageViolationError(VIOLATION.lockfileMissing, { path });
  for (const image of images) {
    const locked = lock.spec.images.find((l) => l.name === image.name);
    if (!locked) {
      throw new PackageViolationError(VIOLATION.imageMissingInLockfile, {
        path,
        details: `image "${image.name}"`,
      });
    }
    if (locked.image !== image.image) {
      throw new PackageViolationError(VIOLATION.imageDifferentToLockfile, {
        path,
        details: `image "${image.name}": manifest "${image.image}", lock "${locked.image}"`,
      });
    }
  }
}
