import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';
import { deploymentSchema } from './test-schemas.js';

type Doc = Record<string, unknown>;

/** A Deployment whose pod template holds `containers` (names only unless given). */
function deployment(containers: (string | Doc)[] = [], extra: Doc = {}): Doc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'fe' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 1,
      template: {
        spec: { containers: containers.map((c) => (typeof c === 'string' ? { name: c } : c)), ...extra },
      },
    },
  };
}

const podSpec = (doc: Doc): Doc => ((doc.spec as Doc).template as Doc).spec as Doc;
const containerNames = (doc: Doc): unknown[] => (podSpec(doc).containers as Doc[]).map((c) => c.name);
const patchPodSpec = (spec: Doc): Doc => ({ spec: { template: { spec } } });

describe('applyStrategicMergePatch: maps and plain lists', () => {
  it('merges maps, replaces scalars, deletes with null', () => {
    const result = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { tier: null, env: 'prod' } }, spec: { replicas: 3 } },
      deploymentSchema,
    );
    expect((result.metadata as Doc).labels).toEqual({ app: 'web', env: 'prod' });
    expect((result.spec as Doc).replicas).toBe(3);
  });

  it('replaces lists without a merge strategy', () => {
    const doc = deployment([], { tolerations: [{ key: 'a' }, { key: 'b' }] });
    const result = applyStrategicMergePatch(
      doc,
      patchPodSpec({ tolerations: [{ key: 'c' }] }),
      deploymentSchema,
    );
    expect(podSpec(result).tolerations).toEqual([{ key: 'c' }]);
  });

  it('replaces a field whose strategy is "replace"', () => {
    const doc = deployment([], { hostAliases: [{ ip: '1.1.1.1', hostnames: ['a'] }] });
    const result = applyStrategicMergePatch(
      doc,
      patchPodSpec({ hostAliases: [{ ip: '2.2.2.2' }] }),
      deploymentSchema,
    );
    expect(podSpec(result).hostAliases).toEqual([{ ip: '2.2.2.2' }]);
  });

  it('merges fields kept by x-kubernetes-preserve-unknown-fields like a merge patch', () => {
    const doc = { ...deployment(), spec: { extra: { a: { b: 1, c: [1, 2] }, d: 1 } } };
    const result = applyStrategicMergePatch(
      doc,
      { spec: { extra: { a: { c: [3] }, d: null } } },
      deploymentSchema,
    );
    expect(result.spec).toEqual({ extra: { a: { b: 1, c: [3] } } });
  });

  it('does not modify its inputs', () => {
    const doc = deployment(['a']);
    const patch = patchPodSpec({ containers: [{ name: 'a', image: 'x' }] });
    const before = JSON.stringify([doc, patch]);
    applyStrategicMergePatch(doc, patch, deploymentSchema);
    expect(JSON.stringify([doc, patch])).toBe(before);
  });
});

describe('applyStrategicMergePatch: merged lists', () => {
  const cases: { name: string; containers: (string | Doc)[]; patch: Doc; expected: unknown[] }[] = [
    // The kubectl "update API objects in place" tutorial: the new container comes first.
    {
      name: 'a new item leads the list',
      containers: ['patch-demo-ctr'],
      patch: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] },
      expected: ['patch-demo-ctr-2', 'patch-demo-ctr'],
    },
    {
      name: 'an existing item keeps its place',
      containers: ['a', 'b', 'c'],
      patch: { containers: [{ name: 'b', image: 'x' }] },
      expected: ['a', 'b', 'c'],
    },
    {
      name: '$patch: delete removes by merge key',
      containers: ['a', 'b'],
      patch: { containers: [{ name: 'a', $patch: 'delete' }] },
      expected: ['b'],
    },
    {
      name: '$patch: replace replaces the list',
      containers: ['a', 'b'],
      patch: { containers: [{ name: 'z' }, { $patch: 'replace' }] },
      expected: ['z'],
    },
    {
      name: '$setElementOrder orders the merged list',
      containers: ['a', 'b', 'c'],
      patch: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] },
      expected: ['c', 'a', 'b'],
    },
    {
      name: '$setElementOrder places new items',
      containers: ['a', 'b'],
      patch: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }, { name: 'b' }],
        containers: [{ name: 'n' }],
      },
      expected: ['a', 'n', 'b'],
    },
  ];
  it.each(cases)('$name', ({ containers, patch, expected }) => {
    const result = applyStrategicMergePatch(deployment(containers), patchPodSpec(patch), deploymentSchema);
    expect(containerNames(result)).toEqual(expected);
  });

  it('merges an item field by field, recursively', () => {
    const doc = deployment([
      { name: 'a', image: 'nginx', env: [{ name: 'X', value: '1' }], ports: [{ containerPort: 80 }] },
    ]);
    const patch = patchPodSpec({
      containers: [
        {
          name: 'a',
          env: [
            { name: 'Y', value: '2' },
            { name: 'X', $patch: 'delete' },
          ],
          ports: [{ containerPort: 443 }],
        },
      ],
    });
    const result = applyStrategicMergePatch(doc, patch, deploymentSchema);
    expect(podSpec(result).containers).toEqual([
      {
        name: 'a',
        image: 'nginx',
        env: [{ name: 'Y', value: '2' }],
        ports: [{ containerPort: 443 }, { containerPort: 80 }],
      },
    ]);
  });

  const finalizerCases: { name: string; patch: Doc; expected: string[] }[] = [
    { name: 'merge as a set, new values first', patch: { finalizers: ['c'] }, expected: ['c', 'a', 'b'] },
    {
      name: 'known values keep their server order',
      patch: { finalizers: ['b', 'c'] },
      expected: ['a', 'b', 'c'],
    },
    {
      name: '$deleteFromPrimitiveList',
      patch: { '$deleteFromPrimitiveList/finalizers': ['a'] },
      expected: ['b'],
    },
    {
      name: 'add and delete together',
      patch: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['b'] },
      expected: ['c', 'a'],
    },
    {
      name: '$setElementOrder of primitives',
      patch: { finalizers: ['c'], '$setElementOrder/finalizers': ['b', 'c', 'a'] },
      expected: ['b', 'c', 'a'],
    },
  ];
  it.each(finalizerCases)('metadata.finalizers: $name (no metadata schema needed)', ({ patch, expected }) => {
    const result = applyStrategicMergePatch(deployment(), { metadata: patch }, deploymentSchema);
    expect((result.metadata as Doc).finalizers).toEqual(expected);
  });

  it('merges metadata.ownerReferences by uid', () => {
    const doc = {
      ...deployment(),
      metadata: {
        name: 'web',
        ownerReferences: [
          { uid: '1', name: 'a' },
          { uid: '2', name: 'b' },
        ],
      },
    };
    const result = applyStrategicMergePatch(
      doc,
      {
        metadata: {
          ownerReferences: [
            { uid: '2', name: 'B' },
            { uid: '1', $patch: 'delete' },
          ],
        },
      },
      undefined,
    );
    expect((result.metadata as Doc).ownerReferences).toEqual([{ uid: '2', name: 'B' }]);
  });
});

describe('applyStrategicMergePatch: map directives', () => {
  it('$patch: replace replaces a map', () => {
    const result = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { $patch: 'replace', only: 'me' } } },
      deploymentSchema,
    );
    expect((result.metadata as Doc).labels).toEqual({ only: 'me' });
  });

  it('$patch: delete removes a map', () => {
    const result = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { $patch: 'delete' } } },
      deploymentSchema,
    );
    expect(result.metadata).not.toHaveProperty('labels');
  });

  it('$patch: merge is the default', () => {
    const result = applyStrategicMergePatch(
      deployment(),
      { metadata: { labels: { $patch: 'merge', env: 'x' } } },
      deploymentSchema,
    );
    expect((result.metadata as Doc).labels).toEqual({ app: 'web', tier: 'fe', env: 'x' });
  });

  it('$retainKeys clears keys not listed (as kubectl sends for strategy changes)', () => {
    const doc = {
      ...deployment(),
      spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } },
    };
    const result = applyStrategicMergePatch(
      doc,
      { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: null, type: 'Recreate' } } },
      deploymentSchema,
    );
    expect(result.spec).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('strips directives from values new to the object', () => {
    const result = applyStrategicMergePatch(
      {},
      { spec: { extra: { $patch: 'replace', a: 1 } } },
      deploymentSchema,
    );
    expect(result).toEqual({ spec: { extra: { a: 1 } } });
  });
});

describe('applyStrategicMergePatch: malformed patches', () => {
  const cases: { name: string; patch: unknown; message: string }[] = [
    {
      name: 'not an object',
      patch: [],
      message: 'invalid strategic merge patch: the body must be a JSON object',
    },
    {
      name: 'unknown $patch',
      patch: { metadata: { labels: { $patch: 'remove' } } },
      message:
        'invalid strategic merge patch at ".metadata.labels": unknown patch type "remove"; "$patch" must be "replace", "delete" or "merge"',
    },
    {
      name: 'item without merge key',
      patch: patchPodSpec({ containers: [{ image: 'x' }] }),
      message:
        'invalid strategic merge patch at ".spec.template.spec.containers": map {"image":"x"} does not contain declared merge key: name',
    },
    {
      name: '$patch: merge in a list',
      patch: patchPodSpec({ containers: [{ $patch: 'merge' }] }),
      message:
        'invalid strategic merge patch at ".spec.template.spec.containers": merging lists cannot yet be specified in the patch',
    },
    {
      name: 'bad $deleteFromPrimitiveList',
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } },
      message:
        'invalid strategic merge patch at ".metadata": invalid patch format of primitive list in "$deleteFromPrimitiveList/finalizers"',
    },
    {
      name: 'key outside $retainKeys',
      patch: { spec: { strategy: { $retainKeys: ['type'], rollingUpdate: {} } } },
      message:
        'invalid strategic merge patch at ".spec.strategy": invalid patch format of retainKeys: "rollingUpdate" is set but not listed in "$retainKeys"',
    },
    {
      name: 'lists of lists',
      patch: { metadata: { finalizers: [['x']] } },
      message: 'invalid strategic merge patch at ".metadata.finalizers": lists of lists are not supported',
    },
  ];
  it.each(cases)('$name', ({ patch, message }) => {
    expect(() => applyStrategicMergePatch(deployment(['a']), patch, deploymentSchema)).toThrow(
      BadRequestError,
    );
    expect(() => applyStrategicMergePatch(deployment(['a']), patch, deploymentSchema)).toThrow(message);
  });
});
