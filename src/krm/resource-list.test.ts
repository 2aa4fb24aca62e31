import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPackageResources, writePackageResources } from './package-resources.js';
import { buildResourceList, parseResourceList } from './resource-list.js';
import { FIXTURES, KPT_VERSION, fixturePackage, kpt } from './test-kpt.js';
import { formatDocument } from './yaml-file.js';

const PACKAGES = [
  'kpt-samples/basens',
  'kpt-samples/echo',
  'kpt/package-examples/wordpress',
  'kpt/package-examples/tenant',
  'nephio-catalog/nephio/core/nephio-operator',
  'porch/pkg/task/testdata/replace',
];

describe.skipIf(!KPT_VERSION)(
  `buildResourceList matches kpt fn source (kpt ${KPT_VERSION ?? 'absent'})`,
  () => {
    it.each(PACKAGES)('%s', (dir) => {
      const expected = kpt(['fn', 'source', join(FIXTURES, dir)]);
      expect(buildResourceList(readPackageResources(fixturePackage(dir)).resources)).toBe(expected);
    });
  },
);

describe('parseResourceList', () => {
  it('reads back what buildResourceList wrote: paths, indexes, documents', () => {
    const pkg = readPackageResources(fixturePackage('kpt/package-examples/wordpress'));
    const parsed = parseResourceList(buildResourceList(pkg.resources));
    expect(parsed.items.map((i) => [i.path, i.index])).toEqual(pkg.resources.map((r) => [r.path, r.index]));
    expect(parsed.items.map((i) => formatDocument(i.document))).toEqual(
      pkg.resources.map((r) => formatDocument(r.document)),
    );
  });

  it('writes function output back into the package, unchanged files byte-identical', () => {
    const files = fixturePackage('kpt/package-examples/wordpress');
    const pkg = readPackageResources(files);
    const parsed = parseResourceList(buildResourceList(pkg.resources));
    expect(writePackageResources(files, pkg, parsed.items)).toEqual(files);
  });

  it('takes legacy annotations, defaults missing paths, strips the tracking annotations', () => {
    const parsed = parseResourceList(
      [
        'apiVersion: config.kubernetes.io/v1',
        'kind: ResourceList',
        'items:',
        '- apiVersion: v1',
        '  kind: ConfigMap',
        '  metadata:',
        '    name: a',
        '    annotations:',
        "      config.kubernetes.io/path: 'x/a.yaml'",
        "      config.kubernetes.io/index: '2'",
        '- apiVersion: apps/v1',
        '  kind: Deployment',
        '  metadata:',
        '    name: web',
        '    namespace: prod',
        'functionConfig:',
        '  apiVersion: v1',
        '  kind: ConfigMap',
        '  data: {k: v}',
        'results:',
        '- message: done',
        '  severity: info',
      ].join('\n'),
    );
    expect(parsed.items.map((i) => [i.path, i.index])).toEqual([
      ['x/a.yaml', 2],
      ['prod/deployment_web.yaml', 0],
    ]);
    expect(formatDocument(parsed.items[0]!.document)).toBe(
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
    );
    expect(parsed.functionConfig?.toJS()).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', data: { k: 'v' } });
    expect(parsed.results).toEqual([{ message: 'done', severity: 'info' }]);
  });

  it.each([
    ['not a ResourceList', 'apiVersion: v1\nkind: List\nitems: []\n', /not a ResourceList/],
    ['wrong apiVersion', 'apiVersion: v2\nkind: ResourceList\nitems: []\n', /apiVersion must be/],
    [
      'mismatched path annotations',
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n- kind: A\n  metadata:\n    annotations:\n' +
        "      config.kubernetes.io/path: 'a.yaml'\n      internal.config.kubernetes.io/path: 'b.yaml'\n",
      /mismatched annotations/,
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseResourceList(text)).toThrow(message);
  });

  it('builds a list with functionConfig and results', () => {
    expect(
      buildResourceList([], {
        functionConfig: { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'true' } },
        results: [],
      }),
    ).toBe(
      'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\nfunctionConfig:\n  apiVersion: v1\n' +
        '  data:\n    a: "true"\n  kind: ConfigMap\nresults: []\n',
    );
  });

  it('leaves the resources it lists untouched (annotations are added to copies)', () => {
    const text =
      "# head\napiVersion: v1\nkind: ConfigMap\nmetadata: # m\n  name: a\n  annotations:\n    x: 'y' # keep\n" +
      '    config.kubernetes.io/index: "7"\ndata:\n  k: v\n';
    const files = new Map([['cm.yaml', text]]);
    const pkg = readPackageResources(files);
    const list = buildResourceList(pkg.resources);
    expect(list).toContain('      config.kubernetes.io/index: "0"\n');
    expect(list).toContain("      x: 'y' # keep\n");
    expect(writePackageResources(files, pkg, pkg.resources).get('cm.yaml')).toBe(text);
    expect(buildResourceList(pkg.resources)).toBe(list);
  });
});
