/** create, update, patch and the status subresource for stored kinds. */
import { isDeepStrictEqual } from 'node:util';
import {
  AlreadyExistsError,
  ApplyConflictError,
  ConflictError,
  ForbiddenError,
  InvalidError,
  MethodNotAllowedError,
  NotFoundError,
  UnsupportedMediaTypeError,
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  fieldError,
  isPlainObject,
  serverSideApply,
  updateManagedFields,
  type KubeObject,
} from '../apimachinery/index.js';
import type { StoredObject } from '../db/index.js';
import { customResourceDefinitionKind } from './builtin-kinds.js';
import { checkUnknownFields, decodeObject, defaultObject, validateObject } from './admission.js';
import { groupResource } from './kind.js';
import type { PatchType, Subresource, WriteRequest, WriteResult } from './handler.js';
import { bumpGeneration, carryOverMeta, generateName, initializeMeta, nowTimestamp } from './object-meta.js';
import type { StoredKind } from './stored-kind.js';

type Write = WriteRequest & { subresource?: Subresource };

const MAX_PATCH_ATTEMPTS = 5;
const MAX_GENERATE_NAME_ATTEMPTS = 8;

function managerOf(request: WriteRequest): string {
  return request.fieldManager ?? 'unknown';
}

async function checkNamespace(ctx: StoredKind, namespace: string, name: string): Promise<void> {
  if (!ctx.kind.namespaced) return;
  const row = await ctx.store.get({ resource: 'namespaces', namespace: '', name: namespace });
  if (!row) throw new NotFoundError({ resource: 'namespaces', name: namespace });
  const ns = JSON.parse(row.json) as KubeObject;
  if (ns.metadata.deletionTimestamp) {
    throw new ForbiddenError(
      `${ctx.kind.names.plural} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        details: { name, kind: ctx.kind.names.plural, ...(ctx.kind.group ? { group: ctx.kind.group } : {}) },
      },
    );
  }
}

/** Objects of a CRD being deleted may not be created: its cleanup would miss them. */
async function checkCrd(ctx: StoredKind): Promise<void> {
  if (ctx.kind.crd === undefined) return;
  const key = { resource: groupResource(customResourceDefinitionKind), namespace: '', name: ctx.kind.crd };
  const row = await ctx.store.get(key);
  if (row && (JSON.parse(row.json) as KubeObject).metadata.deletionTimestamp) {
    throw new MethodNotAllowedError('create not allowed while custom resource definition is terminating');
  }
}

/** Create from a request body. `managed` is set when server-side apply already recorded managedFields. */
export async function createObject(
  ctx: StoredKind,
  namespace: string,
  body: unknown,
  request: WriteRequest,
  managed = false,
): Promise<KubeObject> {
  const object = decodeObject(body, ctx.kind, ctx.version, { namespace });
  if (object.metadata.resourceVersion) {
    throw new InvalidError(
      {
        group: ctx.kind.group,
        kind: ctx.kind.names.kind,
        ...(object.metadata.name ? { name: object.metadata.name } : {}),
      },
      [
        fieldError.invalid(
          'metadata.resourceVersion',
          object.metadata.resourceVersion,
          'must be empty on create',
        ),
      ],
    );
  }
  if (!managed)
    checkUnknownFields(object, ctx.kind, request.fieldValidation ?? 'Strict', request.warnings ?? []);
  if (ctx.kind.statusSubresource) delete object.status;
  initializeMeta(object);
  defaultObject(object, ctx.kind);
  ctx.kind.strategy?.prepareForCreate?.(object);
  const generated = !object.metadata.name && object.metadata.generateName !== undefined;
  if (generated) object.metadata.name = generateName(object.metadata.generateName ?? '');
  validateObject(object, ctx.kind);
  const name = object.metadata.name ?? '';
  await checkNamespace(ctx, namespace, name);
  await checkCrd(ctx);
  const final = managed
    ? object
    : updateManagedFields({
        prev: undefined,
        next: object,
        manager: managerOf(request),
        schema: ctx.kind.schema,
        apiVersion: ctx.apiVersion,
        now: nowTimestamp(),
      });
  if (request.dryRun) return final;
  for (let attempt = 1; ; attempt++) {
    try {
      const row = await ctx.store.create(ctx.key(namespace, final.metadata.name ?? ''), ctx.toStorage(final));
      const created = ctx.decode(row);
      await ctx.kind.strategy?.afterWrite?.(created);
      return created;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      if (!generated || attempt >= MAX_GENERATE_NAME_ATTEMPTS) {
        throw new AlreadyExistsError(ctx.ref(final.metadata.name), { cause: err });
      }
      final.metadata.name = generateName(final.metadata.generateName ?? '');
    }
  }
}

/**
 * Writes `next` over the stored `current`. Handles the status subresource split, system metadata,
 * validation, managed fields, no-op writes, and finalization (deletionTimestamp + no finalizers).
 */
async function commitUpdate(
  ctx: StoredKind,
  current: StoredObject,
  body: unknown,
  request: Write,
  options: { managed: boolean },
): Promise<WriteResult> {
  const old = ctx.decode(current);
  const { namespace = '', name = '' } = old.metadata;
  let next = decodeObject(body, ctx.kind, ctx.version, { namespace, name });
  const sentRv = next.metadata.resourceVersion;
  if (!options.managed)
    checkUnknownFields(next, ctx.kind, request.fieldValidation ?? 'Strict', request.warnings ?? []);
  if (request.subresource === 'status') {
    next = {
      ...old,
      metadata: { ...old.metadata, managedFields: next.metadata.managedFields ?? [] },
      status: next.status,
    };
    if (next.status === undefined) delete next.status;
  } else if (request.subresource === 'finalize') {
    const spec = { ...(isPlainObject(old.spec) ? old.spec : {}) };
    const finalizers = isPlainObject(next.spec) ? next.spec.finalizers : undefined;
    if (finalizers === undefined) delete spec.finalizers;
    else spec.finalizers = finalizers;
    next = { ...old, metadata: { ...old.metadata }, spec };
  } else if (ctx.kind.statusSubresource) {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (sentRv && sentRv !== String(current.rv)) throw new ConflictError(ctx.ref(name));
  carryOverMeta(next, old);
  defaultObject(next, ctx.kind);
  if (request.subresource !== 'finalize') ctx.kind.strategy?.prepareForUpdate?.(next, old);
  if (old.metadata.deletionTimestamp) {
    const added = (next.metadata.finalizers ?? []).filter(
      (f) => !(old.metadata.finalizers ?? []).includes(f),
    );
    if (added.length > 0) {
      throw new InvalidError({ group: ctx.kind.group, kind: ctx.kind.names.kind, name }, [
        fieldError.forbidden(
          'metadata.finalizers',
          `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
        ),
      ]);
    }
  }
  bumpGeneration(next, old, ctx.kind.statusSubresource);
  validateObject(next, ctx.kind, old);
  if (!options.managed) {
    next = updateManagedFields({
      prev: old,
      next,
      manager: managerOf(request),
      schema: ctx.kind.schema,
      apiVersion: ctx.apiVersion,
      ...(request.subresource ? { subresource: request.subresource } : {}),
      now: nowTimestamp(),
    });
  }
  next.metadata.resourceVersion = String(current.rv);
  if (sameContent(next, old)) return { object: old, created: false };
  if (request.dryRun) return { object: next, created: false };
  const expectedRv = current.rv;
  const blockers = ctx.kind.strategy?.deletionBlockers?.(next) ?? [];
  if (
    next.metadata.deletionTimestamp &&
    (next.metadata.finalizers ?? []).length === 0 &&
    blockers.length === 0
  ) {
    const row = await ctx.store.delete(ctx.key(namespace, name), {
      expectedRv,
      finalObject: ctx.toStorage(next),
    });
    return { object: ctx.decode(row), created: false };
  }
  const row = await ctx.store.update(ctx.key(namespace, name), ctx.toStorage(next), { expectedRv });
  const updated = ctx.decode(row);
  await ctx.kind.strategy?.afterWrite?.(updated);
  return { object: updated, created: false };
}

/** Equal apart from managedFields timestamps: such a write is a no-op and keeps the resourceVersion. */
function sameContent(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): unknown => ({
    ...o,
    metadata: {
      ...o.metadata,
      managedFields: (o.metadata.managedFields ?? []).map(({ time: _t, ...m }) => m),
    },
  });
  return isDeepStrictEqual(strip(a), strip(b));
}

export async function updateObject(
  ctx: StoredKind,
  namespace: string,
  name: string,
  body: unknown,
  request: Write,
): Promise<WriteResult> {
  const current = await ctx.store.get(ctx.key(namespace, name));
  if (!current) throw new NotFoundError(ctx.ref(name));
  return commitUpdate(ctx, current, body, request, { managed: false });
}

function applyPatch(
  ctx: StoredKind,
  type: Exclude<PatchType, 'apply'>,
  current: KubeObject,
  patch: unknown,
): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(current, patch);
    case 'merge':
      return applyMergePatch(current, patch);
    case 'strategic':
      if (ctx.kind.crd !== undefined) {
        throw new UnsupportedMediaTypeError(
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        );
      }
      return applyStrategicMergePatch(current, patch, ctx.kind.schema);
  }
}

/**
 * Patches by re-reading and retrying on conflict (a patch has no resourceVersion of its own unless
 * it sets one, which then acts as a precondition). Apply creates the object when it is missing.
 */
export async function patchObject(
  ctx: StoredKind,
  namespace: string,
  name: string,
  type: PatchType,
  patch: unknown,
  request: Write,
): Promise<WriteResult> {
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.get(ctx.key(namespace, name));
    try {
      if (type === 'apply') return await applyObject(ctx, namespace, name, current, patch, request);
      if (!current) throw new NotFoundError(ctx.ref(name));
      const next = applyPatch(ctx, type, ctx.decode(current), patch);
      return await commitUpdate(ctx, current, next, request, { managed: false });
    } catch (err) {
      // Apply conflicts are about field ownership, not a race: retrying cannot help.
      const retry =
        err instanceof ConflictError &&
        !(err instanceof ApplyConflictError) &&
        !patchSetsRv(patch) &&
        attempt < MAX_PATCH_ATTEMPTS;
      if (!retry) throw err;
    }
  }
}

function patchSetsRv(patch: unknown): boolean {
  return (
    isPlainObject(patch) && isPlainObject(patch.metadata) && patch.metadata.resourceVersion !== undefined
  );
}

async function applyObject(
  ctx: StoredKind,
  namespace: string,
  name: string,
  current: StoredObject | undefined,
  patch: unknown,
  request: Write,
): Promise<WriteResult> {
  const applied = decodeObject(patch, ctx.kind, ctx.version, { namespace, name });
  checkUnknownFields(applied, ctx.kind, request.fieldValidation ?? 'Strict', request.warnings ?? []);
  if (request.subresource !== 'status' && ctx.kind.statusSubresource) delete applied.status;
  const live = current ? ctx.decode(current) : undefined;
  const merged = serverSideApply({
    live,
    applied,
    manager: managerOf(request),
    force: request.force ?? false,
    schema: ctx.kind.schema,
    apiVersion: ctx.apiVersion,
    ...(request.subresource ? { subresource: request.subresource } : {}),
    now: nowTimestamp(),
  });
  if (!current) {
    if (request.subresource) throw new NotFoundError(ctx.ref(name));
    return { object: await createObject(ctx, namespace, merged, request, true), created: true };
  }
  return commitUpdate(ctx, current, merged, request, { managed: true });
}
