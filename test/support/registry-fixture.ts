/**
 * The registry wired as `lading serve` wires it (see `src/server/start-server.ts`), on a real
 * in-memory SQLite store: built-in kinds, the change hub, handlers, and the CRD, garbage-collection
 * and namespace controllers (always leader). `startRegistry()` also creates the `default`
 * namespace and the `widgets.example.com` CRD; `close()` stops everything and closes the store.
 */
import { pino } from 'pino';
import { GoneError, type KubeObject } from '../../src/apimachinery/index.js';
import { openStore, type ObjectKey, type StoreWithElection } from '../../src/db/index.js';
import {
  ChangeHub,
  CrdController,
  GarbageCollector,
  Handlers,
  KindRegistry,
  NamespaceController,
  configMapKind,
  namespaceKind,
  secretKind,
  type KindDefinition,
  type RawWatchEvent,
  type ResourceHandler,
} from '../../src/registry/index.js';

export const WIDGET_RESOURCE = 'widgets.example.com';
export const GADGET_RESOURCE = 'gadgets.example.com';

/** A namespaced CRD kind with a status subresource, schema defaults and a selectable field. */
export const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: WIDGET_RESOURCE },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        selectableFields: [{ jsonPath: '.spec.color' }],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'string', default: 'small' },
                  replicas: { type: 'integer', default: 1 },
                  color: { type: 'string' },
                },
              },
              status: {
                type: 'object',
                properties: { phase: { type: 'string' }, ready: { type: 'boolean' } },
              },
            },
          },
        },
      },
    ],
  },
};

/** A cluster-scoped CRD kind without a status subresource. */
export const gadgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: GADGET_RESOURCE },
  spec: {
    group: 'example.com',
    scope: 'Cluster',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        },
      },
    ],
  },
};

export interface RegistryFixture {
  store: StoreWithElection;
  hub: ChangeHub;
  kinds: KindRegistry;
  handlers: Handlers;
  crdController: CrdController;
  gc: GarbageCollector;
  namespaceController: NamespaceController;
  namespaces: ResourceHandler;
  configMaps: ResourceHandler;
  secrets: ResourceHandler;
  crds: ResourceHandler;
  /** The handler of a kind registered now, by group-resource (e.g. `widgets.example.com`). */
  handler(resource: string): ResourceHandler;
  createNamespace(name: string): Promise<KubeObject>;
  /** Reads a stored object straight from the store (undefined when absent). */
  stored(key: ObjectKey): Promise<KubeObject | undefined>;
  close(): Promise<void>;
}

export interface RegistryOptions {
  bookmarkIntervalMs?: number;
  /** Start the garbage collector and namespace controller (default true). */
  controllers?: boolean;
  /** Leadership as the controllers see it (default: always the leader). */
  isLeader?: () => boolean;
  /** Wraps the store before anything uses it (see `withFeedLoss`). */
  wrapStore?: (store: StoreWithElection) => StoreWithElection;
}

const silent = pino({ level: process.env.LADING_TEST_LOG ?? 'silent' });

export async function startRegistry(options: RegistryOptions = {}): Promise<RegistryFixture> {
  const opened = await openStore({ url: ':memory:' });
  const store = options.wrapStore ? options.wrapStore(opened) : opened;
  const kinds = new KindRegistry();
  for (const kind of [namespaceKind, configMapKind, secretKind]) kinds.register(kind);
  const hub = new ChangeHub(store, await store.currentRv());
  const handlers = new Handlers({
    store,
    hub,
    ...(options.bookmarkIntervalMs === undefined ? {} : { bookmarkIntervalMs: options.bookmarkIntervalMs }),
  });
  const deps = { store, hub, kinds, handlers, isLeader: options.isLeader ?? (() => true), log: silent };
  const crdController = new CrdController(deps);
  const gc = new GarbageCollector(deps);
  const namespaceController = new NamespaceController(deps);
  await crdController.start();
  if (options.controllers !== false) {
    gc.start();
    await namespaceController.start();
  }

  const handler = (resource: string): ResourceHandler => {
    const kind: KindDefinition | undefined = kinds.byGroupResource(resource);
    if (!kind) throw new Error(`kind ${resource} is not registered`);
    return handlers.for(kind, kind.versions[0] ?? 'v1');
  };
  const fixture: RegistryFixture = {
    store,
    hub,
    kinds,
    handlers,
    crdController,
    gc,
    namespaceController,
    namespaces: handlers.for(namespaceKind, 'v1'),
    configMaps: handlers.for(configMapKind, 'v1'),
    secrets: handlers.for(secretKind, 'v1'),
    crds: handlers.for(crdController.kind, 'v1'),
    handler,
    createNamespace: (name) =>
      fixture.namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, {}),
    async stored(key) {
      const row = await store.get(key);
      return row && (JSON.parse(row.json) as KubeObject);
    },
    async close() {
      crdController.stop();
      gc.stop();
      namespaceController.stop();
      await gc.idle();
      hub.close();
      await store.close();
    },
  };
  await fixture.createNamespace('default');
  await fixture.crds.create('', widgetCrd, {});
  return fixture;
}

/** The real store, whose change feed can be made to lose changes as PostgreSQL's can. */
export interface FeedLossStore extends StoreWithElection {
  /**
   * From now on, committed changes are not delivered; `lose()` then ends every subscription with a
   * GoneError, as a store does when its feed fell behind past a compaction.
   */
  dropChanges(): void;
  lose(): void;
}

export function withFeedLoss(store: StoreWithElection): FeedLossStore {
  let dropping = false;
  const subscriptions = new Set<{
    unsubscribe: () => void;
    onError: ((error: GoneError) => void) | undefined;
  }>();
  const extra: Partial<FeedLossStore> = {
    subscribe(listener, onError) {
      const unsubscribe = store.subscribe((changes) => {
        if (!dropping) listener(changes);
      }, onError);
      const subscription = { unsubscribe, onError };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
        unsubscribe();
      };
    },
    dropChanges() {
      dropping = true;
    },
    lose() {
      dropping = false;
      const lost = new GoneError('changes were lost before delivery');
      for (const subscription of [...subscriptions]) {
        if (!subscription.onError) continue;
        subscriptions.delete(subscription);
        subscription.unsubscribe();
        subscription.onError(lost);
      }
    },
  };
  return new Proxy(store, {
    get(target, property, receiver) {
      if (typeof property === 'string' && property in extra) return extra[property as keyof FeedLossStore];
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as FeedLossStore;
}

/**
 * Polls `probe` until it returns something other than `undefined`, or fails after `timeoutMs`
 * with `what` in the message. For controllers, which converge asynchronously.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A ConfigMap body. */
export function configMap(
  name: string,
  data: Record<string, string> = {},
  extra: Partial<KubeObject> = {},
): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', ...extra, metadata: { name, ...extra.metadata }, data };
}

/** A Widget body. */
export function widget(
  name: string,
  spec: Record<string, unknown> = {},
  metadata: KubeObject['metadata'] = {},
): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, ...metadata }, spec };
}

/**
 * Reads a watch stream in the background: `next(n)` waits for n more events (with a deadline),
 * `stop()` aborts the watch and waits for the stream to end.
 */
export class WatchReader {
  readonly events: RawWatchEvent[] = [];
  readonly #controller = new AbortController();
  #read = 0;
  #error: Error | undefined;
  readonly done: Promise<void>;

  constructor(start: (signal: AbortSignal) => AsyncIterable<RawWatchEvent>) {
    this.done = (async () => {
      try {
        for await (const event of start(this.#controller.signal)) this.events.push(event);
      } catch (err) {
        this.#error = err instanceof Error ? err : new Error(String(err));
      }
    })();
  }

  get error(): Error | undefined {
    return this.#error;
  }

  /** Waits for `count` events after those already taken; returns them with the object parsed. */
  async next(
    count: number,
    timeoutMs = 5_000,
  ): Promise<{ type: string; name: string; object: KubeObject }[]> {
    const from = this.#read;
    await waitFor(
      `${count} watch events (have ${this.events.length - from})`,
      () => {
        if (this.#error !== undefined) return Promise.reject(this.#error);
        return Promise.resolve(this.events.length - from >= count ? true : undefined);
      },
      timeoutMs,
    );
    this.#read = from + count;
    return this.events.slice(from, from + count).map((e) => {
      const object = JSON.parse(e.json) as KubeObject;
      return { type: e.type, name: object.metadata.name ?? '', object };
    });
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    await this.done;
  }
}
