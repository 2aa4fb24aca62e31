/**
 * Every kpt-fn-examples case rendered (or evaluated) through Lading with the builtin runtime, twice,
 * compared with its `.expected/` folder. Prints how many match; a case whose function has no builtin
 * yet is skipped with the reason printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createBuiltinRuntime } from './builtin/index.js';
import { listGoldenCases, runGoldenCase, type GoldenOutcome } from './test-golden.js';

const runtime = createBuiltinRuntime();
const outcomes: GoldenOutcome[] = [];

describe('kpt-fn-examples golden cases (render/eval with the builtin runtime, run twice)', () => {
  afterAll(() => {
    const count = (s: GoldenOutcome['status']): number => outcomes.filter((o) => o.status === s).length;
    console.log(
      `kpt-fn-examples: ${count('match')} of ${outcomes.length} match, ${count('mismatch')} differ, ${count('skipped')} skipped`,
    );
  });

  it.each(listGoldenCases())('%s', async (name) => {
    const outcome = await runGoldenCase(name, runtime);
    outcomes.push(outcome);
    if (outcome.status === 'skipped') {
      console.warn(`skipped ${name}: ${outcome.reasons.join('; ')}`);
      return;
    }
    expect(outcome.reasons).toEqual([]);
  });
});
