import { describe, expect, it } from 'vitest';
import { pathMatches } from './search-replace.js';
import { runFunction } from './test-examples.js';

const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${data}`;
const doc = 'apiVersion: v1\nkind: X\nmetadata:\n  name: the-x\nspec:\n  list:\n    - a: one\n';

describe('search-replace', () => {
  it.each([
    { path: 'spec.list[0].a', pattern: 'spec.list[*].a', match: true },
    { path: 'spec.list[0].a', pattern: '**.a', match: true },
    { path: 'spec.list[0].a', pattern: 'spec.*', match: false },
    { path: 'metadata.name', pattern: '*.name', match: true },
  ])('path $path matches $pattern: $match', ({ path, pattern, match }) => {
    expect(pathMatches(pattern, path)).toBe(match);
  });

  it.each([
    {
      name: 'replaces by value',
      data: '  by-value: one\n  put-value: two\n',
      output: doc.replace('a: one', 'a: two'),
      message: 'Mutated field value to "two"',
    },
    {
      name: 'creates a field by absolute path',
      data: '  by-path: spec.new\n  put-value: "5"\n',
      output: `${doc}  new: 5\n`,
      message: 'Mutated field value to "5"',
    },
    {
      name: 'matches without changing',
      data: '  by-value-regex: th.*\n',
      output: doc,
      message: 'Matched field value "the-x"',
    },
  ])('$name', async ({ data, output, message }) => {
    const run = await runFunction('search-replace', doc, cm(data));
    expect(run.output).toBe(output);
    expect(run.results[0]?.message).toBe(message);
  });

  it('refuses an unknown matcher', async () => {
    const run = await runFunction('search-replace', doc, cm('  by-name: x\n'));
    expect(run.exitCode).toBe(1);
    expect(run.results[0]?.message).toMatch(
      /^failed to perform search-replace operation: "invalid matcher \\"by-name\\"/,
    );
  });
});
