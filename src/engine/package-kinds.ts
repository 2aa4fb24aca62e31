/**
 * The package kinds as the registry serves them: PackageRevision and PorchPackage rows of the
 * index (ADR 0003). Reads (get/list/watch, selectors, paging) are the registry's; PackageRevision
 * writes go through the engine's handler; PorchPackage is read-only (Porch refuses writes too).
 */
import {
  PackageRevisionResourcesSchema,
  PackageRevisionSchema,
  packageRevisionResourcesInfo,
  PorchPackageSchema,
  packageRevisionInfo,
  porchPackageInfo,
} from '../apis/index.js';
import { isPlainObject, type KubeObject } from '../apimachinery/index.js';
import { kindFromInfo, type KindDefinition } from '../registry/index.js';

const READ_ONLY = ['get', 'list', 'watch'] as const;

/** A field selector getter for a `spec.<field>` value. */
function specField(field: string): (object: KubeObject) => string | undefined {
  return (object) => {
    const value = isPlainObject(object.spec) ? object.spec[field] : undefined;
    if (typeof value === 'string') return value;
    return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  };
}

function selectors(fields: readonly string[]): Record<string, (object: KubeObject) => string | undefined> {
  return Object.fromEntries(fields.map((f) => [f, specField(f.replace(/^spec\./, ''))]));
}

export const packageRevisionKind: KindDefinition = {
  ...kindFromInfo(packageRevisionInfo, PackageRevisionSchema, {
    fieldSelectors: selectors(packageRevisionInfo.fieldSelectors),
  }),
  statusSubresource: false,
  subresources: ['approval'],
  verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
};

export const porchPackageKind: KindDefinition = {
  ...kindFromInfo(porchPackageInfo, PorchPackageSchema, {
    fieldSelectors: selectors(porchPackageInfo.fieldSelectors),
  }),
  statusSubresource: false,
  verbs: READ_ONLY,
};

export const packageRevisionResourcesKind: KindDefinition = {
  ...kindFromInfo(packageRevisionResourcesInfo, PackageRevisionResourcesSchema, {
    fieldSelectors: selectors(packageRevisionResourcesInfo.fieldSelectors),
  }),
  statusSubresource: false,
  verbs: ['get', 'list', 'update', 'patch'],
};
