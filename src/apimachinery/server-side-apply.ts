/**
 * Server-side apply (`application/apply-patch+yaml`) with field managers, following
 * structured-merge-diff's `Updater.Apply`:
 *
 * 1. the applied configuration is merged into the live object (`mergeApplied`);
 * 2. fields the manager owned through its previous apply and no longer applies are removed,
 *    unless another manager (including the same manager's `Update` entries) also owns them;
 * 3. the result is compared with the live object: a changed or added field owned by another
 *    manager is a conflict; with `force` the manager takes it over instead;
 * 4. the manager's `Apply` entry becomes exactly the applied field set; removed fields leave every
 *    other entry.
 *
 * Fields equal in the applied configuration and the live object are shared without conflict.
 * Objects that exist but have no managedFields are first attributed to `before-first-apply`.
 */
import { mergeApplied, removeFields } from './apply-merge.js';
import { BadRequestError, ConflictError, type ResourceRef, type StatusCause } from './errors.js';
import { FieldSet, formatFieldPath, type FieldPath } from './field-set.js';
import { compareValues, toFieldSet } from './field-set-walk.js';
import {
  decodeManagedFields,
  describeOwner,
  ownerIdentity,
  trackedFields,
  withManagedFields,
  withoutManagedFields,
  type ManagedFieldsOwner,
} from './managed-fields.js';
import type { KubeObject } from './object.js';
import { isPlainObject } from './object.js';
import type { JSONSchemaProps } from './schema.js';
import { objectRootSchema } from './schema-navigation.js';

/** The manager Kubernetes credits with the fields of an object that predates managedFields. */
export const beforeFirstApplyManager = 'before-first-apply';

export interface ServerSideApplyInput {
  /** The stored object, or `undefined` when the apply creates it. */
  live: KubeObject | undefined;
  /** The applied configuration (the decoded request body). */
  applied: KubeObject;
  /** The field manager (`fieldManager` query parameter). */
  manager: string;
  force: boolean;
  schema: JSONSchemaProps | undefined;
  /** The API version of the request; the applied configuration must use it. */
  apiVersion: string;
  subresource?: string;
  /** RFC 3339 timestamp for the manager's entry. */
  now: string;
  /** Field-name paths never tracked, e.g. `[['status']]` when the status is reset by the strategy. */
  ignoredFields?: readonly (readonly string[])[];
  /** Names the object in conflict errors; defaults to the applied kind and name. */
  ref?: ResourceRef;
}

/** 409 Conflict of an apply: one cause per conflicting field, reason `FieldManagerConflict`. */
export class ApplyConflictError extends ConflictError {
  constructor(ref: ResourceRef, message: string, causes: StatusCause[]) {
    super(ref, message, { causes });
    // Kubernetes' apply conflicts carry the bare message, without "Operation cannot be fulfilled".
    this.message = message;
  }
}

/**
 * Applies `input.applied` for `input.manager` and returns the new object with updated
 * `metadata.managedFields`. Inputs are not modified. Throws `ApplyConflictError` on conflicts
 * (unless `force`) and `BadRequestError` for a configuration that cannot be applied.
 */
export function serverSideApply(input: ServerSideApplyInput): KubeObject {
  checkAppliedConfiguration(input);
  const schema = objectRootSchema(input.schema);
  const subresource = input.subresource ?? '';
  const live = input.live === undefined ? undefined : withoutManagedFields(input.live);
  const liveValue: KubeObject | Record<string, never> = live ?? {};
  const applied = withoutManagedFields(input.applied);

  const owners = decodeManagedFields(input.live?.metadata?.managedFields);
  if (live !== undefined && owners.length === 0) {
    owners.push({
      manager: beforeFirstApplyManager,
      operation: 'Update',
      apiVersion: input.apiVersion,
      subresource,
      time: undefined,
      fields: trackedFields(toFieldSet(live, schema), input.ignoredFields),
    });
  }
  const self: ManagedFieldsOwner = {
    manager: input.manager,
    operation: 'Apply',
    apiVersion: input.apiVersion,
    subresource,
    time: input.now,
    fields: trackedFields(toFieldSet(applied, schema), input.ignoredFields),
  };
  const selfId = ownerIdentity(self);
  const lastApplied = owners.find((o) => ownerIdentity(o) === selfId)?.fields ?? FieldSet.empty();
  const others = owners.filter((o) => ownerIdentity(o) !== selfId);

  let merged = mergeApplied(liveValue, applied, schema);
  const kept = others.reduce((set, o) => set.union(o.fields), self.fields);
  const disowned = lastApplied.difference(kept);
  if (!disowned.isEmpty()) merged = removeFields(merged, disowned, kept, schema) ?? {};

  const changes = compareValues(liveValue, merged, schema);
  // A field the applier sets to null is removed here, but counts as a change it makes.
  const changed = changes.modified.union(changes.added).union(changes.removed.intersection(self.fields));
  const conflicts = others
    .map((owner) => ({
      owner,
      fields: trackedFields(owner.fields.intersection(changed), input.ignoredFields),
    }))
    .filter((c) => !c.fields.isEmpty());
  if (conflicts.length > 0 && !input.force) {
    throw conflictError(input, conflicts);
  }
  const updated = others.map((o) => ({
    ...o,
    fields: o.fields.difference(changed).difference(changes.removed),
  }));
  updated.push(self);
  return withManagedFields(merged as KubeObject, updated);
}

function checkAppliedConfiguration(input: ServerSideApplyInput): void {
  if (!isPlainObject(input.applied))
    throw new BadRequestError('the applied configuration must be a JSON object');
  const managedFields = (input.applied.metadata as { managedFields?: unknown } | undefined)?.managedFields;
  if (managedFields !== undefined && managedFields !== null)
    throw new BadRequestError('metadata.managedFields must be nil');
  if (input.applied.apiVersion !== input.apiVersion) {
    throw new BadRequestError(
      `Incorrect version specified in apply patch. Specified patch version: ${String(input.applied.apiVersion ?? '')}, expected: ${input.apiVersion}`,
    );
  }
}

/** Kubernetes' apply conflict message: one line for one conflict, grouped by manager otherwise. */
function conflictError(
  input: ServerSideApplyInput,
  conflicts: { owner: ManagedFieldsOwner; fields: FieldSet }[],
): ApplyConflictError {
  const sorted = [...conflicts].sort((a, b) => (describeOwner(a.owner) < describeOwner(b.owner) ? -1 : 1));
  const causes: StatusCause[] = [];
  const lines: string[] = [];
  let only: { owner: string; path: FieldPath } | undefined;
  for (const { owner, fields } of sorted) {
    const name = describeOwner(owner);
    lines.push(`conflicts with ${name}:`);
    for (const path of fields.paths()) {
      causes.push({
        reason: 'FieldManagerConflict',
        message: `conflict with ${name}`,
        field: formatFieldPath(path),
      });
      lines.push(`- ${formatFieldPath(path)}`);
      only = { owner: name, path };
    }
  }
  const message =
    causes.length === 1 && only !== undefined
      ? `Apply failed with 1 conflict: conflict with ${only.owner}: ${formatFieldPath(only.path)}`
      : `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  const ref = input.ref ?? {
    resource: input.applied.kind,
    ...(input.applied.metadata?.name !== undefined ? { name: input.applied.metadata.name } : {}),
  };
  return new ApplyConflictError(ref, message, causes);
}
