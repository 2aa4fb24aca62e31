import { describe, expect, it } from 'vitest';
import { BUILTIN_FUNCTIONS, catalogFunctionName, createBuiltinRuntime } from './index.js';

describe('builtin runtime', () => {
  it.each([
    { image: 'gcr.io/kpt-fn/set-namespace:v0.4.1', name: 'set-namespace' },
    { image: 'ghcr.io/kptdev/krm-functions-catalog/set-labels:latest', name: 'set-labels' },
    { image: 'gcr.io/kpt-fn/apply-setters@sha256:0123', name: 'apply-setters' },
    { image: 'gcr.io/kpt-fn/apply-setters:v0.2@sha256:0123', name: 'apply-setters' },
    { image: 'upsert-resource:unstable', name: 'upsert-resource' },
    { image: 'docker.io/library/set-labels:v1', name: undefined },
    { image: 'gcr.io/kpt-fn/nested/set-labels', name: undefined },
  ])('$image → $name', ({ image, name }) => {
    expect(catalogFunctionName(image)).toBe(name);
  });

  it('resolves every catalog function and falls through for others', async () => {
    const runtime = createBuiltinRuntime();
    for (const name of BUILTIN_FUNCTIONS) {
      expect(await runtime.resolve({ image: `gcr.io/kpt-fn/${name}:unstable` })).toBeTypeOf('function');
    }
    expect(await runtime.resolve({ image: 'gcr.io/kpt-fn/kubeval:v0.3' })).toBeUndefined();
    expect(await runtime.resolve({ exec: './fn' })).toBeUndefined();
  });

  it('turns an unexpected throw into an error result instead of crashing', async () => {
    const runner = await createBuiltinRuntime().resolve({ image: 'gcr.io/kpt-fn/set-labels:v0.2' });
    const outcome = await runner!({ items: [null as never], functionConfig: undefined, results: [] });
    expect(outcome.exitCode).toBe(1);
    expect(outcome.output.results.at(-1)?.severity).toBe('error');
  });
});
