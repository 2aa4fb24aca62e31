/**
 * delete and deletecollection for stored kinds. An object with finalizers (or a Foreground/Orphan
 * propagation policy, which add the `foregroundDeletion`/`orphan` finalizers) is only marked with
 * `deletionTimestamp`; the garbage collector and other finalizer owners finish the job.
 */
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  type DeleteOptions,
  type KubeObject,
} from '../apimachinery/index.js';
import type { DeleteResult, ListRequest, WriteRequest } from './handler.js';
import { nowTimestamp } from './object-meta.js';
import type { StoredKind } from './stored-kind.js';
import { listObjects } from './stored-reads.js';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

type Policy = NonNullable<DeleteOptions['propagationPolicy']>;

function policyOf(options: DeleteOptions): Policy {
  if (options.propagationPolicy !== undefined) {
    if (options.orphanDependents !== undefined) {
      throw new BadRequestError('orphanDependents and propagationPolicy cannot be both set');
    }
    if (!['Orphan', 'Background', 'Foreground'].includes(options.propagationPolicy)) {
      throw new BadRequestError(
        `propagationPolicy: Unsupported value: "${String(options.propagationPolicy)}": supported values: "Foreground", "Background", "Orphan"`,
      );
    }
    return options.propagationPolicy;
  }
  return options.orphanDependents ? 'Orphan' : 'Background';
}

const MAX_ATTEMPTS = 5;

export async function deleteObject(
  ctx: StoredKind,
  namespace: string,
  name: string,
  options: DeleteOptions,
  request: WriteRequest,
): Promise<DeleteResult> {
  const policy = policyOf(options);
  for (let attempt = 1; ; attempt++) {
    const current = await ctx.store.get(ctx.key(namespace, name));
    if (!current) throw new NotFoundError(ctx.ref(name));
    const object = ctx.decode(current);
    const pre = options.preconditions;
    if (pre?.uid !== undefined && pre.uid !== object.metadata.uid) {
      throw new ConflictError(
        ctx.ref(name),
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${object.metadata.uid ?? ''}`,
      );
    }
    if (pre?.resourceVersion !== undefined && pre.resourceVersion !== String(current.rv)) {
      throw new ConflictError(
        ctx.ref(name),
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
      );
    }
    const finalizers = [...(object.metadata.finalizers ?? [])];
    const policyFinalizer =
      policy === 'Foreground' ? FOREGROUND_FINALIZER : policy === 'Orphan' ? ORPHAN_FINALIZER : undefined;
    if (policyFinalizer && !finalizers.includes(policyFinalizer)) finalizers.push(policyFinalizer);
    try {
      const blockers = ctx.kind.strategy?.deletionBlockers?.(object) ?? [];
      if (finalizers.length === 0 && blockers.length === 0) {
        if (request.dryRun) return { object, deleted: true };
        const row = await ctx.store.delete(ctx.key(namespace, name), { expectedRv: current.rv });
        return { object: ctx.decode(row), deleted: true };
      }
      // Graceful path: mark for deletion; finalizer owners remove their finalizers later.
      const marked: KubeObject = {
        ...object,
        metadata: {
          ...object.metadata,
          finalizers,
          deletionTimestamp: object.metadata.deletionTimestamp ?? nowTimestamp(),
          deletionGracePeriodSeconds: 0,
        },
      };
      if (object.metadata.deletionTimestamp === undefined) {
        marked.metadata.generation = (object.metadata.generation ?? 0) + 1;
        ctx.kind.strategy?.prepareForDelete?.(marked);
      }
      if (request.dryRun) return { object: marked, deleted: false };
      const unchanged =
        object.metadata.deletionTimestamp !== undefined &&
        finalizers.length === (object.metadata.finalizers ?? []).length;
      if (unchanged) return { object, deleted: false };
      const row = await ctx.store.update(ctx.key(namespace, name), ctx.toStorage(marked), {
        expectedRv: current.rv,
      });
      return { object: ctx.decode(row), deleted: false };
    } catch (err) {
      if (!(err instanceof ConflictError) || pre?.resourceVersion !== undefined || attempt >= MAX_ATTEMPTS)
        throw err;
    }
  }
}

export async function deleteCollection(
  ctx: StoredKind,
  namespace: string,
  list: ListRequest,
  options: DeleteOptions,
  request: WriteRequest,
): Promise<KubeObject[]> {
  const { items } = await listObjects(ctx, namespace, { ...list, limit: 0 });
  const deleted: KubeObject[] = [];
  for (const json of items) {
    const object = JSON.parse(json) as KubeObject;
    try {
      const result = await deleteObject(
        ctx,
        object.metadata.namespace ?? '',
        object.metadata.name ?? '',
        options,
        request,
      );
      deleted.push(result.object);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  return deleted;
}
