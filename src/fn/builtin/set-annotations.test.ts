import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

describe('set-annotations', () => {
  it.each([
    {
      name: 'adds annotations to metadata and to workload templates',
      resources:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n',
      output:
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    a: "yes"\nspec:\n  template:\n    spec: {}\n    metadata:\n      annotations:\n        a: "yes"\n',
      fields: ['metadata.annotations', 'spec.template.metadata.annotations'],
    },
  ])('$name', async ({ resources, output, fields }) => {
    const run = await runFunction(
      'set-annotations',
      resources,
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "yes"\n',
    );
    expect(run.output).toBe(output);
    expect(run.results.map((r) => r.field?.path)).toEqual(fields);
  });

  it.each([
    {
      name: 'no config',
      config: undefined,
      message: 'failed to configure function: `functionConfig` must be a `ConfigMap` or `SetAnnotations`',
    },
    {
      name: 'no annotations',
      config:
        'apiVersion: fn.kpt.dev/v1alpha1\nkind: SetAnnotations\nmetadata:\n  name: x\nannotations: {}\n',
      message: 'failed to configure function: input annotation list cannot be empty',
    },
  ])('fails on bad config: $name', async ({ config, message }) => {
    const run = await runFunction(
      'set-annotations',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n',
      config,
    );
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([{ message, severity: 'error' }]);
    expect(run.stderr).toBe(`[error]: ${message}`);
  });
});
