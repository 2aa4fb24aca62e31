import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { addMergeKeys, clonePackage, recordKptAction } from './clone-package.js';
import { attributeComments } from './kyaml-comments.js';
import { emitDocument } from './kyaml-emitter.js';
import { addMergeKey, parseMergeComment } from './merge-key.js';
import {
  GIT_AVAILABLE,
  KPT_VERSION,
  bareRepo,
  fixturePackage,
  kpt,
  readTree,
  withTempDir,
} from './test-kpt.js';

function annotate(text: string): string {
  const doc = parseDocument(text, { version: '1.2' });
  attributeComments(doc, text);
  addMergeKey(doc);
  return emitDocument(doc, 'compact');
}

describe('addMergeKey: kpt rules for one resource', () => {
  const cases: { name: string; input: string; expected: string }[] = [
    {
      name: 'namespaced resource',
      input: 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n',
      expected:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: # kpt-merge: prod/web\n  name: web\n  namespace: prod\n' +
        "  annotations:\n    internal.kpt.dev/upstream-identifier: 'apps|Deployment|prod|web'\n",
    },
    {
      name: 'no namespace: empty in the comment, default in the identifier',
      input: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n',
      expected:
        'apiVersion: v1\nkind: Namespace\nmetadata: # kpt-merge: /example\n  name: example\n' +
        "  annotations:\n    internal.kpt.dev/upstream-identifier: '|Namespace|default|example'\n",
    },
    {
      name: 'existing merge comment wins over the current name (3-level chains)',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: # kpt-merge: ns/original\n  name: renamed\n',
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: # kpt-merge: ns/original\n  name: renamed\n' +
        "  annotations:\n    internal.kpt.dev/upstream-identifier: '|ConfigMap|ns|original'\n",
    },
    {
      name: 'another line comment on metadata is replaced',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: # mine\n  name: c\n',
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: # kpt-merge: /c\n  name: c\n' +
        "  annotations:\n    internal.kpt.dev/upstream-identifier: '|ConfigMap|default|c'\n",
    },
    {
      name: 'existing identifier is rewritten, keeps its quotes, loses its comment',
      input:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n' +
        '    internal.kpt.dev/upstream-identifier: "x" # old\n    z: "1"\n',
      expected:
        'apiVersion: v1\nkind: ConfigMap\nmetadata: # kpt-merge: /c\n  name: c\n  annotations:\n' +
        '    internal.kpt.dev/upstream-identifier: "|ConfigMap|default|c"\n    z: "1"\n',
    },
    {
      name: 'empty annotations are dropped and re-created at the end of metadata',
      input: 'apiVersion: v1\nkind: A\nmetadata:\n  # hc\n  annotations: {} # lc\n  labels: {a: b}\n',
      expected:
        'apiVersion: v1\nkind: A\nmetadata: # kpt-merge: /\n  labels: {a: b}\n' +
        "  annotations:\n    internal.kpt.dev/upstream-identifier: '|A|default|'\n",
    },
    {
      name: 'flow metadata: the identifier goes in flow, the comment is lost (as in kpt)',
      input: 'apiVersion: v1\nkind: A\nmetadata: {name: n}\n',
      expected:
        "apiVersion: v1\nkind: A\nmetadata: {name: n, annotations: {internal.kpt.dev/upstream-identifier: '|A|default|n'}}\n",
    },
    {
      name: 'no name, namespace or labels: untouched',
      input: 'apiVersion: v1\nkind: A\nspec: 1\n',
      expected: 'apiVersion: v1\nkind: A\nspec: 1\n',
    },
    {
      name: 'not KRM: untouched',
      input: 'op: replace\npath: /spec\n',
      expected: 'op: replace\npath: /spec\n',
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    expect(annotate(input)).toBe(expected);
  });

  it('parses merge comments like kpt', () => {
    expect(parseMergeComment('# kpt-merge: a/b/c')).toEqual({ namespace: 'a', name: 'b/c' });
    expect(parseMergeComment('# kpt-merge: example')).toBeUndefined();
    expect(parseMergeComment('# note kpt-merge: a/b')).toBeUndefined();
  });
});

describe('recordKptAction (cnrm attribution)', () => {
  const cases = [
    { name: 'new', current: '', expected: 'kpt-pkg' },
    {
      name: 'appended',
      current: 'cnrm/landing-zone:networking/v0.4.0',
      expected: 'cnrm/landing-zone:networking/v0.4.0,kpt-pkg',
    },
    { name: 'merged into the kpt part', current: 'a,kpt-fn,b', expected: 'a,kpt-pkg-fn,b' },
    { name: 'already there', current: 'kpt-pkg', expected: 'kpt-pkg' },
  ];
  it.each(cases)('$name', ({ current, expected }) => {
    expect(recordKptAction(current, 'pkg')).toBe(expected);
  });
});

describe('addMergeKeys: package level', () => {
  it('does nothing at all when one file cannot be processed (kpt is all or nothing)', () => {
    const files = new Map([
      ['a.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n'],
      ['b.yaml', 'just a string\n'],
    ]);
    const result = addMergeKeys(files);
    expect(result.files).toEqual(files);
    expect(result.warnings[0]).toMatch(/b\.yaml/);
  });

  it('honours only the root .krmignore and leaves the Kptfile and other files alone', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n';
    const files = new Map([
      ['Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n'],
      ['.krmignore', 'ignored\n'],
      ['ignored/a.yaml', cm],
      ['sub/.krmignore', 'skip.yaml\n'],
      ['sub/skip.yaml', cm],
      ['x.YAML', cm],
      ['x.json', cm],
    ]);
    const out = addMergeKeys(files).files;
    expect(out.get('ignored/a.yaml')).toBe(cm);
    expect(out.get('x.YAML')).toBe(cm);
    expect(out.get('x.json')).toBe(cm);
    expect(out.get('Kptfile')).toBe(files.get('Kptfile'));
    expect(out.get('sub/skip.yaml')).toContain('# kpt-merge: /a');
  });
});

/** Packages compared with `kpt pkg get`; kpt is deterministic for all of them. */
const PACKAGES = [
  'kpt-samples/basens',
  'kpt-samples/echo',
  'kpt-samples/external-secrets',
  'free5gc-packages/free5gc-upf',
  'free5gc-packages/free5gc-operator',
  'kpt/package-examples/ghost',
  'kpt/package-examples/wordpress',
  'kpt/package-examples/cert-manager-basic',
  'kpt/package-examples/tenant',
  'nephio-catalog/infra/capi/multus',
  'nephio-catalog/infra/gcp/cc-repo-csr',
  'nephio-catalog/nephio/core/porch',
  'nephio-catalog/nephio/optional/spire',
  'nephio-catalog/infra/baremetal/bmh-template',
  'porch/pkg/task/testdata/replace',
];

describe.skipIf(!KPT_VERSION || !GIT_AVAILABLE)(
  `clonePackage matches kpt pkg get (kpt ${KPT_VERSION ?? 'absent'})`,
  () => {
    it.each(PACKAGES)('%s', async (dir) => {
      await withTempDir(async (root) => {
        const source = fixturePackage(dir);
        const { repo, commit } = await bareRepo(root, new Map([[dir, source]]));
        const out = join(root, 'out');
        kpt(['pkg', 'get', `file://${repo}/${dir}@main`, out]);
        const expected = readTree(out);
        const actual = clonePackage(source, {
          name: 'out',
          // kpt's CLI records the repository without `.git` and the directory with a leading `/`.
          upstream: {
            repo: `file://${repo.slice(0, -'.git'.length)}`,
            directory: `/${dir}`,
            ref: 'main',
            commit,
          },
        });
        expect(actual.warnings).toEqual([]);
        expect([...actual.files.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [path, text] of expected)
          expect({ path, text: actual.files.get(path) }).toEqual({ path, text });
      });
    });
  },
);
