import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${data}`;
const pod = (image: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: ${image}\n`;

describe('set-image', () => {
  it.each([
    {
      name: 'new tag',
      from: 'nginx:1.0',
      data: '  name: nginx\n  newTag: "2.0"\n',
      to: 'nginx:2.0',
      count: 1,
    },
    {
      name: 'new name keeps the tag',
      from: 'nginx:1.0',
      data: '  name: nginx\n  newName: my/nginx\n',
      to: 'my/nginx:1.0',
      count: 1,
    },
    {
      name: 'digest',
      from: 'nginx:1.0',
      data: '  name: nginx\n  digest: sha256:ab\n',
      to: 'nginx@sha256:ab',
      count: 1,
    },
    {
      name: 'other image untouched',
      from: 'redis:1.0',
      data: '  name: nginx\n  newTag: "2.0"\n',
      to: 'redis:1.0',
      count: 0,
    },
    {
      name: 'registry port is not a tag',
      from: 'reg:5000/nginx',
      data: '  name: reg:5000/nginx\n  newTag: v2\n',
      to: 'reg:5000/nginx:v2',
      count: 1,
    },
  ])('$name', async ({ from, data, to, count }) => {
    const run = await runFunction('set-image', pod(from), cm(data));
    expect(run.output).toBe(pod(to));
    expect(run.results).toEqual([
      { message: `summary: updated a total of ${count} image(s)`, severity: 'info' },
    ]);
  });

  it.each([
    { name: 'no name', data: '  newTag: x\n', message: 'must specify `name`' },
    {
      name: 'nothing to set',
      data: '  name: x\n',
      message: 'must specify one of `newName`, `newTag`, or `digest`',
    },
    { name: 'unknown key', data: '  name: x\n  tag: y\n', message: 'ConfigMap has wrong field name tag' },
  ])('fails on bad config: $name', async ({ data, message }) => {
    const run = await runFunction('set-image', pod('nginx'), cm(data));
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([
      { message, severity: 'error' },
      { message: `function is terminated: ${message}`, severity: 'error' },
    ]);
  });
});
