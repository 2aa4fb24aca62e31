/**
 * @kubernetes/client-node 1.4 against a real `lading serve`: typed list with paging, watch,
 * an informer that survives a 410 by relisting, and KubernetesObjectApi server-side apply.
 * The server keeps 1 s of history and ends watches after 2–4 s, so informers must resume.
 */
import {
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLading, type LadingServer } from '../support/lading-server.js';

describe('@kubernetes/client-node against lading serve', () => {
  let server: LadingServer;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const configMap = (name: string, namespace = 'default'): V1ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data: { name },
  });

  beforeAll(async () => {
    server = await startLading({ args: ['--history-retention', '1s', '--min-request-timeout', '2s'] });
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('creates and lists typed objects, page by page', async () => {
    for (let i = 0; i < 5; i++)
      await core.createNamespacedConfigMap({
        namespace: 'kube-public',
        body: configMap(`list-${i}`, 'kube-public'),
      });
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedConfigMap({
        namespace: 'kube-public',
        limit: 2,
        ...(token ? { _continue: token } : {}),
      });
      names.push(...page.items.map((i) => i.metadata?.name ?? ''));
      token = page.metadata?._continue;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(names).toEqual(['list-0', 'list-1', 'list-2', 'list-3', 'list-4']);
  });

  it('watches changes from a resourceVersion', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const events: string[] = [];
    const watch = new Watch(kc);
    const done = new Promise<void>((resolve) => {
      void watch
        .watch(
          '/api/v1/namespaces/default/configmaps',
          { resourceVersion: list.metadata?.resourceVersion ?? '' },
          (type: string, obj: KubernetesObject) => {
            events.push(`${type} ${obj.metadata?.name ?? ''}`);
            if (events.length === 3) resolve();
          },
          () => resolve(),
        )
        .then((req) => done.finally(() => req.abort()));
    });
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('watched') });
    await core.patchNamespacedConfigMap(
      { namespace: 'default', name: 'watched', body: { data: { x: 'y' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'watched' });
    await done;
    expect(events).toEqual(['ADDED watched', 'MODIFIED watched', 'DELETED watched']);
  });

  it('keeps an informer current across a 410 Gone by relisting', async () => {
    const path = '/api/v1/namespaces/kube-system/configmaps';
    const informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'kube-system' }));
    const added: string[] = [];
    informer.on('add', (obj) => added.push(obj.metadata?.name ?? ''));
    await informer.start();
    try {
      await core.createNamespacedConfigMap({
        namespace: 'kube-system',
        body: configMap('before', 'kube-system'),
      });
      await until(() => added.includes('before'), 'the informer to see "before"');
      // Writes elsewhere move the store on; with 1 s of history the informer's resourceVersion
      // becomes too old, so its next watch (the server ends each within 4 s) gets 410.
      const relistsBefore = listRequests(server, path);
      const deadline = Date.now() + 6_000;
      let i = 0;
      while (Date.now() < deadline) {
        await core.createNamespacedSecret({
          namespace: 'default',
          body: { metadata: { name: `churn-${i++}` }, stringData: { a: 'b' } },
        });
        await new Promise((r) => setTimeout(r, 100));
      }
      await until(() => listRequests(server, path) > relistsBefore, 'the informer to relist after 410');
      await core.createNamespacedConfigMap({
        namespace: 'kube-system',
        body: configMap('after', 'kube-system'),
      });
      await until(() => added.includes('after'), 'the informer to see "after"');
      expect(
        informer
          .list('kube-system')
          .map((o) => o.metadata?.name)
          .sort(),
      ).toEqual(['after', 'before']);
    } finally {
      await informer.stop();
    }
  });

  it('answers 410 Expired for a continue token older than the history', async () => {
    const page = await core.listNamespacedConfigMap({ namespace: 'kube-public', limit: 1 });
    const token = page.metadata?._continue;
    expect(token).toBeDefined();
    // Make history move past the token's snapshot, then wait for compaction.
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('move-on') });
    await new Promise((r) => setTimeout(r, 2_500));
    await core.createNamespacedConfigMap({ namespace: 'default', body: configMap('move-on-2') });
    await new Promise((r) => setTimeout(r, 1_500));
    const res = await fetch(
      `${server.url}/api/v1/namespaces/kube-public/configmaps?limit=1&continue=${encodeURIComponent(token ?? '')}`,
    );
    expect(res.status).toBe(410);
    expect(((await res.json()) as { reason: string }).reason).toBe('Expired');
  });

  it('applies server-side through KubernetesObjectApi', async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'applied', namespace: 'default' },
      data: { a: '1' },
    };
    const created = (await objects.patch(
      spec,
      undefined,
      undefined,
      'client-node-test',
      true,
      PatchStrategy.ServerSideApply,
    )) as V1ConfigMap;
    expect(created.metadata?.managedFields?.map((m) => m.manager)).toEqual(['client-node-test']);
    const updated = (await objects.patch(
      { ...spec, data: { b: '2' } },
      undefined,
      undefined,
      'client-node-test',
      true,
      PatchStrategy.ServerSideApply,
    )) as V1ConfigMap;
    // The manager no longer applies `a`, so server-side apply removes it.
    expect(updated.data).toEqual({ b: '2' });
  });
});

/** LIST requests the server logged for a path. */
function listRequests(server: LadingServer, path: string): number {
  return server.logs.filter((line) => line.includes('"verb":"LIST"') && line.includes(`"path":"${path}"`))
    .length;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
