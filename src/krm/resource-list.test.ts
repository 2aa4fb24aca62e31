import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPackageResources, writePackageResources } from './package-resources.js';
import type { KrmResource } from './package-resources.js';
import { buildResourceList, parseResourceList, type ParsedResourceList } from './resource-list.js';
import { splitItemTexts } from './resource-list-items.js';
import { FIXTURES, KPT_VERSION, fixturePackage, kpt, readTree } from './test-kpt.js';
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

/** The resources of every fixture package that reads (some are deliberately broken). */
function fixtureResourceSets(): [string, ReturnType<typeof readPackageResources>['resources']][] {
  const all = readTree(FIXTURES);
  const dirs = [...all.keys()]
    .filter((p) => p.endsWith('/Kptfile'))
    .map((p) => p.slice(0, -'/Kptfile'.length));
  const sets: [string, ReturnType<typeof readPackageResources>['resources']][] = [];
  for (const dir of dirs.sort()) {
    const files = new Map(
      [...all].filter(([p]) => p.startsWith(`${dir}/`)).map(([p, t]) => [p.slice(dir.length + 1), t]),
    );
    try {
      const { resources } = readPackageResources(files, { includeSubpackages: false });
      if (resources.length > 1) sets.push([dir, resources]);
    } catch {
      // a fixture that is invalid on purpose
    }
  }
  return sets;
}

/** Whether `item` took over the document of one of `before`. */
function reusedFrom(before: readonly KrmResource[]): (item: KrmResource) => boolean {
  const documents = new Set(before.map((r) => r.document));
  return (item) => documents.has(item.document);
}

/** A list with `edit` applied to every other entry and the entries in reverse order. */
function editEntries(list: string, edit: (entry: string) => string): string {
  const layout = splitItemTexts(list);
  if (!layout) throw new Error('not a kpt-layout list');
  const entries = layout.items.map((e, i) => (i % 2 === 0 ? e.text : edit(e.text)));
  return layout.head + entries.reverse().join('') + layout.tail;
}

function errorOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('parseResourceList given the list that was sent', () => {
  it('takes over the items a function passed through unchanged, and gives what a full parse gives', () => {
    let unchanged = 0;
    let reused = 0;
    for (const [dir, resources] of fixtureResourceSets()) {
      // First step: documents from files are always parsed.
      const first = buildResourceList(resources);
      if (first.length > 64 * 1024) continue; // big CRDs: slow, and nothing they add
      const step1 = parseResourceList(first, {}, { text: first, items: resources });
      expect(step1.items.some(reusedFrom(resources)), dir).toBe(false);
      // Second step: a "function" that adds a field to every other item and reverses the order.
      const sent = buildResourceList(step1.items);
      const output = editEntries(sent, (entry) => `${entry}  x-lading-test: "1"\n`);
      const reusing = (): ParsedResourceList =>
        parseResourceList(output, {}, { text: sent, items: step1.items });
      const fullError = errorOf(() => parseResourceList(output));
      if (fullError !== undefined) {
        expect(errorOf(reusing), dir).toBe(fullError);
        continue;
      }
      const full = parseResourceList(output);
      const result = reusing();
      expect(
        result.items.map((i) => [i.path, i.index]),
        dir,
      ).toEqual(full.items.map((i) => [i.path, i.index]));
      expect(buildResourceList(result.items), dir).toBe(buildResourceList(full.items));
      expect(
        result.items.map((i) => formatDocument(i.document)),
        dir,
      ).toEqual(full.items.map((i) => formatDocument(i.document)));
      unchanged += Math.ceil(step1.items.length / 2);
      reused += result.items.filter(reusedFrom(step1.items)).length;
    }
    // Most unchanged items are standalone entries; the rest (edge comments, anchors) are parsed.
    expect(unchanged).toBeGreaterThan(100);
    expect(reused).toBeGreaterThan(unchanged * 0.8);
    expect(reused).toBeLessThanOrEqual(unchanged);
  });

  it('parses an item again when its document changed after it was parsed', () => {
    const { resources } = readPackageResources(fixturePackage('kpt/package-examples/wordpress'));
    const first = buildResourceList(resources);
    const step1 = parseResourceList(first, {}, { text: first, items: resources });
    const changed = step1.items[0]!;
    changed.document.doc.setIn(['metadata', 'labels'], { edited: 'yes' });
    const sent = buildResourceList(step1.items);
    const again = parseResourceList(sent, {}, { text: sent, items: step1.items });
    expect(again.items[1]!.document).toBe(step1.items[1]!.document);
    // The edited document was parsed from other text: the function's copy is read instead.
    expect(again.items[0]!.document).not.toBe(changed.document);
    expect(formatDocument(again.items[0]!.document)).toBe(formatDocument(changed.document));
  });

  it('reports errors of the whole output with its own line numbers', () => {
    const { resources } = readPackageResources(fixturePackage('kpt/package-examples/wordpress'));
    const first = buildResourceList(resources);
    const step1 = parseResourceList(first, {}, { text: first, items: resources });
    const sent = buildResourceList(step1.items);
    const broken = editEntries(sent, (entry) => `${entry}bad: [\n`);
    const message = errorOf(() => parseResourceList(broken));
    expect(message).toMatch(/invalid YAML: .* at line \d+/);
    expect(errorOf(() => parseResourceList(broken, {}, { text: sent, items: step1.items }))).toBe(message);
  });
});
