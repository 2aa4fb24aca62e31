import { Parser } from 'yaml';
import { describe, expect, it } from 'vitest';
import { FIXTURES, readTree } from './test-kpt.js';
import { LadingParser } from './yaml-parser.js';

const EDGE_CASES: [string, string][] = [
  ['flow collections over lines', 'a: [1,\n  2, {b: c}]\n'],
  ['directives and markers', '%YAML 1.2\n---\na: 1\n...\n'],
  ['block scalars', 'a: |-\n  x\n\n  y\nb: >2\n   z\n'],
  ['anchors, aliases and tags', 'a: &x !!str 1\nb: *x\n? c\n: d\n'],
  ['an unterminated flow sequence', 'a: [1, 2\n'],
  ['a bad indentation', 'a:\n  b: 1\n c: 2\n'],
  ['a stray character', 'a: "x" y\n'],
  ['windows line breaks', 'a: 1\r\nb:\r\n- c\r\n'],
  ['empty', ''],
];

describe('LadingParser yields the tokens of the yaml package Parser', () => {
  it('has a next step of its own', () => {
    expect(Object.hasOwn(LadingParser.prototype, 'next')).toBe(true);
  });

  it.each(EDGE_CASES)('%s', (_name, text) => {
    expect([...new LadingParser().parse(text)]).toEqual([...new Parser().parse(text)]);
  });

  it('on every fixture file', () => {
    const texts = [...readTree(FIXTURES)].filter(([path]) => /(^|\/)(Kptfile|[^/]*\.ya?ml)$/.test(path));
    expect(texts.length).toBeGreaterThan(1000);
    const differ = texts
      .filter(([, text]) => {
        const a = JSON.stringify([...new LadingParser().parse(text)]);
        return a !== JSON.stringify([...new Parser().parse(text)]);
      })
      .map(([path]) => path);
    expect(differ).toEqual([]);
  });
});
