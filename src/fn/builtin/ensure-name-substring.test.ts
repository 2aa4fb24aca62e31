import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n${data}`;
const resources = [
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n  namespace: ns\n',
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod\n  namespace: ns\nspec:\n  volumes:\n  - name: v\n    configMap:\n      name: cfg\n',
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns\n',
].join('---\n');

describe('ensure-name-substring', () => {
  it.each([
    { name: 'prepend', data: '  prepend: dev-\n', names: ['dev-cfg', 'dev-pod', 'ns'], ref: 'dev-cfg' },
    { name: 'append', data: '  append: -dev\n', names: ['cfg-dev', 'pod-dev', 'ns'], ref: 'cfg-dev' },
    { name: 'already there', data: '  prepend: cf\n', names: ['cfg', 'cfpod', 'ns'], ref: 'cfg' },
  ])('$name', async ({ data, names, ref }) => {
    const run = await runFunction('ensure-name-substring', resources, cm(data));
    expect(run.exitCode).toBe(0);
    expect(run.output.match(/^ {2}name: .*$/gm)?.map((l) => l.slice(8))).toEqual(names);
    expect(run.output).toContain(`configMap:\n      name: ${ref}\n`);
    // The catalog's output carries no file annotations: kpt writes each item to its default file.
    expect(run.items.map((i) => i.path)).toEqual([
      `ns/configmap_${names[0]}.yaml`,
      `ns/pod_${names[1]}.yaml`,
      'namespace_ns.yaml',
    ]);
  });

  it.each([
    {
      name: 'two entries',
      data: '  prepend: a\n  append: b\n',
      message: 'failed to load the `functionConfig`: only 1 entry is allowed in the ConfigMap, but got: 2',
    },
    {
      name: 'bad mode',
      data: '  middle: a\n',
      message:
        'failed to load the `functionConfig`: unknown editMode: middle, only prepend and append are allowed',
    },
    {
      name: 'empty substring',
      data: '  prepend: ""\n',
      message: 'failed to load the `functionConfig`: substring must not be empty',
    },
  ])('fails on bad config: $name', async ({ data, message }) => {
    const run = await runFunction('ensure-name-substring', resources, cm(data));
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([{ message, severity: 'error' }]);
  });
});
