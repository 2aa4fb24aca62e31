/** CustomResourceDefinition → the KindDefinition it defines, and the CRD's own validation. */
import { versionSchema, type CustomResourceDefinition } from '../apis/index.js';
import {
  fieldError,
  type JSONSchemaProps,
  type KubeObject,
  type StatusCause,
} from '../apimachinery/index.js';
import type { KindDefinition, PrinterColumn } from './kind.js';
import { sortVersions } from './kinds.js';
import { checkStructural } from './schema/index.js';
import { jsonPathField } from './selectors.js';

export const CRD_CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

const PRINTER_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

/** Root metadata is validated as ObjectMeta, never pruned by the CRD's schema. */
function rootSchema(schema: JSONSchemaProps | undefined): JSONSchemaProps {
  const base: JSONSchemaProps = schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  return {
    ...base,
    properties: {
      ...base.properties,
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
}

export function kindFromCrd(crd: CustomResourceDefinition): KindDefinition {
  const spec = crd.spec;
  const served = spec.versions.filter((v) => v.served);
  const storage = spec.versions.find((v) => v.storage) ?? spec.versions[0];
  const versions = sortVersions(served.map((v) => v.name));
  const columns: PrinterColumn[] = (storage?.additionalPrinterColumns ?? [])
    .filter((c) => PRINTER_TYPES.has(c.type))
    .map((c) => ({
      name: c.name,
      type: c.type as PrinterColumn['type'],
      jsonPath: c.jsonPath,
      ...(c.description ? { description: c.description } : {}),
      ...(c.format ? { format: c.format } : {}),
      ...(c.priority ? { priority: c.priority } : {}),
    }));
  const hasAge = columns.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  const selectable = Object.fromEntries(
    (storage?.selectableFields ?? []).map((f) => [f.jsonPath.replace(/^\./, ''), jsonPathField(f.jsonPath)]),
  );
  return {
    group: spec.group,
    versions,
    ...(storage ? { storageVersion: storage.name } : {}),
    names: {
      kind: spec.names.kind,
      listKind: spec.names.listKind ?? `${spec.names.kind}List`,
      plural: spec.names.plural,
      singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
      ...(spec.names.shortNames ? { shortNames: spec.names.shortNames } : {}),
      ...(spec.names.categories ? { categories: spec.names.categories } : {}),
    },
    namespaced: spec.scope === 'Namespaced',
    schema: rootSchema(storage ? versionSchema(storage) : undefined),
    printerColumns: hasAge
      ? columns
      : [...columns, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }],
    statusSubresource: storage?.subresources?.status !== undefined,
    strategy: { fieldSelectors: selectable },
    crd: crd.metadata?.name as string,
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The rules apiextensions applies to a CRD, with its field paths. */
export function validateCrd(object: KubeObject): StatusCause[] {
  const crd = object as unknown as CustomResourceDefinition;
  const spec = crd.spec;
  const causes: StatusCause[] = [];
  const expected = `${spec.names.plural}.${spec.group}`;
  if (object.metadata.name !== expected) {
    causes.push(
      fieldError.invalid(
        'metadata.name',
        object.metadata.name ?? '',
        `must be spec.names.plural+"."+spec.group`,
      ),
    );
  }
  if (!spec.group.includes('.'))
    causes.push(fieldError.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  for (const field of ['plural', 'singular', 'kind', 'listKind'] as const) {
    const value = spec.names[field];
    if (value === undefined) continue;
    const ok =
      field === 'kind' || field === 'listKind' ? /^[A-Za-z][A-Za-z0-9]*$/.test(value) : DNS_LABEL.test(value);
    if (!ok) causes.push(fieldError.invalid(`spec.names.${field}`, value, 'must be a valid name'));
  }
  if (spec.versions.length === 0)
    causes.push(
      fieldError.required('spec.versions', 'must have exactly one version marked as storage version'),
    );
  const storage = spec.versions.filter((v) => v.storage);
  if (spec.versions.length > 0 && storage.length !== 1) {
    causes.push(
      fieldError.invalid(
        'spec.versions',
        spec.versions.map((v) => v.name),
        'must have exactly one version marked as storage version',
      ),
    );
  }
  const names = new Set<string>();
  spec.versions.forEach((version, i) => {
    const path = `spec.versions[${i}]`;
    if (names.has(version.name)) causes.push(fieldError.duplicate(`${path}.name`, version.name));
    names.add(version.name);
    if (!DNS_LABEL.test(version.name))
      causes.push(fieldError.invalid(`${path}.name`, version.name, 'must be a DNS-1035 label'));
    const schema = versionSchema(version);
    if (schema === undefined)
      causes.push(fieldError.required(`${path}.schema.openAPIV3Schema`, 'schemas are required'));
    else causes.push(...checkStructural(schema, `${path}.schema.openAPIV3Schema`));
  });
  return causes;
}

/** Fields a CRD update may not change. */
export const crdImmutableFields = [
  ['spec', 'group'],
  ['spec', 'scope'],
] as const;
