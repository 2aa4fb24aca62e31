/** get, list (paged over a consistent snapshot) and watch for stored kinds. */
import { BadRequestError, GoneError, NotFoundError, type KubeObject } from '../apimachinery/index.js';
import type { Change, StoredObject } from '../db/index.js';
import { AsyncQueue } from './async-queue.js';
import type { ListRequest, RawList, RawWatchEvent, WatchRequest } from './handler.js';
import { compileSelectors, type ObjectMatcher } from './selectors.js';
import type { StoredKind } from './stored-kind.js';

interface ContinueToken {
  rv: number;
  namespace: string;
  name: string;
}

const EXPIRED_CONTINUE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'lading/v1', ...token })).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const token = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<ContinueToken> & {
      v?: string;
    };
    if (
      token.v === 'lading/v1' &&
      typeof token.rv === 'number' &&
      typeof token.namespace === 'string' &&
      typeof token.name === 'string'
    ) {
      return { rv: token.rv, namespace: token.namespace, name: token.name };
    }
  } catch {
    // fall through to the error below
  }
  throw new BadRequestError(`continue key is not valid: ${JSON.stringify(text)}`);
}

function parseRv(text: string, what: string): number {
  if (!/^\d+$/.test(text))
    throw new BadRequestError(`${what}: invalid resource version ${JSON.stringify(text)}`);
  return Number(text);
}

export async function getObject(ctx: StoredKind, namespace: string, name: string): Promise<KubeObject> {
  const row = await ctx.store.get(ctx.key(namespace, name));
  if (!row) throw new NotFoundError(ctx.ref(name));
  return ctx.decode(row);
}

export async function listObjects(
  ctx: StoredKind,
  namespace: string,
  request: ListRequest,
): Promise<RawList> {
  const matcher = compileSelectors(ctx.kind, request);
  const limit = request.limit !== undefined && request.limit > 0 ? request.limit : undefined;
  let atRv: number | undefined;
  let after: { namespace: string; name: string } | undefined;
  if (request.continue) {
    if (request.resourceVersion && request.resourceVersion !== '0') {
      throw new BadRequestError('specifying resource version is not allowed when using continue');
    }
    const token = decodeContinue(request.continue);
    atRv = token.rv;
    after = { namespace: token.namespace, name: token.name };
  } else if (request.resourceVersion && request.resourceVersionMatch === 'Exact') {
    atRv = parseRv(request.resourceVersion, 'resourceVersion');
  }
  const scope = ctx.kind.namespaced && namespace !== '' ? { namespace } : {};
  const items: string[] = [];
  let snapshotRv = atRv;
  let last: StoredObject | undefined;
  let more = false;
  // Without a selector one query fetches limit + 1 rows; with one, rows are filtered in batches.
  const batch = limit === undefined ? undefined : matcher ? Math.max(limit * 2, 500) : limit + 1;
  for (;;) {
    let result;
    try {
      result = await ctx.store.list({
        resource: ctx.resource,
        ...scope,
        ...(after ? { after } : {}),
        ...(batch === undefined ? {} : { limit: batch }),
        ...(snapshotRv === undefined ? {} : { atRv: snapshotRv }),
      });
    } catch (err) {
      if (err instanceof GoneError && request.continue) throw new GoneError(EXPIRED_CONTINUE, { cause: err });
      throw err;
    }
    snapshotRv = result.rv;
    for (const row of result.items) {
      if (limit !== undefined && items.length === limit) {
        more = true;
        break;
      }
      last = row;
      if (matcher && !matcher(ctx.decode(row))) continue;
      items.push(ctx.servedJson(row.json));
    }
    const exhausted = batch === undefined || result.items.length < batch;
    if (more || exhausted) break;
    if (limit !== undefined && items.length === limit) {
      more = true;
      break;
    }
    after = last ? { namespace: last.key.namespace, name: last.key.name } : after;
  }
  const list: RawList = { resourceVersion: String(snapshotRv), items };
  if (more && last) {
    list.continue = encodeContinue({ rv: snapshotRv, namespace: last.key.namespace, name: last.key.name });
  }
  return list;
}

/** Translates one change into the event a selecting watcher sees (or none). */
function eventFor(
  ctx: StoredKind,
  change: Change,
  matcher: ObjectMatcher | undefined,
): RawWatchEvent | undefined {
  if (!matcher) return { type: change.type, json: ctx.servedJson(change.json) };
  const now = ctx.decode(change);
  const before = change.prevJson === null ? undefined : ctx.decode({ json: change.prevJson });
  const matchesNow = change.type !== 'DELETED' && matcher(now);
  const matchedBefore = before !== undefined && matcher(before);
  const json = JSON.stringify(now);
  if (change.type === 'DELETED') return matcher(now) || matchedBefore ? { type: 'DELETED', json } : undefined;
  if (matchesNow) return { type: matchedBefore ? 'MODIFIED' : 'ADDED', json };
  if (!before || !matchedBefore) return undefined;
  // As Kubernetes does: the object as it last matched, at the resourceVersion of this change.
  before.metadata.resourceVersion = String(change.rv);
  return { type: 'DELETED', json: JSON.stringify(before) };
}

function bookmark(ctx: StoredKind, rv: number, initialEventsEnd = false): RawWatchEvent {
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return {
    type: 'BOOKMARK',
    json: JSON.stringify({ kind: ctx.kind.names.kind, apiVersion: ctx.apiVersion, metadata }),
  };
}

/**
 * Watch: subscribes first, then replays (initial state or history after `resourceVersion`), then
 * streams live changes, skipping what the replay already covered. Events arrive in rv order.
 */
export async function* watchObjects(
  ctx: StoredKind,
  namespace: string,
  request: WatchRequest,
  signal: AbortSignal,
): AsyncGenerator<RawWatchEvent> {
  const matcher = compileSelectors(ctx.kind, request);
  // 'abort' never fires for a signal that is already aborted.
  if (signal.aborted) return;
  const inScope = (change: Change): boolean =>
    !ctx.kind.namespaced || namespace === '' || change.key.namespace === namespace;
  const queue = new AsyncQueue<Change>();
  const unsubscribe = ctx.deps.hub.onResource(ctx.resource, (change) => {
    if (inScope(change)) queue.push(change);
  });
  // Changes this watch should have seen were lost: end it with 410 so the client re-lists.
  const stopGone = ctx.deps.hub.onGone((error) => queue.fail(error));
  const onAbort = (): void => queue.end();
  signal.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    let lastRv: number;
    const rv = request.resourceVersion ?? '';
    const fromHistory = rv !== '' && rv !== '0' && !request.sendInitialEvents;
    if (fromHistory) {
      lastRv = parseRv(rv, 'watch');
      const oldest = await ctx.store.oldestRv();
      if (lastRv < oldest) throw new GoneError(`too old resource version: ${lastRv} (${oldest})`);
      for (;;) {
        const changes = await ctx.store.changesSince(lastRv, 1000);
        for (const change of changes) {
          lastRv = change.rv;
          if (change.key.resource !== ctx.resource || !inScope(change)) continue;
          const event = eventFor(ctx, change, matcher);
          if (event) yield event;
        }
        if (changes.length < 1000) break;
      }
    } else {
      const list = await listObjects(ctx, namespace, {
        ...(request.labelSelector ? { labelSelector: request.labelSelector } : {}),
        ...(request.fieldSelector ? { fieldSelector: request.fieldSelector } : {}),
      });
      lastRv = Number(list.resourceVersion);
      for (const json of list.items) yield { type: 'ADDED', json };
      if (request.sendInitialEvents && request.allowWatchBookmarks) yield bookmark(ctx, lastRv, true);
    }
    if (request.allowWatchBookmarks) {
      const interval = ctx.deps.bookmarkIntervalMs ?? 30_000;
      const hub = ctx.deps.hub;
      timer = setInterval(() => {
        // A bookmark rides the queue as a pseudo-change so it is ordered with real events.
        queue.push({
          rv: hub.latestRv,
          type: 'MODIFIED',
          key: { resource: '', namespace: '', name: '' },
          json: '',
          prevJson: null,
        });
      }, interval);
      timer.unref();
    }
    for await (const change of queue) {
      if (change.key.resource === '') {
        if (change.rv > lastRv) lastRv = change.rv;
        yield bookmark(ctx, lastRv);
        continue;
      }
      if (change.rv <= lastRv) continue;
      lastRv = change.rv;
      const event = eventFor(ctx, change, matcher);
      if (event) yield event;
    }
  } finally {
    if (timer) clearInterval(timer);
    signal.removeEventListener('abort', onAbort);
    stopGone();
    unsubscribe();
  }
}
