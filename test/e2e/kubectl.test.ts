/**
 * The real kubectl against a real `lading serve`: CRDs and custom objects from YAML, table and
 * YAML output, watch, every patch type, server-side apply, labels, finalizers, explain, paging
 * and stale-resourceVersion conflicts.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping kubectl end-to-end tests: ${missing}`);
const fixture = (name: string): string => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe.skipIf(missing !== undefined)('kubectl against lading serve', () => {
  let server: LadingServer;
  let kc: string;
  const k = (args: string[], input?: string) => kubectl(kc, args, input);
  const ok = (args: string[], input?: string) => kubectlOk(kc, args, input);

  beforeAll(async () => {
    server = await startLading();
    kc = server.kubeconfig;
    await ok(['apply', '-f', fixture('widgets-crd.yaml')]);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=20s']);
    await ok(['apply', '-f', fixture('widgets.yaml')]);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('lists built-in namespaces as a table', async () => {
    const out = await ok(['get', 'namespaces']);
    expect(out).toMatch(/^NAME\s+STATUS\s+AGE/m);
    expect(out).toMatch(/^default\s+Active\s+\d+s/m);
    expect(out).toMatch(/^kube-system\s+Active/m);
  });

  it('prints custom objects with the CRD printer columns, defaults applied', async () => {
    const out = await ok(['get', 'widgets']);
    expect(out).toMatch(/^NAME\s+SIZE\s+COLOR\s+AGE/m);
    expect(out).toMatch(/^big\s+10\s+blue\s+/m);
    expect(out).toMatch(/^small\s+1\s+red\s+/m);
    const wide = await ok(['get', 'wd', 'small', '-o', 'wide']);
    expect(wide).toMatch(/^NAME\s+SIZE\s+COLOR\s+PHASE\s+AGE/m);
  });

  it('returns objects as YAML with system metadata', async () => {
    const widget = parse(await ok(['get', 'widget', 'small', '-o', 'yaml'])) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    expect(widget.spec).toEqual({ color: 'red', size: 1 });
    expect(widget.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(widget.metadata.resourceVersion).toMatch(/^\d+$/);
    expect(widget.metadata.generation).toBe(1);
    expect(widget.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('rejects objects that violate the schema, naming the field', async () => {
    const bad =
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: bad}\nspec: {color: purple, size: 0}\n';
    const result = await k(['create', '-f', '-'], bad);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.color');
    expect(result.stderr).toContain('supported values: "red", "green", "blue"');
    expect(result.stderr).toContain('spec.size');
    expect((await k(['get', 'widget', 'bad'])).code).not.toBe(0);
  });

  it('watches with -w and prints changes as they happen', async () => {
    await ok(['create', 'configmap', 'watch-seed']);
    const watch = spawn('kubectl', ['--kubeconfig', kc, 'get', 'configmaps', '-w', '--no-headers'], {
      env: { ...process.env, KUBECACHEDIR: `${kc}.cache` },
    });
    let out = '';
    watch.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      // kubectl lists, then watches from the list's resourceVersion: once the seed is printed,
      // every later change reaches the watch.
      await waitFor(() => /^watch-seed\s+0\s+/m.test(out), 'the initial list');
      await ok(['create', 'configmap', 'watched', '--from-literal=a=1']);
      await waitFor(() => /^watched\s+1\s+/m.test(out), 'the watch to print the new configmap');
      await ok(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"b":"2"}}']);
      await waitFor(() => /^watched\s+2\s+/m.test(out), 'the watch to print the modified configmap');
    } finally {
      watch.kill();
    }
  });

  it('applies every patch type kubectl offers', async () => {
    await ok(['create', 'configmap', 'patched', '--from-literal=a=1']);
    await ok(['patch', 'configmap', 'patched', '--type=merge', '-p', '{"data":{"b":"2"}}']);
    await ok([
      'patch',
      'configmap',
      'patched',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/data/a","value":"10"}]',
    ]);
    await ok([
      'patch',
      'configmap',
      'patched',
      '--type=strategic',
      '-p',
      '{"data":{"c":"3"},"metadata":{"finalizers":["x.example.com/keep"]}}',
    ]);
    await ok([
      'patch',
      'configmap',
      'patched',
      '--type=strategic',
      '-p',
      '{"metadata":{"finalizers":["y.example.com/keep"]}}',
    ]);
    const cm = JSON.parse(await ok(['get', 'configmap', 'patched', '-o', 'json'])) as {
      data: Record<string, string>;
      metadata: { finalizers: string[] };
    };
    expect(cm.data).toEqual({ a: '10', b: '2', c: '3' });
    // Strategic merge patch merges finalizers (patchStrategy: merge) instead of replacing them.
    expect(cm.metadata.finalizers.sort()).toEqual(['x.example.com/keep', 'y.example.com/keep']);
    await ok(['patch', 'configmap', 'patched', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);

    await ok(['patch', 'widget', 'small', '--type=merge', '-p', '{"spec":{"size":2}}']);
    await ok([
      'patch',
      'widget',
      'small',
      '--type=json',
      '-p',
      '[{"op":"add","path":"/spec/tags","value":["a"]}]',
    ]);
    const widget = JSON.parse(await ok(['get', 'widget', 'small', '-o', 'json'])) as {
      spec: unknown;
      metadata: { generation: number };
    };
    expect(widget.spec).toEqual({ color: 'red', size: 2, tags: ['a'] });
    expect(widget.metadata.generation).toBe(3);
    // Custom resources do not support strategic merge patch, as in Kubernetes.
    const smp = await k(['patch', 'widget', 'small', '--type=strategic', '-p', '{"spec":{"size":3}}']);
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toMatch(/unknown format|strategic/);
  });

  it('updates the status subresource separately from the spec', async () => {
    await ok([
      'patch',
      'widget',
      'big',
      '--subresource=status',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Ready"}}',
    ]);
    await ok([
      'patch',
      'widget',
      'big',
      '--type=merge',
      '-p',
      '{"status":{"phase":"Ignored"},"spec":{"size":11}}',
    ]);
    const widget = JSON.parse(await ok(['get', 'widget', 'big', '-o', 'json'])) as {
      spec: { size: number };
      status: unknown;
    };
    expect(widget.status).toEqual({ phase: 'Ready' });
    expect(widget.spec.size).toBe(11);
    expect(await ok(['get', 'widget', 'big', '-o', 'wide'])).toMatch(/^big\s+11\s+blue\s+Ready\s+/m);
  });

  it('applies server-side with field managers, conflicts and --force-conflicts', async () => {
    const manifest = (size: number, color: string) =>
      `apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: ssa}\nspec: {color: ${color}, size: ${size}, parts: [{name: a, count: 1}]}\n`;
    await ok(['apply', '--server-side', '--field-manager=alice', '-f', '-'], manifest(3, 'green'));
    const conflict = await k(
      ['apply', '--server-side', '--field-manager=bob', '-f', '-'],
      manifest(4, 'green'),
    );
    expect(conflict.code).not.toBe(0);
    expect(conflict.stderr).toContain('conflict');
    expect(conflict.stderr).toContain('.spec.size');
    await ok(
      ['apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', '-'],
      manifest(4, 'green'),
    );
    const widget = JSON.parse(await ok(['get', 'widget', 'ssa', '-o', 'json', '--show-managed-fields'])) as {
      spec: { size: number };
      metadata: { managedFields: { manager: string; operation: string }[] };
    };
    expect(widget.spec.size).toBe(4);
    const managers = widget.metadata.managedFields.map((m) => `${m.manager}/${m.operation}`).sort();
    expect(managers).toEqual(['alice/Apply', 'bob/Apply']);
  });

  it('labels and annotates objects and selects by label', async () => {
    await ok(['label', 'widget', 'small', 'tier=gold']);
    await ok(['annotate', 'widget', 'small', 'note=hello']);
    expect(await ok(['get', 'widgets', '-l', 'tier=gold', '-o', 'name'])).toBe('widget.example.com/small\n');
    expect(await ok(['get', 'widgets', '-l', 'size in (big,small),tier!=gold', '-o', 'name'])).toBe(
      'widget.example.com/big\n',
    );
    await ok(['label', 'widget', 'small', 'tier-']);
    expect(await ok(['get', 'widgets', '-l', 'tier', '-o', 'name'])).toBe('');
  });

  it('deletes objects with finalizers only when the finalizers are removed', async () => {
    await ok(
      ['apply', '-f', '-'],
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\ndata: {a: "1"}\n',
    );
    await ok(['delete', 'configmap', 'held', '--wait=false']);
    const held = JSON.parse(await ok(['get', 'configmap', 'held', '-o', 'json'])) as {
      metadata: { deletionTimestamp?: string };
    };
    expect(held.metadata.deletionTimestamp).toBeDefined();
    await ok([
      'patch',
      'configmap',
      'held',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/metadata/finalizers"}]',
    ]);
    const gone = await k(['get', 'configmap', 'held']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('configmaps "held" not found');
  });

  it('garbage-collects dependents of a deleted owner, in the foreground and in the background', async () => {
    for (const policy of ['background', 'foreground'] as const) {
      await ok(['create', 'configmap', `owner-${policy}`]);
      const uid = (
        await ok(['get', 'configmap', `owner-${policy}`, '-o', 'jsonpath={.metadata.uid}'])
      ).trim();
      const dependent = {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: `dependent-${policy}`,
          ownerReferences: [
            { apiVersion: 'v1', kind: 'ConfigMap', name: `owner-${policy}`, uid, blockOwnerDeletion: true },
          ],
        },
        stringData: { a: 'b' },
      };
      await ok(['apply', '-f', '-'], JSON.stringify(dependent));
      await ok(['delete', 'configmap', `owner-${policy}`, `--cascade=${policy}`, '--timeout=20s']);
      await ok(['wait', '--for=delete', `secret/dependent-${policy}`, '--timeout=20s']);
      expect((await k(['get', 'secret', `dependent-${policy}`])).stderr).toContain('not found');
    }
  });

  it('deletes a namespace with everything in it', async () => {
    await ok(['create', 'namespace', 'doomed']);
    await ok(['create', 'configmap', 'inside', '-n', 'doomed']);
    await ok(
      ['apply', '-n', 'doomed', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: inside}\nspec: {color: green}\n',
    );
    await ok(['delete', 'namespace', 'doomed', '--timeout=30s']);
    expect((await k(['get', 'namespace', 'doomed'])).stderr).toContain('namespaces "doomed" not found');
    expect(
      await ok([
        'get',
        'configmaps,widgets',
        '-A',
        '--field-selector',
        'metadata.namespace=doomed',
        '-o',
        'name',
      ]),
    ).toBe('');
  });

  it('sets only spec.finalizers through the namespace finalize subresource', async () => {
    await ok(['create', 'namespace', 'finalized']);
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'finalized', labels: { ignored: 'yes' } },
      spec: { finalizers: [] },
    });
    await ok(['replace', '--raw', '/api/v1/namespaces/finalized/finalize', '-f', '-'], body);
    const ns = JSON.parse(await ok(['get', 'namespace', 'finalized', '-o', 'json'])) as {
      metadata: { labels?: Record<string, string> };
      spec: { finalizers?: string[] };
    };
    expect(ns.spec.finalizers ?? []).toEqual([]);
    expect(ns.metadata.labels?.ignored).toBeUndefined();
  });

  it('explains built-in and custom kinds from the OpenAPI documents', async () => {
    const widget = await ok(['explain', 'widget.spec']);
    expect(widget).toContain('The desired widget.');
    expect(widget).toMatch(/size\s+<integer>/);
    expect(widget).toMatch(/color\s+<string> -required-/);
    const cm = await ok(['explain', 'configmap.data']);
    expect(cm).toContain('Data contains the configuration data.');
  });

  it('pages lists with --chunk-size and returns every object once', async () => {
    for (let i = 0; i < 7; i++) await ok(['create', 'configmap', `page-${i}`, '-n', 'kube-public']);
    const result = await k([
      'get',
      'configmaps',
      '-n',
      'kube-public',
      '--chunk-size=3',
      '-o',
      'name',
      '-v=6',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `configmap/page-${i}`));
    expect(result.stderr).toMatch(/limit=3/);
    expect(result.stderr).toMatch(/continue=/);
  });

  it('refuses an update with a stale resourceVersion', async () => {
    const original = await ok(['get', 'configmap', 'patched', '-o', 'yaml']);
    await ok(['patch', 'configmap', 'patched', '--type=merge', '-p', '{"data":{"d":"4"}}']);
    const stale = await k(['replace', '-f', '-'], original);
    expect(stale.code).not.toBe(0);
    expect(stale.stderr).toContain(
      'the object has been modified; please apply your changes to the latest version and try again',
    );
    const cm = JSON.parse(await ok(['get', 'configmap', 'patched', '-o', 'json'])) as {
      data: Record<string, string>;
    };
    expect(cm.data.d).toBe('4');
  });

  it('deletes a CRD together with its objects', async () => {
    const crd = await readFile(fixture('widgets-crd.yaml'), 'utf8');
    const other = crd
      .replaceAll('widgets', 'gadgets')
      .replaceAll('Widget', 'Gadget')
      .replace('shortNames: [wd]', 'shortNames: [gd]');
    await ok(['apply', '-f', '-'], other);
    await ok(['wait', '--for=condition=Established', 'crd/gadgets.example.com', '--timeout=20s']);
    await ok(
      ['apply', '-f', '-'],
      'apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g1}\nspec: {color: red}\n',
    );
    await ok(['delete', 'crd', 'gadgets.example.com', '--timeout=20s']);
    const result = await k(['get', 'gadgets']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /doesn't have a resource type "gadgets"|the server could not find the requested resource/,
    );
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
