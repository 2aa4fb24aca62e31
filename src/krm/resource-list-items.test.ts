import { describe, expect, it } from 'vitest';
import { splitItemTexts } from './resource-list-items.js';

const HEAD = 'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n';

describe('splitItemTexts', () => {
  it('splits the entries of a kpt-layout list exactly, with the rest as head and tail', () => {
    const a = '- apiVersion: v1\n  kind: A\n  data:\n    x: |\n      - not an entry\n';
    const b = '- kind: B # note\n  list:\n  - 1\n';
    const tail = 'functionConfig:\n  kind: C\n';
    const split = splitItemTexts(HEAD + a + b + tail);
    expect(split).toEqual({
      head: HEAD,
      items: [
        { text: a, standalone: true },
        { text: b, standalone: true },
      ],
      tail,
    });
  });

  it('finds `items` at the start of the text and runs to the end without a tail', () => {
    expect(splitItemTexts('items:\n- a: 1\n- b: 2\n')?.items.map((i) => i.text)).toEqual([
      '- a: 1\n',
      '- b: 2\n',
    ]);
  });

  it.each([
    [
      'a comment line ending an entry (and the entry after it)',
      '- a: 1\n  # c\n- b: 2\n- c: 3\n',
      [false, false, true],
    ],
    ['a blank line ending an entry', '- a: 1\n\n- b: 2\n', [false, false]],
    ['a comment at column 0 inside an entry', '- a: 1\n# c\n  b: 2\n- c: 3\n', [false, false]],
    ['an anchor or an alias', '- a: &x 1\n- b: *x\n- c: 3\n', [false, false, true]],
    ['no final line break', '- a: 1\n- b: 2', [true, false]],
  ])('marks entries that do not parse alone: %s', (_name, entries, standalone) => {
    expect(splitItemTexts(HEAD + entries)?.items.map((i) => i.standalone)).toEqual(standalone);
  });

  it('ends the entries at a document marker', () => {
    const split = splitItemTexts(`${HEAD}- a: 1\n---\nitems:\n`);
    expect(split?.items.map((i) => i.text)).toEqual(['- a: 1\n']);
    expect(split?.tail).toBe('---\nitems:\n');
  });

  it.each([
    ['a flow sequence', `${HEAD.replace('items:\n', 'items: []\n')}`],
    ['an indented sequence', `${HEAD}  - a: 1\n`],
    ['no items', 'apiVersion: v1\nkind: ResourceList\n'],
    ['a directive', `%YAML 1.2\n---\n${HEAD}- a: 1\n`],
    ['items as a nested key only', 'spec:\n  items:\n  - a: 1\n'],
  ])('gives up on %s', (_name, text) => {
    expect(splitItemTexts(text)).toBeUndefined();
  });
});
