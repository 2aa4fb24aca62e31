import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { applyJsonPatch, JsonPatchError } from './json-patch.js';

const pod = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', labels: { app: 'web', 'a/b': 'slash', 'c~d': 'tilde' } },
  spec: { containers: [{ name: 'a', image: 'nginx' }], tolerations: [] as unknown[] },
});

describe('applyJsonPatch: operations', () => {
  const cases: { name: string; patch: unknown[]; check: (result: ReturnType<typeof pod>) => void }[] = [
    {
      name: 'add a map key',
      patch: [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }],
      check: (r) => expect(r.metadata.labels).toMatchObject({ tier: 'fe' }),
    },
    {
      name: 'add appends with "-"',
      patch: [{ op: 'add', path: '/spec/containers/-', value: { name: 'b' } }],
      check: (r) => expect(r.spec.containers.map((c) => c.name)).toEqual(['a', 'b']),
    },
    {
      name: 'add inserts at an index',
      patch: [{ op: 'add', path: '/spec/containers/0', value: { name: 'z' } }],
      check: (r) => expect(r.spec.containers.map((c) => c.name)).toEqual(['z', 'a']),
    },
    {
      name: 'replace with escaped pointer tokens',
      patch: [
        { op: 'replace', path: '/metadata/labels/a~1b', value: 'x' },
        { op: 'replace', path: '/metadata/labels/c~0d', value: 'y' },
      ],
      check: (r) => expect(r.metadata.labels).toEqual({ app: 'web', 'a/b': 'x', 'c~d': 'y' }),
    },
    {
      name: 'remove a list item',
      patch: [{ op: 'remove', path: '/spec/containers/0' }],
      check: (r) => expect(r.spec.containers).toEqual([]),
    },
    {
      name: 'move and copy',
      patch: [
        { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copy' },
        { op: 'move', from: '/metadata/name', path: '/metadata/generateName' },
      ],
      check: (r) => {
        expect(r.metadata).not.toHaveProperty('name');
        expect(r.metadata).toMatchObject({ generateName: 'web', labels: { copy: 'web' } });
      },
    },
    {
      name: 'a passing test guards later operations',
      patch: [
        { op: 'test', path: '/spec/containers/0', value: { image: 'nginx', name: 'a' } },
        { op: 'replace', path: '/spec/containers/0/image', value: 'redis' },
      ],
      check: (r) => expect(r.spec.containers[0]?.image).toBe('redis'),
    },
  ];
  it.each(cases)('$name', ({ patch, check }) => {
    const input = pod();
    const result = applyJsonPatch(input, patch) as ReturnType<typeof pod>;
    check(result);
    expect(input).toEqual(pod());
  });

  it('replaces the whole document with path ""', () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }])).toEqual({ b: 2 });
  });
});

describe('applyJsonPatch: failures', () => {
  const invalid = (detail: string) => ({ code: 422, reason: 'Invalid', detail });
  const cases: {
    name: string;
    patch: unknown;
    code: number;
    reason: string;
    detail?: string;
    message?: string;
  }[] = [
    {
      name: 'not an array',
      patch: { op: 'add' },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid JSON patch: the body must be a JSON array of operations, not an object',
    },
    {
      name: 'an operation that is not an object',
      patch: ['add'],
      code: 400,
      reason: 'BadRequest',
      message: 'invalid JSON patch: operation 0 must be a JSON object, not a string',
    },
    {
      name: 'too many operations',
      patch: Array.from({ length: 10_001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' })),
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'The allowed maximum operations in a JSON patch is 10000, got 10001',
    },
    {
      name: 'unknown op',
      patch: [{ op: 'merge', path: '/a' }],
      ...invalid(
        'invalid JSON patch: operation 0: "op" must be one of "add", "remove", "replace", "move", "copy", "test", got "merge"',
      ),
    },
    {
      name: 'missing value',
      patch: [{ op: 'add', path: '/a' }],
      ...invalid('invalid JSON patch: operation 0 (add) needs a "value"'),
    },
    {
      name: 'path without a leading slash',
      patch: [{ op: 'remove', path: 'metadata' }],
      ...invalid(
        'invalid JSON patch: operation 0 (remove): "path" "metadata" is not a JSON pointer (it must be empty or start with "/")',
      ),
    },
    {
      name: 'replace of a missing key',
      patch: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      ...invalid('invalid JSON patch: operation 0 (replace): path "/spec/replicas" does not exist'),
    },
    {
      name: 'remove past the end of a list',
      patch: [{ op: 'remove', path: '/spec/containers/1' }],
      ...invalid(
        'invalid JSON patch: operation 0 (remove): index "1" is out of range for the list at "/spec/containers" (length 1)',
      ),
    },
    {
      name: 'add under a missing parent',
      patch: [{ op: 'add', path: '/status/phase', value: 'Running' }],
      ...invalid('invalid JSON patch: operation 0 (add): the parent of "/status/phase" does not exist'),
    },
    {
      name: 'failing test',
      patch: [{ op: 'test', path: '/metadata/name', value: 'db' }],
      ...invalid('invalid JSON patch: operation 0 (test): value at "/metadata/name" is "web", expected "db"'),
    },
    {
      name: 'test does not read list properties',
      patch: [{ op: 'test', path: '/spec/containers/length', value: 1 }],
      ...invalid('invalid JSON patch: operation 0 (test): path "/spec/containers/length" does not exist'),
    },
    {
      name: 'move into its own child',
      patch: [{ op: 'move', from: '/spec', path: '/spec/inner' }],
      ...invalid(
        'invalid JSON patch: operation 0 (move): cannot move "/spec" into its own child "/spec/inner"',
      ),
    },
    {
      name: 'prototype keys',
      patch: [{ op: 'add', path: '/__proto__/polluted', value: true }],
      ...invalid(
        'invalid JSON patch: operation 0 (add): "path" "/__proto__/polluted" uses the unsupported key "__proto__"',
      ),
    },
  ];
  it.each(cases)('$name', ({ patch, code, reason, detail, message }) => {
    const input = pod();
    let thrown: unknown;
    try {
      applyJsonPatch(input, patch);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ApiError);
    const err = thrown as ApiError;
    expect({ code: err.code, reason: err.reason }).toEqual({ code, reason });
    if (message !== undefined) expect(err.message).toBe(message);
    if (detail !== undefined) {
      expect(err).toBeInstanceOf(JsonPatchError);
      expect(err.toStatus()).toMatchObject({
        message: 'the server rejected our request due to an error in our request',
        details: { causes: [{ message: detail }] },
      });
    }
    expect(input).toEqual(pod());
  });

  it('is all-or-nothing: a late failure leaves no partial result', () => {
    const input = pod();
    expect(() =>
      applyJsonPatch(input, [
        { op: 'replace', path: '/metadata/name', value: 'changed' },
        { op: 'test', path: '/kind', value: 'Service' },
      ]),
    ).toThrow(JsonPatchError);
    expect(input.metadata.name).toBe('web');
  });
});
