import { describe, expect, it } from 'vitest';
import { runFunction } from './test-examples.js';

const config = (replacements: string): string =>
  `apiVersion: fn.kpt.dev/v1alpha1\nkind: ApplyReplacements\nmetadata:\n  name: r\nreplacements:\n${replacements}`;
const resources =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  image: "nginx:1.2"\n  port: "8080"\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: dep\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: old\n';

describe('apply-replacements', () => {
  it.each([
    {
      name: 'copies a value into a list item selected by key',
      replacements:
        '- source: {kind: ConfigMap, name: src, fieldPath: data.image}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths:\n    - spec.template.spec.containers.[name=app].image\n',
      expected: '        image: "nginx:1.2"\n',
    },
    {
      name: 'replaces one part of a delimited value',
      replacements:
        '- source: {kind: ConfigMap, name: src, fieldPath: data.image, options: {delimiter: ":", index: 1}}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n    options: {delimiter: ":", index: 1}\n',
      expected: '        image: old:1.2\n',
    },
    {
      name: 'creates a missing field',
      replacements:
        '- source: {kind: ConfigMap, name: src, fieldPath: data.port}\n  targets:\n  - select: {name: de.*}\n    fieldPaths: [spec.port]\n    options: {create: true}\n',
      expected: '  port: "8080"\n',
    },
  ])('$name', async ({ replacements, expected }) => {
    const run = await runFunction('apply-replacements', resources, config(replacements));
    expect(run.results).toEqual([]);
    expect(run.output).toContain(expected);
  });

  it.each([
    { name: 'no config', cfg: undefined, message: 'FunctionConfig is missing. Expect `ApplyReplacements`' },
    {
      name: 'source not found',
      cfg: config('- source: {kind: Secret, name: x}\n  targets:\n  - select: {kind: Deployment}\n'),
      message: 'nothing selected by Secret|~X|x',
    },
    {
      name: 'missing target field',
      cfg: config(
        '- source: {kind: ConfigMap, name: src}\n  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.nope]\n',
      ),
      message: 'unable to find field "spec.nope" in replacement target',
    },
  ])('fails: $name', async ({ cfg, message }) => {
    const run = await runFunction('apply-replacements', resources, cfg);
    expect(run.exitCode).toBe(1);
    expect(run.results).toEqual([{ message, severity: 'error' }]);
  });
});
