/**
 * Every kpt-fn-examples golden case of an implemented builtin, run through that builtin alone: the
 * package must become what `.expected/diff.patch` says and the results must equal
 * `.expected/results.yaml` (when there is one). (Idempotency is checked by the render golden harness.)
 */
import { describe, expect, it } from 'vitest';
import { BUILTIN_FUNCTIONS } from './index.js';
import { listCases, runCase } from './test-examples.js';

const cases = listCases().filter((c) => BUILTIN_FUNCTIONS.includes(c.split('/')[0] ?? ''));

describe('kpt-fn-examples through the builtins', () => {
  it.each(cases)('%s', async (name) => {
    const run = await runCase(name);
    // kpt rewrites every file of the package; this check writes only changed documents, so a file
    // that lacks its final newline is compared without it.
    const normalize = (files: Map<string, string>): Record<string, string> =>
      Object.fromEntries([...files].map(([k, v]) => [k, v.endsWith('\n') ? v : `${v}\n`]));
    expect(normalize(run.actual)).toEqual(normalize(run.expected));
    if (run.expectedResults !== undefined) {
      expect(JSON.parse(JSON.stringify(run.results))).toEqual(run.expectedResults);
    }
    if (run.expectedStderr !== undefined) expect(run.stderr).toBe(run.expectedStderr);
    if (run.expectedExitCode !== undefined) expect(run.exitCode).toBe(run.expectedExitCode);
  });
});
