/**
 * Test support: a tiny in-process runtime whose functions are plain TypeScript closures registered
 * under image names. Not part of the build (test-*.ts).
 */
import { objectMeta, setAnnotation, type KrmResource } from '../krm/index.js';
import type { FunctionOutcome, FunctionRuntime, ResourceListData } from './function-runtime.js';

export type TestFunction = (input: ResourceListData) => FunctionOutcome | Promise<FunctionOutcome>;

export function createTestRuntime(functions: Record<string, TestFunction>): FunctionRuntime {
  return {
    name: 'test',
    resolve: (target) => {
      const fn = target.image !== undefined ? functions[target.image] : undefined;
      return Promise.resolve(fn ? async (input: ResourceListData) => fn(input) : undefined);
    },
  };
}

/** functionConfig `data` as a plain record. */
export function configData(input: ResourceListData): Record<string, string> {
  const json = input.functionConfig?.toJS() as { data?: Record<string, string> } | undefined;
  return json?.data ?? {};
}

/** Adds an annotation `key=value` from the config to every item. */
export const annotate: TestFunction = (input) => {
  for (const [k, v] of Object.entries(configData(input))) {
    for (const item of input.items) setAnnotation(item.document.doc, k, v);
  }
  return { output: input, stderr: '', exitCode: 0 };
};

export const fail: TestFunction = (input) => ({
  output: { ...input, results: [{ message: 'nope', severity: 'error' }] },
  stderr: 'failing on purpose\n',
  exitCode: 1,
});

export function names(items: readonly KrmResource[]): string[] {
  return items.map((r) => objectMeta(r.document.doc).name);
}
