import { describe, expect, it } from 'vitest';
import { needsReconcile } from './repository-controller.js';

const repo = (metadata: Record<string, unknown>, status: Record<string, unknown> = {}): string =>
  JSON.stringify({ kind: 'Repository', metadata: { name: 'r', ...metadata }, spec: {}, status });

describe('needsReconcile', () => {
  it.each([
    ['a new Repository', { type: 'ADDED', prevJson: null, json: repo({ generation: 1 }) }, true],
    ['a deleted Repository', { type: 'DELETED', prevJson: null, json: repo({ generation: 1 }) }, true],
    [
      'a spec change (new generation)',
      { type: 'MODIFIED', prevJson: repo({ generation: 1 }), json: repo({ generation: 2 }) },
      true,
    ],
    [
      'a deletion request',
      {
        type: 'MODIFIED',
        prevJson: repo({ generation: 1 }),
        json: repo({ generation: 1, deletionTimestamp: '2026-01-01T00:00:00Z' }),
      },
      true,
    ],
    [
      'a finalizer added',
      {
        type: 'MODIFIED',
        prevJson: repo({ generation: 1 }),
        json: repo({ generation: 1, finalizers: ['config.porch.kpt.dev/repository'] }),
      },
      true,
    ],
    [
      'a status update alone',
      {
        type: 'MODIFIED',
        prevJson: repo({ generation: 1 }, { packageCount: 1 }),
        json: repo({ generation: 1 }, { packageCount: 2 }),
      },
      false,
    ],
  ] as const)('%s → %s', (_name, change, expected) => {
    expect(needsReconcile(change)).toBe(expected);
  });
});
