import { Scalar, type Document, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { describe, expect, it } from 'vitest';
import { replaySnapshot, takeSnapshot } from './document-snapshot.js';
import { emitDocument } from './kyaml-emitter.js';
import { getComments, setComments, setDocumentComments } from './kyaml-comments.js';
import { FIXTURES, readTree } from './test-kpt.js';
import { isDocumentChanged, parseYamlFile, serializeYamlFile } from './yaml-file.js';

/** Not in kpt's format, so a missed change would come back as these bytes. */
const SOURCE = "a:   'x'   # c\nb: [1,2]\nc:\n- d\n---\nother:   1\n";

const pair = (m: YAMLMap, key: string): Pair => m.items.find((p) => (p.key as Scalar).value === key) as Pair;
const scalar = (m: YAMLMap, key: string): Scalar => pair(m, key).value as Scalar;
const seq = (m: YAMLMap, key: string): YAMLSeq => pair(m, key).value as YAMLSeq;

const cases: { name: string; edit: (m: YAMLMap, doc: Document) => void; want: string }[] = [
  {
    name: 'nothing',
    edit: () => {},
    want: "a:   'x'   # c\nb: [1,2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'scalar value edited in place',
    edit: (m) => {
      scalar(m, 'a').value = 'y';
    },
    want: "a: 'y' # c\nb: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'scalar type changed',
    edit: (m) => {
      scalar(m, 'a').type = 'QUOTE_DOUBLE';
    },
    want: 'a: "x" # c\nb: [1, 2]\nc:\n- d\n---\nother:   1\n',
  },
  {
    name: 'tag added',
    edit: (m) => {
      scalar(m, 'a').tag = 'tag:yaml.org,2002:str';
    },
    want: "a: !!str 'x' # c\nb: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'anchor added',
    edit: (m) => {
      seq(m, 'c').anchor = 'x';
    },
    want: "a: 'x' # c\nb: [1, 2]\nc: &x\n- d\n---\nother:   1\n",
  },
  {
    name: 'key renamed in place',
    edit: (m) => {
      (pair(m, 'b').key as Scalar).value = 'z';
    },
    want: "a: 'x' # c\nz: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'line comment edited in place',
    edit: (m) => {
      const c = getComments(scalar(m, 'a'));
      if (c) c.line = '# d';
    },
    want: "a: 'x' # d\nb: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'head comment set',
    edit: (m) => {
      setComments(pair(m, 'b').key as Scalar, { head: ['# h'] });
    },
    want: "a: 'x' # c\n# h\nb: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'list item added',
    edit: (m) => {
      seq(m, 'c').items.push(new Scalar('e'));
    },
    want: "a: 'x' # c\nb: [1, 2]\nc:\n- d\n- e\n---\nother:   1\n",
  },
  {
    name: 'list item replaced in place',
    edit: (m) => {
      seq(m, 'c').items[0] = new Scalar('e');
    },
    want: "a: 'x' # c\nb: [1, 2]\nc:\n- e\n---\nother:   1\n",
  },
  {
    name: 'flow list made block',
    edit: (m) => {
      seq(m, 'b').flow = false;
    },
    want: "a: 'x' # c\nb:\n- 1\n- 2\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'pair removed',
    edit: (m) => {
      m.items.splice(1, 1);
    },
    want: "a: 'x' # c\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'value replaced by a plain value',
    edit: (m) => {
      pair(m, 'a').value = 'x';
    },
    want: 'a: x\nb: [1, 2]\nc:\n- d\n---\nother:   1\n',
  },
  {
    name: 'value replaced by an equal node',
    edit: (m) => {
      const s = new Scalar('x');
      s.type = 'QUOTE_SINGLE';
      setComments(s, { line: '# c' });
      pair(m, 'a').value = s;
    },
    want: "a:   'x'   # c\nb: [1,2]\nc:\n- d\n---\nother:   1\n",
  },
  {
    name: 'document comment set',
    edit: (_m, doc) => {
      setDocumentComments(doc, { head: ['# top'] });
    },
    want: "# top\n\na: 'x' # c\nb: [1, 2]\nc:\n- d\n---\nother:   1\n",
  },
];

describe('writing a parsed file back after edits (unchanged documents are found without rendering twice)', () => {
  it.each(cases)('$name', ({ edit, want }) => {
    const file = parseYamlFile('f.yaml', SOURCE);
    const first = file.documents[0];
    if (!first) throw new Error('no document');
    edit(first.doc.contents as YAMLMap, first.doc);
    expect(serializeYamlFile(file)).toBe(want);
    expect(isDocumentChanged('f.yaml', first)).toBe(want !== SOURCE);
  });
});

describe('replaySnapshot', () => {
  const fixtureYaml = [...readTree(FIXTURES)].filter(([path]) => /(^|\/)(Kptfile|[^/]*\.ya?ml)$/.test(path));

  it('rebuilds every fixture document so that it renders as parsed (both list styles)', () => {
    expect(fixtureYaml.length).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const [path, text] of fixtureYaml) {
      let documents;
      try {
        documents = parseYamlFile(path, text).documents;
      } catch {
        continue; // the deliberately invalid fixtures
      }
      for (const [i, d] of documents.entries()) {
        const replayed = replaySnapshot(takeSnapshot(d.doc));
        for (const style of ['compact', 'wide'] as const) {
          if (emitDocument(replayed, style) !== emitDocument(d.doc, style))
            failures.push(`${path}#${i} ${style}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
