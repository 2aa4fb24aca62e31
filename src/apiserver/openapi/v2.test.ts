import { describe, expect, it } from 'vitest';
import type { KindDefinition } from '../../registry/index.js';
import { buildOpenApiV2, definitionName } from './index.js';

function widgetKind(overrides: Partial<KindDefinition> = {}): KindDefinition {
  return {
    group: 'example.com',
    versions: ['v1', 'v1beta1'],
    names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
    namespaced: true,
    printerColumns: [],
    statusSubresource: true,
    crd: 'widgets.example.com',
    schema: {
      type: 'object',
      properties: {
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: { type: 'object' },
        spec: {
          type: 'object',
          required: ['size'],
          properties: {
            size: { 'x-kubernetes-int-or-string': true },
            note: { type: 'string', nullable: true },
            choice: { type: 'string', anyOf: [{ enum: ['a'] }, { enum: ['b'] }] },
            template: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              'x-kubernetes-preserve-unknown-fields': true,
            },
          },
        },
        status: { type: 'object', properties: { ready: { type: 'boolean' } } },
      },
    },
    ...overrides,
  };
}

function configMapKind(): KindDefinition {
  return {
    group: '',
    versions: ['v1'],
    names: { kind: 'ConfigMap', listKind: 'ConfigMapList', plural: 'configmaps', singular: 'configmap' },
    namespaced: true,
    printerColumns: [],
    statusSubresource: false,
    schema: {
      type: 'object',
      properties: { data: { type: 'object', additionalProperties: { type: 'string' } } },
    },
  };
}

/** Every `$ref` in a document. */
function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

type Json = Record<string, unknown>;
const at = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], value);
const paramNames = (op: unknown): string[] =>
  ((at(op, 'parameters') ?? []) as Json[]).map((p) => String(p['name']));

describe('definitionName', () => {
  it.each([
    { group: '', version: 'v1', kind: 'ConfigMap', want: 'io.k8s.api.core.v1.ConfigMap' },
    { group: 'apps', version: 'v1', kind: 'Deployment', want: 'io.k8s.api.apps.v1.Deployment' },
    { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', want: 'io.k8s.api.rbac.v1.Role' },
    {
      group: 'apiextensions.k8s.io',
      version: 'v1',
      kind: 'CustomResourceDefinition',
      want: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    },
    { group: 'example.com', version: 'v1', kind: 'Widget', want: 'com.example.v1.Widget' },
    {
      group: 'porch.kpt.dev',
      version: 'v1alpha1',
      kind: 'PackageRevision',
      want: 'dev.kpt.porch.v1alpha1.PackageRevision',
    },
    {
      group: 'cluster.x-k8s.io',
      version: 'v1beta1',
      kind: 'Cluster',
      want: 'io.x-k8s.cluster.v1beta1.Cluster',
    },
  ])('$group $kind', ({ group, version, kind, want }) => {
    expect(definitionName(group, version, kind)).toBe(want);
  });
});

describe('buildOpenApiV2', () => {
  const doc = buildOpenApiV2([widgetKind(), configMapKind()], { title: 'Lading', version: 'v0.1.0' });
  const defs = doc.definitions;

  it('is a Swagger 2.0 document with the given info', () => {
    expect(doc.swagger).toBe('2.0');
    expect(doc.info).toEqual({ title: 'Lading', version: 'v0.1.0' });
  });

  it('names definitions like Kubernetes and tags them with their group-version-kind', () => {
    for (const name of [
      'com.example.v1.Widget',
      'com.example.v1.WidgetList',
      'com.example.v1beta1.Widget',
      'io.k8s.api.core.v1.ConfigMap',
      'io.k8s.api.core.v1.ConfigMapList',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Status',
      'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
      'io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent',
      'io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    ]) {
      expect(Object.keys(defs)).toContain(name);
    }
    expect(at(defs, 'com.example.v1beta1.Widget', 'x-kubernetes-group-version-kind')).toEqual([
      { group: 'example.com', kind: 'Widget', version: 'v1beta1' },
    ]);
    expect(at(defs, 'io.k8s.api.core.v1.ConfigMapList', 'x-kubernetes-group-version-kind')).toEqual([
      { group: '', kind: 'ConfigMapList', version: 'v1' },
    ]);
  });

  it('refers to ObjectMeta for metadata, and lists to their items', () => {
    expect(at(defs, 'com.example.v1.Widget', 'properties', 'metadata', '$ref')).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    expect(at(defs, 'io.k8s.api.core.v1.ConfigMap', 'properties', 'metadata', '$ref')).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    );
    expect(at(defs, 'com.example.v1.WidgetList', 'properties', 'items', 'items')).toEqual({
      $ref: '#/definitions/com.example.v1.Widget',
    });
    expect(at(defs, 'com.example.v1.WidgetList', 'properties', 'metadata', '$ref')).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta',
    );
  });

  it('reduces schemas to what kubectl handles in v2', () => {
    const spec = at(defs, 'com.example.v1.Widget', 'properties', 'spec', 'properties');
    expect(at(spec, 'note')).toEqual({});
    expect(at(spec, 'size')).toEqual({ 'x-kubernetes-int-or-string': true });
    expect(at(spec, 'choice')).toEqual({ type: 'string' });
    expect(at(spec, 'template')).toEqual({
      'x-kubernetes-embedded-resource': true,
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('carries the strategic merge markers of ObjectMeta', () => {
    const meta = defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'];
    expect(at(meta, 'properties', 'finalizers', 'x-kubernetes-patch-strategy')).toBe('merge');
    expect(at(meta, 'properties', 'ownerReferences', 'x-kubernetes-patch-strategy')).toBe('merge');
    expect(at(meta, 'properties', 'ownerReferences', 'x-kubernetes-patch-merge-key')).toBe('uid');
    expect(at(meta, 'properties', 'ownerReferences', 'items', '$ref')).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference',
    );
    expect(at(meta, 'properties', 'creationTimestamp', '$ref')).toBe(
      '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time',
    );
  });

  it('resolves every $ref', () => {
    const refs = refsOf(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect(Object.keys(defs)).toContain(ref.replace('#/definitions/', ''));
  });

  const base = '/apis/example.com/v1/namespaces/{namespace}/widgets';
  it.each([
    { path: base, method: 'get', action: 'list', id: 'listExampleComV1NamespacedWidget' },
    { path: base, method: 'post', action: 'post', id: 'createExampleComV1NamespacedWidget' },
    {
      path: base,
      method: 'delete',
      action: 'deletecollection',
      id: 'deleteExampleComV1CollectionNamespacedWidget',
    },
    { path: `${base}/{name}`, method: 'get', action: 'get', id: 'readExampleComV1NamespacedWidget' },
    { path: `${base}/{name}`, method: 'put', action: 'put', id: 'replaceExampleComV1NamespacedWidget' },
    { path: `${base}/{name}`, method: 'patch', action: 'patch', id: 'patchExampleComV1NamespacedWidget' },
    { path: `${base}/{name}`, method: 'delete', action: 'delete', id: 'deleteExampleComV1NamespacedWidget' },
    {
      path: `${base}/{name}/status`,
      method: 'get',
      action: 'get',
      id: 'readExampleComV1NamespacedWidgetStatus',
    },
    {
      path: `${base}/{name}/status`,
      method: 'put',
      action: 'put',
      id: 'replaceExampleComV1NamespacedWidgetStatus',
    },
    {
      path: `${base}/{name}/status`,
      method: 'patch',
      action: 'patch',
      id: 'patchExampleComV1NamespacedWidgetStatus',
    },
    {
      path: '/apis/example.com/v1/widgets',
      method: 'get',
      action: 'list',
      id: 'listExampleComV1WidgetForAllNamespaces',
    },
    {
      path: '/apis/example.com/v1/watch/namespaces/{namespace}/widgets',
      method: 'get',
      action: 'watchlist',
      id: 'watchExampleComV1NamespacedWidgetList',
    },
    {
      path: '/apis/example.com/v1/watch/namespaces/{namespace}/widgets/{name}',
      method: 'get',
      action: 'watch',
      id: 'watchExampleComV1NamespacedWidget',
    },
    {
      path: '/api/v1/namespaces/{namespace}/configmaps/{name}',
      method: 'patch',
      action: 'patch',
      id: 'patchCoreV1NamespacedConfigMap',
    },
  ])('$method $path', ({ path, method, action, id }) => {
    const op = at(doc.paths, path, method);
    expect(at(op, 'operationId')).toBe(id);
    expect(at(op, 'x-kubernetes-action')).toBe(action);
    expect(at(op, 'x-kubernetes-group-version-kind', 'kind')).toBe(
      path.includes('configmaps') ? 'ConfigMap' : 'Widget',
    );
  });

  it.each([
    {
      verb: 'patch',
      path: `${base}/{name}`,
      want: ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force'],
    },
    {
      verb: 'patch',
      path: `${base}/{name}/status`,
      want: ['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force'],
    },
    { verb: 'put', path: `${base}/{name}`, want: ['body', 'dryRun', 'fieldManager', 'fieldValidation'] },
    { verb: 'post', path: base, want: ['body', 'dryRun', 'fieldManager', 'fieldValidation'] },
    {
      verb: 'delete',
      path: `${base}/{name}`,
      want: [
        'body',
        'dryRun',
        'gracePeriodSeconds',
        'ignoreStoreReadErrorWithClusterBreakingPotential',
        'orphanDependents',
        'propagationPolicy',
      ],
    },
    {
      verb: 'get',
      path: base,
      want: [
        'allowWatchBookmarks',
        'continue',
        'fieldSelector',
        'labelSelector',
        'limit',
        'resourceVersion',
        'resourceVersionMatch',
        'sendInitialEvents',
        'timeoutSeconds',
        'watch',
      ],
    },
  ])('$verb $path declares the query parameters of Kubernetes on the operation', ({ verb, path, want }) => {
    expect(paramNames(at(doc.paths, path, verb)).sort()).toEqual(want.sort());
  });

  it('declares name, namespace and pretty on the path', () => {
    expect(paramNames(at(doc.paths, `${base}/{name}`))).toEqual(['name', 'namespace', 'pretty']);
  });

  it('accepts strategic merge patches only for built-in kinds', () => {
    expect(at(doc.paths, `${base}/{name}`, 'patch', 'consumes')).not.toContain(
      'application/strategic-merge-patch+json',
    );
    expect(at(doc.paths, '/api/v1/namespaces/{namespace}/configmaps/{name}', 'patch', 'consumes')).toContain(
      'application/strategic-merge-patch+json',
    );
  });

  it('serves only the verbs and subresources a kind has', () => {
    const limited = buildOpenApiV2([
      widgetKind({ verbs: ['get', 'list'], namespaced: false, statusSubresource: false, versions: ['v1'] }),
    ]);
    expect(Object.keys(limited.paths).sort()).toEqual([
      '/apis/example.com/v1/widgets',
      '/apis/example.com/v1/widgets/{name}',
    ]);
    expect(Object.keys(limited.paths['/apis/example.com/v1/widgets/{name}'] ?? {}).sort()).toEqual([
      'get',
      'parameters',
    ]);
    expect(paramNames(limited.paths['/apis/example.com/v1/widgets/{name}'])).toEqual(['name', 'pretty']);
  });

  it('publishes a preserve-unknown-fields root as a bare object', () => {
    const open = buildOpenApiV2([
      widgetKind({
        versions: ['v1'],
        schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      }),
    ]);
    expect(open.definitions['com.example.v1.Widget']).toEqual({
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'example.com', kind: 'Widget', version: 'v1' }],
    });
  });

  it('is deterministic and independent of the order of kinds', () => {
    const again = buildOpenApiV2([configMapKind(), widgetKind()], { title: 'Lading', version: 'v0.1.0' });
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
  });
});
