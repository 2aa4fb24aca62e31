import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const setLabels = (labels: string): string =>
  `apiVersion: fn.kpt.dev/v1alpha1\nkind: SetLabels\nmetadata:\n  name: x\nlabels:\n${labels}`;

describe('set-labels', () => {
  it.each([
    {
      name: 'creates metadata.labels at the end of metadata',
      resources: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n',
      output: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: x\ndata:\n  a: b\n',
      message: 'set 1 labels in total',
    },
    {
      name: 'updates a label in place and keeps its comment',
      resources:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: old # c\n    z: y\n',
      output: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    app: x # c\n    z: y\n',
      message: 'set 1 labels in total',
    },
    {
      name: 'sets Service selectors and Deployment selectors and templates',
      resources:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    metadata:\n      name: t\n',
      output:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  labels:\n    app: x\nspec:\n  template:\n    metadata:\n      name: t\n      labels:\n        app: x\n  selector:\n    matchLabels:\n      app: x\n',
      message: 'set 3 labels in total',
    },
  ])('$name', async ({ resources, output, message }) => {
    const run = await runFunction('set-labels', resources, setLabels('  app: x\n'));
    expect(run.output).toBe(output);
    expect(run.results).toEqual([{ message, severity: 'info' }]);
  });

  it.each([
    {
      name: 'labels as a list',
      config: setLabels('  - a: b\n'),
      message:
        'unable to convert object to *setlabels.SetLabels with error: json: cannot unmarshal array into Go struct field SetLabels.labels of type map[string]string',
    },
    {
      name: 'unknown kind',
      config: 'apiVersion: fn.kpt.dev/v1alpha1\nkind: Other\nmetadata:\n  name: x\n',
      message: 'unknown FunctionConfig `Other.fn.kpt.dev`, expect `SetLabels.fn.kpt.dev` or `ConfigMap.v1`',
    },
  ])('fails on bad config: $name', async ({ config, message }) => {
    const run = await runFunction(
      'set-labels',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      config,
    );
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([{ message, severity: 'error' }]);
  });
});
