import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const svc = (app: string, extra = ''): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns${extra}\nspec:\n  selector:\n    app: ${app}\n`;

describe('upsert-resource', () => {
  it.each([
    {
      name: 'replaces the matching resource in place',
      config: svc('new'),
      paths: ['resources.yaml'],
      output: svc('new'),
    },
    {
      name: 'adds a resource at its target path',
      config: svc('new', '\n  annotations:\n    config.kubernetes.io/target-path: sub/s.yaml'),
      paths: ['resources.yaml', 'sub/s.yaml'],
      output: `${svc('old')}---\n${svc('new')}`,
    },
    {
      name: 'adds a List item without a match to its default file',
      config: `apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: c\n`,
      paths: ['resources.yaml', 'configmap_c.yaml'],
      output: `${svc('old')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n`,
    },
  ])('$name', async ({ config, paths, output }) => {
    const run = await runFunction('upsert-resource', svc('old'), config);
    expect(run.exitCode).toBe(0);
    expect(run.items.map((i) => i.path)).toEqual(paths);
    expect(run.output).toBe(output);
  });

  it('fails without a config', async () => {
    const run = await runFunction('upsert-resource', svc('old'));
    expect(run.exitCode).toBe(1);
    expect(run.results[0]?.severity).toBe('error');
  });
});
