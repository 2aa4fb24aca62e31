import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${data}`;

describe('apply-setters', () => {
  it.each([
    {
      name: 'sets a number without quoting it',
      resources: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nspec:\n  replicas: 1 # kpt-set: ${r}\n',
      data: '  r: "4"\n',
      output: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nspec:\n  replicas: 4 # kpt-set: ${r}\n',
    },
    {
      name: 'keeps setters it is not given from the current value',
      resources: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nimage: "a:1" # kpt-set: ${img}:${tag}\n',
      data: '  tag: "2"\n',
      output: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nimage: "a:2" # kpt-set: ${img}:${tag}\n',
    },
    {
      name: 'replaces a list',
      resources: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nenv: # kpt-set: ${env}\n  - a\n',
      data: '  env: "[b, c]"\n',
      output: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nenv: # kpt-set: ${env}\n  - b\n  - c\n',
    },
  ])('$name', async ({ resources, data, output }) => {
    const run = await runFunction('apply-setters', resources, cm(data));
    expect(run.output).toBe(output);
    expect(run.exitCode).toBe(0);
  });

  it('reports an unresolved setter as an error', async () => {
    const run = await runFunction(
      'apply-setters',
      'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nimage: a # kpt-set: ${img}:${tag}\n',
      cm('  tag: "2"\n'),
    );
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([
      { message: 'failed to apply setters: values for setters [${img}] must be provided', severity: 'error' },
    ]);
  });

  it('reports no matches without failing', async () => {
    const run = await runFunction(
      'apply-setters',
      'apiVersion: v1\nkind: X\nmetadata:\n  name: x\n',
      cm('  a: b\n'),
    );
    expect(run.results).toEqual([{ message: 'no matches for input setter(s)' }]);
  });
});
