import { describe, expect, it } from 'vitest';
import { parseKrmIgnore } from './krmignore.js';

describe('.krmignore', () => {
  const cases: { name: string; rules: string; path: string; dir?: boolean; ignored: boolean }[] = [
    { name: 'name anywhere', rules: '.expected', path: 'a/.expected/diff.patch', ignored: true },
    { name: 'name at the top', rules: '.expected', path: '.expected/config.yaml', ignored: true },
    { name: 'other names', rules: '.expected', path: 'a/expected.yaml', ignored: false },
    { name: 'glob', rules: '*.md', path: 'docs/README.md', ignored: true },
    { name: 'anchored pattern', rules: '/out', path: 'x/out/a.yaml', ignored: false },
    { name: 'anchored pattern at the top', rules: '/out', path: 'out/a.yaml', ignored: true },
    { name: 'pattern with a slash is anchored', rules: 'a/b.yaml', path: 'x/a/b.yaml', ignored: false },
    { name: 'double star', rules: '**/gen/*.yaml', path: 'x/y/gen/a.yaml', ignored: true },
    { name: 'directory-only pattern and a file', rules: 'build/', path: 'build', ignored: false },
    { name: 'directory-only pattern and a directory', rules: 'build/', path: 'build/a.yaml', ignored: true },
    { name: 'negation', rules: '*.yaml\n!keep.yaml', path: 'keep.yaml', ignored: false },
    { name: 'comments and blank lines', rules: '# c\n\n*.txt', path: 'a.txt', ignored: true },
    { name: 'character class', rules: 'file[0-9].yaml', path: 'file3.yaml', ignored: true },
  ];
  it.each(cases)('$name', ({ rules, path, dir = false, ignored }) => {
    expect(parseKrmIgnore(rules).ignores(path, dir)).toBe(ignored);
  });
});
