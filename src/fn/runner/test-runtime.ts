/**
 * A function runtime for the runner's tests: a few functions under `test/…` images that behave in
 * the ways a runner must handle (succeed, fail, throw, hang, block until released). Not exported.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FunctionRunError, type FunctionRunner, type FunctionRuntime } from '../function-runtime.js';

export interface TestRuntime extends FunctionRuntime {
  /** Calls of `test/block` running now, and the most seen at once. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Lets every blocked `test/block` call finish. */
  releaseBlocked(): void;
  /** Signals of calls that were aborted (cancel, timeout). */
  readonly aborted: string[];
}

export function createTestRuntime(): TestRuntime {
  let inFlight = 0;
  let maxInFlight = 0;
  let waiters: (() => void)[] = [];
  const aborted: string[] = [];

  const functions: Record<string, FunctionRunner> = {
    // Sets `metadata.namespace` from `functionConfig.data.namespace` and reports one result.
    'test/set-namespace': (input) => {
      const configured = input.functionConfig?.getIn(['data', 'namespace']);
      const ns = typeof configured === 'string' ? configured : 'default';
      for (const item of input.items) item.document.doc.setIn(['metadata', 'namespace'], ns);
      input.results.push({ message: `namespace set to ${ns}`, severity: 'info' });
      return Promise.resolve({ output: input, stderr: `set ${input.items.length} items\n`, exitCode: 0 });
    },
    // Output much larger than input: a 4 KiB annotation on every item.
    'test/grow': (input) => {
      for (const item of input.items)
        item.document.doc.setIn(['metadata', 'annotations', 'padding'], 'x'.repeat(4096));
      return Promise.resolve({ output: input, stderr: '', exitCode: 0 });
    },
    'test/fail': (input) => {
      input.results.push({
        message: 'replicas must be positive',
        severity: 'error',
        resourceRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        field: { path: 'spec.replicas' },
      });
      return Promise.resolve({ output: input, stderr: 'validation failed\n', exitCode: 1 });
    },
    'test/throw': () =>
      Promise.reject(
        new FunctionRunError('wrote 9 MiB, more than the 8 MiB output limit', {
          target: { image: 'test/throw' },
          stderr: 'partial stderr',
        }),
      ),
    'test/hang': async (input, options) => {
      try {
        await sleep(60_000, undefined, { signal: options?.signal });
      } catch (err) {
        aborted.push('test/hang');
        throw err;
      }
      return { output: input, stderr: '', exitCode: 0 };
    },
    'test/block': async (input) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise<void>((resolve) => waiters.push(resolve));
      inFlight--;
      return { output: input, stderr: '', exitCode: 0 };
    },
  };

  return {
    name: 'test',
    resolve(target) {
      if (target.image === 'test/busy-resolve') {
        // Long synchronous work before the function starts (like parsing a large list).
        const until = performance.now() + 200;
        while (performance.now() < until);
        return Promise.resolve(functions['test/set-namespace']);
      }
      return Promise.resolve(target.image ? functions[target.image] : undefined);
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    releaseBlocked() {
      const all = waiters;
      waiters = [];
      for (const w of all) w();
    },
    aborted,
  };
}
