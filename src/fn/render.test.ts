import { describe, expect, it } from 'vitest';
import { renderPackage } from './render.js';
import { annotate, createTestRuntime, fail, names, type TestFunction } from './test-runtime.js';

const kptfile = (name: string, pipeline = ''): string =>
  `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n${pipeline}`;
const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('renderPackage', () => {
  it('runs mutators in order and writes the Rendered condition', async () => {
    const seen: string[][] = [];
    const record: TestFunction = (input) => {
      seen.push(names(input.items));
      return { output: input, stderr: '', exitCode: 0 };
    };
    const runtime = createTestRuntime({ 'example.com/annotate': annotate, 'example.com/record': record });
    const files = {
      Kptfile: kptfile(
        'root',
        'pipeline:\n  mutators:\n    - image: example.com/annotate\n      configMap:\n        a: "1"\n    - image: example.com/record\n',
      ),
      'cm.yaml': cm('x'),
      'sub/Kptfile': kptfile('sub', 'pipeline:\n  mutators:\n    - image: example.com/record\n'),
      'sub/cm.yaml': cm('y'),
    };
    const result = await renderPackage(files, { runtime });
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(seen).toEqual([
      ['sub', 'y'],
      ['sub', 'y', 'root', 'x'],
    ]);
    expect(result.files.get('cm.yaml')).toBe(
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a: '1'\n",
    );
    expect(result.files.get('Kptfile')).toContain(
      'status:\n  conditions:\n    - type: Rendered\n      status: "True"\n      reason: RenderSuccess\n',
    );
    expect(result.results.items.map((i) => i.image)).toEqual([
      'example.com/record',
      'example.com/annotate',
      'example.com/record',
    ]);
  });

  it('leaves the package unchanged when a function fails', async () => {
    const runtime = createTestRuntime({ 'example.com/annotate': annotate, 'example.com/fail': fail });
    const files = {
      Kptfile: kptfile(
        'root',
        'pipeline:\n  mutators:\n    - image: example.com/annotate\n      configMap:\n        a: "1"\n  validators:\n    - image: example.com/fail\n',
      ),
      'cm.yaml': cm('x'),
    };
    const result = await renderPackage(files, { runtime });
    expect(result.ok).toBe(false);
    expect(result.files).toEqual(new Map(Object.entries(files)));
    expect(result.results.exitCode).toBe(1);
    expect(result.results.items[1]).toMatchObject({ exitCode: 1, stderr: 'failing on purpose\n' });
    expect(result.condition).toMatchObject({ status: 'False', reason: 'RenderFailed' });
  });

  it('names the image no runtime can run', async () => {
    const result = await renderPackage(
      { Kptfile: kptfile('root', 'pipeline:\n  mutators:\n    - image: set-labels:v1\n') },
      { runtime: createTestRuntime({}) },
    );
    expect(result.ok).toBe(false);
    expect(result.error?.message).toContain('ghcr.io/kptdev/krm-functions-catalog/set-labels:v1');
  });
});
