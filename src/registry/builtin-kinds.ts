/** The kinds Lading serves itself in the core and apiextensions groups, with their strategies. */
import {
  ConfigMapSchema,
  CustomResourceDefinitionSchema,
  NamespaceSchema,
  SecretSchema,
} from '../apis/index.js';
import {
  fieldError,
  isPlainObject,
  validateDNS1123Label,
  type JSONSchemaProps,
  type KubeObject,
  type StatusCause,
} from '../apimachinery/index.js';
import type { KindDefinition, PrinterColumn } from './kind.js';

const ageColumn: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

function schemaOf(schema: unknown): JSONSchemaProps {
  return schema as JSONSchemaProps;
}

function dataKeys(o: KubeObject): number {
  const count = (v: unknown): number => (isPlainObject(v) ? Object.keys(v).length : 0);
  return count(o.data) + count(o.binaryData);
}

const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_DATA_BYTES = 1024 * 1024;

function validateDataKeys(object: KubeObject, fields: readonly string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  let size = 0;
  const seen = new Set<string>();
  for (const field of fields) {
    const data = object[field];
    if (!isPlainObject(data)) continue;
    for (const [key, value] of Object.entries(data)) {
      if (!CONFIG_KEY.test(key) || key.length > 253) {
        causes.push(
          fieldError.invalid(
            `${field}[${key}]`,
            key,
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          ),
        );
      }
      if (seen.has(key))
        causes.push(
          fieldError.invalid(`${field}[${key}]`, key, 'duplicate of key present in another data field'),
        );
      seen.add(key);
      size += typeof value === 'string' ? value.length : 0;
    }
  }
  if (size > MAX_DATA_BYTES) causes.push(fieldError.tooLong(fields[0] ?? 'data', MAX_DATA_BYTES));
  return causes;
}

/** `immutable: true` freezes data and forbids unsetting the flag, as for ConfigMaps and Secrets. */
function validateImmutableData(
  object: KubeObject,
  old: KubeObject,
  fields: readonly string[],
): StatusCause[] {
  if (old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (object.immutable !== true)
    causes.push(fieldError.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const field of fields) {
    if (JSON.stringify(object[field] ?? {}) !== JSON.stringify(old[field] ?? {})) {
      causes.push(fieldError.forbidden(field, 'field is immutable when `immutable` is set'));
    }
  }
  return causes;
}

export const namespaceKind: KindDefinition = {
  group: '',
  versions: ['v1'],
  names: {
    kind: 'Namespace',
    listKind: 'NamespaceList',
    plural: 'namespaces',
    singular: 'namespace',
    shortNames: ['ns'],
  },
  namespaced: false,
  schema: schemaOf(NamespaceSchema),
  printerColumns: [{ name: 'Status', type: 'string', jsonPath: '.status.phase' }, ageColumn],
  statusSubresource: true,
  subresources: ['finalize'],
  strategy: {
    prepareForCreate(object) {
      object.status = { phase: 'Active' };
      const spec = isPlainObject(object.spec) ? object.spec : {};
      const finalizers = Array.isArray(spec.finalizers) ? (spec.finalizers as string[]) : [];
      object.spec = {
        ...spec,
        finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'],
      };
    },
    prepareForUpdate(object, old) {
      // As in Kubernetes, only finalization (the namespace controller) changes `spec.finalizers`:
      // a replace without them must not let the namespace go without its content being deleted.
      const spec = isPlainObject(object.spec) ? { ...object.spec } : {};
      const finalizers = isPlainObject(old.spec) ? old.spec.finalizers : undefined;
      if (finalizers === undefined) delete spec.finalizers;
      else spec.finalizers = finalizers;
      object.spec = spec;
    },
    validate(object) {
      return validateDNS1123Label(object.metadata.name ?? '', 'metadata.name');
    },
    deletionBlockers: (object) =>
      isPlainObject(object.spec) && Array.isArray(object.spec.finalizers)
        ? (object.spec.finalizers as string[])
        : [],
    prepareForDelete(object) {
      object.status = { ...(isPlainObject(object.status) ? object.status : {}), phase: 'Terminating' };
    },
    fieldSelectors: {
      'status.phase': (o) => (isPlainObject(o.status) ? (o.status.phase as string | undefined) : undefined),
    },
  },
};

export const configMapKind: KindDefinition = {
  group: '',
  versions: ['v1'],
  names: {
    kind: 'ConfigMap',
    listKind: 'ConfigMapList',
    plural: 'configmaps',
    singular: 'configmap',
    shortNames: ['cm'],
  },
  namespaced: true,
  schema: schemaOf(ConfigMapSchema),
  printerColumns: [{ name: 'Data', type: 'integer', jsonPath: '.data', cell: dataKeys }, ageColumn],
  statusSubresource: false,
  strategy: {
    validate: (object) => validateDataKeys(object, ['data', 'binaryData']),
    validateUpdate: (object, old) => [
      ...validateDataKeys(object, ['data', 'binaryData']),
      ...validateImmutableData(object, old, ['data', 'binaryData']),
    ],
  },
};

function normalizeSecret(object: KubeObject): void {
  if (object.type === undefined || object.type === '') object.type = 'Opaque';
  if (isPlainObject(object.stringData)) {
    const data = isPlainObject(object.data) ? { ...object.data } : {};
    for (const [key, value] of Object.entries(object.stringData)) {
      data[key] = Buffer.from(String(value), 'utf8').toString('base64');
    }
    object.data = data;
  }
  delete object.stringData;
}

function validateSecretData(object: KubeObject): StatusCause[] {
  const causes = validateDataKeys(object, ['data']);
  if (isPlainObject(object.data)) {
    for (const [key, value] of Object.entries(object.data)) {
      if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 !== 0) {
        // The value itself is secret: never echo it.
        causes.push({
          reason: 'FieldValueInvalid',
          field: `data[${key}]`,
          message: 'Invalid value: must be base64-encoded',
        });
      }
    }
  }
  return causes;
}

export const secretKind: KindDefinition = {
  group: '',
  versions: ['v1'],
  names: { kind: 'Secret', listKind: 'SecretList', plural: 'secrets', singular: 'secret' },
  namespaced: true,
  schema: schemaOf(SecretSchema),
  printerColumns: [
    { name: 'Type', type: 'string', jsonPath: '.type' },
    {
      name: 'Data',
      type: 'integer',
      jsonPath: '.data',
      cell: (o) => (isPlainObject(o.data) ? Object.keys(o.data).length : 0),
    },
    ageColumn,
  ],
  statusSubresource: false,
  strategy: {
    prepareForCreate: normalizeSecret,
    prepareForUpdate: normalizeSecret,
    validate: validateSecretData,
    validateUpdate: (object, old) => [
      ...validateSecretData(object),
      ...validateImmutableData(object, old, ['data']),
    ],
    secretFields: ['data', 'stringData'],
    immutableFields: [['type']],
    fieldSelectors: { type: (o) => (typeof o.type === 'string' ? o.type : undefined) },
  },
};

/** The CRD kind; its strategy (validation, registration of the defined kind) is added in crd-kinds.ts. */
export const customResourceDefinitionKind: KindDefinition = {
  group: 'apiextensions.k8s.io',
  versions: ['v1'],
  names: {
    kind: 'CustomResourceDefinition',
    listKind: 'CustomResourceDefinitionList',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
  },
  namespaced: false,
  schema: schemaOf(CustomResourceDefinitionSchema),
  printerColumns: [{ name: 'Created At', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
  statusSubresource: true,
};
