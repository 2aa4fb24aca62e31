import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${data}`;

describe('create-setters', () => {
  it.each([
    {
      name: 'comments a scalar, longer values first',
      resources: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nimage: nginx-abc:1.2\n',
      data: '  image: nginx\n  full: nginx-abc\n',
      output: 'apiVersion: v1\nkind: X\nmetadata:\n  name: x\nimage: nginx-abc:1.2 # kpt-set: ${full}:1.2\n',
    },
    {
      name: 'comments a list whose values match',
      resources: 'apiVersion: v1\nkind: X\nmetadata:\n  name: y\nenv:\n  - b\n  - a\n',
      data: '  env: "[a, b]"\n',
      output: 'apiVersion: v1\nkind: X\nmetadata:\n  name: y\nenv: # kpt-set: ${env}\n  - b\n  - a\n',
    },
  ])('$name', async ({ resources, data, output }) => {
    const run = await runFunction('create-setters', resources, cm(data));
    expect(run.output).toBe(output);
    expect(run.exitCode).toBe(0);
  });

  it.each([
    { name: 'empty data', data: '  {}\n', message: 'failed to create setters: config map cannot be empty' },
    {
      name: 'no match',
      data: '  a: zzz\n',
      message: 'failed to create setters: no matches for the input list of setters',
    },
  ])('fails: $name', async ({ data, message }) => {
    const config =
      data.trim() === '{}' ? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\n' : cm(data);
    const run = await runFunction(
      'create-setters',
      'apiVersion: v1\nkind: X\nmetadata:\n  name: x\n',
      config,
    );
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([{ message, severity: 'error' }]);
  });
});
