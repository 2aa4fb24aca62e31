/**
 * The write loop every GitRepository write goes through, under the repository's lock: plan on the
 * mirror's refs → one atomic push with leases. A write scoped to a package lists only that
 * package's refs and the branch, so its cost does not grow with the repository.
 *
 * The first plan uses the refs the mirror already has, without fetching: Lading's own writes keep
 * the mirror current, and every ref a write changes carries a lease, so a mirror that is behind can
 * never make us overwrite anything — the remote refuses the push instead. A plan that fails, or a
 * refused push, is retried on freshly fetched refs (a stale view must not turn into a Conflict or
 * NotFound). Refusals on fresh refs mean someone else pushed in between; nothing changed anywhere,
 * so the loop re-fetches and re-plans (Porch: 3 attempts, backoff 200 ms × attempt, 1 s × attempt
 * for hook declines). Errors thrown by `plan` on fresh refs (Conflict, NotFound, Invalid…) end the
 * write at once.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { ConflictError } from '../apimachinery/index.js';
import { GitPushRejectedError } from '../git/index.js';
import type { GitMirror, GitRef, PushUpdate, RepositoryQueue } from '../git/index.js';

/** Full ref name → ref; leases use `oid`, revisions compare `peeled ?? oid` (the commit). */
export type RefMap = Map<string, GitRef>;

/** What one attempt pushes (possibly nothing), and what the write returns if the push lands. */
export interface Plan<T> {
  updates: PushUpdate[];
  result: T;
}

export interface LeasedWriteOptions {
  mirror: GitMirror;
  queue: RepositoryQueue;
  /** Backoff unit in ms. */
  backoffMs: number;
  maxAttempts?: number;
  signal?: AbortSignal | undefined;
  /** Fetch and list only these refs (see `packageScope`); every ref when absent. */
  scope?: { refspecs: readonly string[]; patterns: readonly string[] };
}

export function leasedWrite<T>(
  options: LeasedWriteOptions,
  plan: (refs: RefMap) => Promise<Plan<T>>,
): Promise<T> {
  const { mirror, queue, backoffMs, signal, scope } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  return queue.withLock(
    mirror.dir,
    async () => {
      let fresh = false;
      const refetch = async (): Promise<void> => {
        await mirror.fetch({ ...sig(signal), ...(scope ? { refspecs: scope.refspecs } : {}) });
        fresh = true;
      };
      const planOnRefs = async (): Promise<Plan<T>> => {
        const listed = await mirror.listRefs(scope?.patterns, signal);
        return plan(new Map(listed.map((r) => [r.name, r])));
      };
      const planOnFreshestRefs = async (): Promise<Plan<T>> => {
        try {
          return await planOnRefs();
        } catch (err) {
          if (fresh || signal?.aborted) throw err;
        }
        await refetch();
        return planOnRefs();
      };
      for (let attempt = 1; ;) {
        const { updates, result } = await planOnFreshestRefs();
        const plannedOnFreshRefs = fresh;
        try {
          await mirror.push(updates, sig(signal));
          return result;
        } catch (err) {
          if (!(err instanceof GitPushRejectedError)) throw err;
          // A refusal of a plan made on unfetched refs is the mirror being behind, not contention.
          if (!plannedOnFreshRefs) {
            await refetch();
            continue;
          }
          if (attempt >= maxAttempts) {
            throw new ConflictError(
              { resource: 'repositories', name: mirror.url },
              `the git remote kept changing: ${maxAttempts} pushes were rejected (${err.message})`,
              { cause: err },
            );
          }
          const hook = err.rejected.some((r) => /hook declined/.test(r.reason));
          await sleep(backoffMs * attempt * (hook ? 5 : 1), undefined, sig(signal));
          attempt += 1;
          await refetch();
        }
      }
    },
    sig(signal),
  );
}

export function sig(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
