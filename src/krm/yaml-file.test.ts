import { join } from 'node:path';
import type { Scalar, YAMLMap } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../apimachinery/index.js';
import { FIXTURES, GIT_AVAILABLE, KPT_VERSION, bareRepo, kpt, readTree, withTempDir } from './test-kpt.js';
import {
  deriveSeqIndent,
  formatYamlFile,
  parseYamlDocument,
  parseYamlFile,
  serializeYamlFile,
} from './yaml-file.js';

const fixtureYaml = [...readTree(FIXTURES)].filter(([path]) => /(^|\/)(Kptfile|[^/]*\.ya?ml)$/.test(path));

/** Known-invalid inputs among the fixtures (deliberate negative cases). */
const INVALID = new Set([
  'kpt/e2e/testdata/fn-render/invalid-kptfile/Kptfile',
  'kpt/e2e/testdata/fn-render/subpkg-has-invalid-kptfile/db/Kptfile',
]);

function kptFormat(text: string): string {
  return formatYamlFile(parseYamlFile('f.yaml', text.replaceAll('\r\n', '\n')).documents);
}

describe('every YAML file under fixtures/kpt', () => {
  it('has files to check', () => {
    expect(fixtureYaml.length).toBeGreaterThan(1000);
  });

  it('round-trips unchanged files byte for byte', () => {
    const failures: string[] = [];
    for (const [path, text] of fixtureYaml) {
      if (INVALID.has(path)) continue;
      const file = parseYamlFile(path, text);
      if (serializeYamlFile(file) !== text) failures.push(path);
    }
    expect(failures).toEqual([]);
  });

  it('formats idempotently (kpt format of kpt format is itself)', () => {
    const failures: string[] = [];
    for (const [path, text] of fixtureYaml) {
      if (INVALID.has(path)) continue;
      const once = kptFormat(text);
      if (kptFormat(once) !== once) failures.push(path);
    }
    expect(failures).toEqual([]);
  });

  it('rejects the deliberately invalid ones with the file named', () => {
    for (const path of INVALID) {
      const text = readTree(FIXTURES).get(path) ?? '';
      expect(() => parseYamlFile(path, text)).toThrow(new RegExp(path.replaceAll('/', '\\/')));
    }
  });
});

describe('serializeYamlFile', () => {
  const text =
    '# head\napiVersion: v1\nkind: A   # spaced\nmetadata:\n    name: a\n---\n\n# only a comment\n---\nb:   [ 1,2 ]\n';

  it('keeps unchanged documents, separators and comment-only parts; reformats the changed one', () => {
    const file = parseYamlFile('f.yaml', text);
    expect(file.documents).toHaveLength(2);
    file.documents[1]?.doc.set('c', 3);
    expect(serializeYamlFile(file)).toBe(
      '# head\napiVersion: v1\nkind: A   # spaced\nmetadata:\n    name: a\n---\n\n# only a comment\n---\nb: [1, 2]\nc: 3\n',
    );
  });

  it('writes scalars edited in place from their new value, keeping the quoting style', () => {
    const file = parseYamlFile('f.yaml', "a: 'x' # keep\nb: 1\nc: plain\nd: ~\n");
    const map = file.documents[0]?.doc.contents as YAMLMap<Scalar, Scalar>;
    const set = (key: string, value: unknown): void => {
      const pair = map.items.find((p) => p.key.value === key);
      if (pair) pair.value!.value = value;
    };
    set('a', 'y');
    set('b', 2);
    set('c', 'true');
    set('d', 'now');
    expect(serializeYamlFile(file)).toBe('a: \'y\' # keep\nb: 2\nc: "true"\nd: now\n');
  });

  it('writes documents in a new order one after another', () => {
    const file = parseYamlFile('f.yaml', text);
    const [a, b] = file.documents;
    if (!a || !b) throw new Error('expected two documents');
    expect(serializeYamlFile(file, [b])).toBe('b:   [ 1,2 ]\n');
    expect(serializeYamlFile(file, [b, a])).toBe(`b:   [ 1,2 ]\n---\n${text.slice(0, text.indexOf('---'))}`);
  });
});

describe('limits', () => {
  it('refuses an alias bomb', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    expect(() => parseYamlDocument('bomb.yaml', bomb)).toThrow(/aliases expand too much/);
    expect(() => parseYamlDocument('ok.yaml', 'a: &a 1\nb: *a\n')).not.toThrow();
  });

  it('refuses an oversized document', () => {
    const err = (() => {
      try {
        parseYamlDocument('big.yaml', `a: ${'x'.repeat(200)}\n`, { maxDocumentLength: 100 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).details?.causes?.[0]?.field).toBe('spec.resources[big.yaml]');
  });

  it('refuses an invalid document separator like kpt', () => {
    expect(() => parseYamlFile('s.yaml', 'a: 1\n--- x\nb: 2\n')).toThrow(/invalid document separator/);
  });
});

describe('deriveSeqIndent (kyaml rule)', () => {
  const cases = [
    { name: 'compact', text: 'a:\n- x\n', expected: 'compact' },
    { name: 'wide', text: 'a:\n  - x\n', expected: 'wide' },
    { name: 'comments between key and item', text: 'a:\n  # c\n  - x\n', expected: 'wide' },
    { name: 'block scalar text is not a list', text: 'a: |\n  - x\nb:\n    - y\n', expected: 'compact' },
    { name: 'no list', text: 'a: 1\n', expected: 'compact' },
  ];
  it.each(cases)('$name', ({ text, expected }) => expect(deriveSeqIndent(text)).toBe(expected));
});

/**
 * Formatting cases; the expected texts are what kpt (kyaml on go-yaml v3) writes. The kpt test below
 * re-checks every one of them against the installed kpt.
 */
const FORMAT_CASES: { name: string; input: string; expected: string }[] = [
  {
    name: 'foot comment then blank line',
    input: 'kind: A\na: 1\n# foot a\n\nb: 2\n',
    expected: 'kind: A\na: 1\n# foot a\n\nb: 2\n',
  },
  {
    name: 'deeper foot before a dedent',
    input: 'kind: B\nb:\n  c: 1\n  # foot c deeper\nd: 2\n',
    expected: 'kind: B\nb:\n  c: 1\n  # foot c deeper\nd: 2\n',
  },
  {
    name: 'lonely comment becomes a head',
    input: 'kind: D\na: 1\n\n# lonely\n\nb: 2\n',
    expected: 'kind: D\na: 1\n# lonely\nb: 2\n',
  },
  {
    name: 'comments in a compact list',
    input:
      'kind: E\nl:\n# head x at col0\n- x # lx\n  # deeper after x\n- y\n  # after y deeper\n# after y col0\nz: 1\n',
    expected:
      'kind: E\nl:\n# head x at col0\n- x # lx\n# deeper after x\n- y\n# after y deeper\n# after y col0\nz: 1\n',
  },
  {
    name: 'line comments after keys',
    input: 'kind: F\nf: # on f\n  g: 1\nh: # on h\n- 1\ni: | # on i\n  txt\nj: # on j\n  k\n',
    expected: 'kind: F\nf: # on f\n  g: 1\nh: # on h\n- 1\ni: | # on i\n  txt\nj: k # on j\n',
  },
  {
    name: 'foot comments at three levels',
    input: 'kind: J\na:\n  b:\n    c: 1\n    # foot c\n  # foot b\n# foot a\n',
    expected: 'kind: J\na:\n  b:\n    c: 1\n    # foot c\n  # foot b\n# foot a\n',
  },
  {
    name: 'document head comments',
    input: '#!shebang-ish\n#\n# lic\n\n# after lic\napiVersion: v1\nkind: A\n',
    expected: '#!shebang-ish\n#\n# lic\n\n# after lic\napiVersion: v1\nkind: A\n',
  },
  {
    name: 'foot comments at odd columns',
    input: 'kind: A\na:\n    b:\n        c: 1\n  # col2 foot\n      # col6 foot\nd: 1\n',
    expected: 'kind: A\na:\n  b:\n    c: 1\n    # col2 foot\n# col6 foot\n\nd: 1\n',
  },
  {
    name: 'comments around list items of maps',
    input:
      'kind: A\nl:\n  - a: 1 # la\n    # after a\n    b: 2\n    # foot b\n\n  - c: 3\n  # foot item c\n\n  # head of z?\nz: 1\n',
    expected:
      'kind: A\nl:\n  - a: 1 # la\n    # after a\n    b: 2\n    # foot b\n  - c: 3\n# foot item c\n# head of z?\n\nz: 1\n',
  },
  {
    name: 'scalars re-written in go-yaml style',
    input:
      'kind: A\npl: a\n  b c\nsq: \'a\n  b\'\ndq: "a\\\n  b  c"\ne1:\ne2: ~\ne3: null\nfl: [ a,   b ]\nfm: {a: 1,  b: [x]}\ntab: a\tb\n',
    expected:
      'kind: A\npl: a b c\nsq: \'a b\'\ndq: "ab  c"\ne1:\ne2: ~\ne3: null\nfl: [a, b]\nfm: {a: 1, b: [x]}\ntab: "a\\tb"\n',
  },
  {
    name: 'literal with trailing spaces becomes double-quoted',
    input: 'kind: A\ns: |\n  a \n  b\n',
    expected: 'kind: A\ns: "a \\nb\\n"\n',
  },
  {
    name: 'blank lines go, indentation becomes 2',
    input: 'kind: A\n\nm:\n    x: 1\n\n\n    y: 2\n',
    expected: 'kind: A\nm:\n  x: 1\n  y: 2\n',
  },
  {
    name: "empty metadata stays (only kpt's writer drops it)",
    input: 'kind: A\nmetadata: {}\n',
    expected: 'kind: A\nmetadata: {}\n',
  },
];

describe('kpt formatting of changed documents', () => {
  it.each(FORMAT_CASES)('$name', ({ input, expected }) => {
    expect(kptFormat(input)).toBe(expected);
  });
});

describe.skipIf(!KPT_VERSION || !GIT_AVAILABLE)(`formatting matches kpt ${KPT_VERSION ?? 'absent'}`, () => {
  it('kpt writes every case the same way', async () => {
    // Documents kpt rewrites without adding merge keys (no metadata), fetched with `kpt pkg get`.
    const cases = FORMAT_CASES.filter((c) => !c.input.includes('metadata'));
    await withTempDir(async (root) => {
      const pkg = new Map<string, string>([
        ['Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: p\n'],
      ]);
      cases.forEach((c, i) => pkg.set(`case-${i}.yaml`, c.input));
      const { repo } = await bareRepo(root, new Map([['p', pkg]]));
      kpt(['pkg', 'get', `file://${repo}/p@main`, join(root, 'out')]);
      const out = readTree(join(root, 'out'));
      cases.forEach((c, i) =>
        expect({ name: c.name, text: out.get(`case-${i}.yaml`) }).toEqual({ name: c.name, text: c.expected }),
      );
    });
  });
});
