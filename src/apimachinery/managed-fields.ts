/**
 * `metadata.managedFields`: decoding and encoding the entries, and recording non-apply writes
 * (create, update, patch) the way Kubernetes' field manager does.
 *
 * An entry is identified by manager, operation and subresource, plus the API version for
 * `Update` entries (an applier keeps one entry whatever version it applies with). Entries with
 * no fields are dropped; entries are sorted as Kubernetes sorts them (Apply before Update, then
 * by time, manager, API version and subresource).
 */
import { FieldSet, type FieldPath } from './field-set.js';
import { compareValues } from './field-set-walk.js';
import { cloneJson } from './json-value.js';
import type { KubeObject, ManagedFieldsEntry } from './object.js';
import type { JSONSchemaProps } from './schema.js';
import { objectRootSchema } from './schema-navigation.js';

export interface ManagedFieldsOwner {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource: string;
  readonly time: string | undefined;
  readonly fields: FieldSet;
}

/** Fields no manager owns (Kubernetes' strip set): type meta and system-maintained metadata. */
export const untrackedFields: readonly FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...[
    'name',
    'namespace',
    'uid',
    'resourceVersion',
    'generation',
    'creationTimestamp',
    'deletionTimestamp',
    'managedFields',
    'selfLink',
  ].map((name) => ['f:metadata', `f:${name}`]),
];
const untrackedSet = FieldSet.of(untrackedFields);

/** Removes untracked fields and the subtrees of `ignored` (field-name paths such as `['status']`). */
export function trackedFields(fields: FieldSet, ignored: readonly (readonly string[])[] = []): FieldSet {
  return ignored.reduce(
    (set, path) => set.withoutSubtree(path.map((name) => `f:${name}`)),
    fields.difference(untrackedSet),
  );
}

/** The identity of an entry: what makes two entries the same manager. */
export function ownerIdentity(
  owner: Pick<ManagedFieldsOwner, 'manager' | 'operation' | 'apiVersion' | 'subresource'>,
): string {
  return JSON.stringify([
    owner.manager,
    owner.operation,
    owner.operation === 'Update' ? owner.apiVersion : '',
    owner.subresource,
  ]);
}

/** How conflict messages name an owner: `"kubectl"`, or `"kube-controller-manager" using apps/v1`. */
export function describeOwner(
  owner: Pick<ManagedFieldsOwner, 'manager' | 'operation' | 'apiVersion'>,
): string {
  const name = JSON.stringify(owner.manager);
  return owner.operation === 'Update' ? `${name} using ${owner.apiVersion}` : name;
}

/**
 * Decodes `metadata.managedFields`. Entries that cannot be decoded are dropped, as Kubernetes
 * resets managed fields it cannot read; entries with the same identity are merged.
 */
export function decodeManagedFields(
  entries: readonly ManagedFieldsEntry[] | undefined,
): ManagedFieldsOwner[] {
  const owners = new Map<string, ManagedFieldsOwner>();
  for (const entry of entries ?? []) {
    if (entry.operation !== 'Apply' && entry.operation !== 'Update') continue;
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(entry.fieldsV1 ?? {});
    } catch {
      continue;
    }
    const owner: ManagedFieldsOwner = {
      manager: entry.manager ?? '',
      operation: entry.operation,
      apiVersion: entry.apiVersion ?? '',
      subresource: entry.subresource ?? '',
      time: entry.time,
      fields,
    };
    const id = ownerIdentity(owner);
    const previous = owners.get(id);
    owners.set(id, previous ? { ...owner, fields: previous.fields.union(fields) } : owner);
  }
  return [...owners.values()];
}

/** Encodes owners as `metadata.managedFields`, dropping empty ones, in Kubernetes' order. */
export function encodeManagedFields(owners: readonly ManagedFieldsOwner[]): ManagedFieldsEntry[] {
  const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return owners
    .filter((owner) => !owner.fields.isEmpty())
    .sort(
      (a, b) =>
        compare(a.operation, b.operation) ||
        compare(a.time ?? '', b.time ?? '') ||
        compare(a.manager, b.manager) ||
        compare(a.apiVersion, b.apiVersion) ||
        compare(a.subresource, b.subresource),
    )
    .map((owner) => {
      const entry: ManagedFieldsEntry = {
        manager: owner.manager,
        operation: owner.operation,
        apiVersion: owner.apiVersion,
      };
      if (owner.time !== undefined) entry.time = owner.time;
      entry.fieldsType = 'FieldsV1';
      entry.fieldsV1 = owner.fields.toFieldsV1();
      if (owner.subresource !== '') entry.subresource = owner.subresource;
      return entry;
    });
}

/** A copy of `object` without `metadata.managedFields` (the form fields are computed on). */
export function withoutManagedFields(object: KubeObject): KubeObject {
  const copy = cloneJson(object);
  if (copy.metadata !== undefined && typeof copy.metadata === 'object') delete copy.metadata.managedFields;
  return copy;
}

/** `object` (a copy) with `managedFields` set from `owners`, or removed when none remain. */
export function withManagedFields(object: KubeObject, owners: readonly ManagedFieldsOwner[]): KubeObject {
  const copy = withoutManagedFields(object);
  const entries = encodeManagedFields(owners);
  copy.metadata ??= {};
  if (entries.length > 0) copy.metadata.managedFields = entries;
  return copy;
}

export interface UpdateManagedFieldsInput {
  /** The stored object before the write; `undefined` for a create. */
  prev: KubeObject | undefined;
  /** The object about to be stored. */
  next: KubeObject;
  manager: string;
  schema: JSONSchemaProps | undefined;
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 timestamp for the manager's entry. */
  now: string;
  /** Field-name paths never tracked for this write, e.g. `[['status']]`. */
  ignoredFields?: readonly (readonly string[])[];
}

/**
 * Records a create, update or patch by `manager` (operation `Update`): every field the write
 * added or changed (all set fields on create) becomes the manager's and is taken from every other
 * manager; removed fields are dropped from all managers. The manager's entry gets time `now` when
 * the write changed anything. Returns a new object with its own `metadata`, sharing the rest with
 * `next`, which is not modified.
 *
 * The starting entries are those sent in `next` (clients may edit managedFields directly) unless
 * it has none or this is a subresource write; then those of `prev`. A `managedFields` of exactly
 * `[{}]` clears managed fields, as in Kubernetes.
 */
export function updateManagedFields(input: UpdateManagedFieldsInput): KubeObject {
  const sent = input.next.metadata?.managedFields;
  if (sent?.length === 1 && Object.keys(sent[0] ?? {}).length === 0) return withoutManagedFields(input.next);
  const subresource = input.subresource ?? '';
  const start =
    sent !== undefined && sent.length > 0 && subresource === '' ? sent : input.prev?.metadata?.managedFields;
  const owners = decodeManagedFields(start);

  const schema = objectRootSchema(input.schema);
  const prev = input.prev === undefined ? {} : managedFieldsOmitted(input.prev);
  const changes = compareValues(prev, managedFieldsOmitted(input.next), schema);
  const changed = trackedFields(changes.modified.union(changes.added), input.ignoredFields);
  const removed = changes.removed;

  const self = {
    manager: input.manager,
    operation: 'Update' as const,
    apiVersion: input.apiVersion,
    subresource,
  };
  const selfId = ownerIdentity(self);
  const previous = owners.find((o) => ownerIdentity(o) === selfId);
  const updated = owners
    .filter((o) => ownerIdentity(o) !== selfId)
    .map((o) => ({ ...o, fields: o.fields.difference(changed).difference(removed) }));
  const kept = previous === undefined ? FieldSet.empty() : previous.fields.difference(removed);
  if (!changed.isEmpty()) {
    updated.push({ ...self, time: input.now, fields: kept.union(changed) });
  } else if (previous !== undefined) {
    // A write that changed nothing of its own leaves the manager's entry (and its time) alone.
    updated.push({ ...previous, fields: kept });
  }
  const entries = encodeManagedFields(updated);
  const { managedFields: _sent, ...metadata } = input.next.metadata ?? {};
  return { ...input.next, metadata: entries.length > 0 ? { ...metadata, managedFields: entries } : metadata };
}

/** A view of `object` without `metadata.managedFields`, sharing everything else (for reading only). */
function managedFieldsOmitted(object: KubeObject): KubeObject {
  if (object.metadata?.managedFields === undefined) return object;
  const { managedFields: _omitted, ...metadata } = object.metadata;
  return { ...object, metadata };
}
