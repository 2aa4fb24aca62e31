import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const cm = (data: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n${data}`;

describe('set-namespace', () => {
  it.each([
    {
      name: 'sets the namespace of namespaced resources and keeps the comment',
      resources: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: old # here\n',
      config: cm('  namespace: new\n'),
      output: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: new # here\n',
    },
    {
      name: 'adds a namespace where a namespaced kind has none',
      resources: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      config: cm('  namespace: new\n'),
      output: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: new\n',
    },
    {
      name: 'leaves cluster-scoped and local-config resources alone',
      resources:
        'apiVersion: v1\nkind: ClusterRole\nmetadata:\n  name: r\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: old\n  annotations:\n    config.kubernetes.io/local-config: "true"\n',
      config: cm('  namespace: new\n'),
      output:
        'apiVersion: v1\nkind: ClusterRole\nmetadata:\n  name: r\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: old\n  annotations:\n    config.kubernetes.io/local-config: "true"\n',
    },
    {
      name: 'quotes a namespace that would read as a number',
      resources: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: old\n',
      config: 'apiVersion: fn.kpt.dev/v1alpha1\nkind: SetNamespace\nmetadata:\n  name: x\nnamespace: "123"\n',
      output: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: "123"\n',
    },
    {
      name: 'with namespaceMatcher changes only the matching namespace',
      resources:
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: one\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: two\n',
      config: cm('  namespace: new\n  namespaceMatcher: one\n'),
      output:
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: new\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: two\n',
    },
  ])('$name', async ({ resources, config, output }) => {
    const run = await runFunction('set-namespace', resources, config);
    expect(run.output).toBe(output);
    expect(run.exitCode).toBe(0);
  });

  it.each([
    {
      name: 'no config',
      config: undefined,
      message: 'FunctionConfig is missing. Expect `ConfigMap.v1` or `SetNamespace.v1alpha1.fn.kpt.dev`',
    },
    { name: 'empty namespace', config: cm('  other: x\n'), message: '`data.namespace` should not be empty' },
    {
      name: 'unknown kind',
      config: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n',
      message:
        'unknown functionConfig Kind=Secret ApiVersion=v1, expect `ConfigMap.v1` or `SetNamespace.v1alpha1.fn.kpt.dev`',
    },
  ])('reports bad config: $name', async ({ config, message }) => {
    const run = await runFunction(
      'set-namespace',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n',
      config,
    );
    expect(run.results[0]).toMatchObject({ message, severity: 'error' });
    expect(run.output).toBe('apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n');
  });

  it('refuses several upstream namespaces without a matcher', async () => {
    const up = (ns: string, n: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\n  namespace: ${ns}\n  annotations:\n    internal.kpt.dev/upstream-identifier: "|Service|${ns}|${n}"\n`;
    const run = await runFunction(
      'set-namespace',
      `${up('a', 'x')}---\n${up('b', 'y')}`,
      cm('  namespace: new\n'),
    );
    expect(run.results).toHaveLength(1);
    expect(run.results[0]?.message).toMatch(
      /^unable to use origin `namespace` to match. expect a single upstream namespace, found \[a b\]/,
    );
  });
});
