import { describe, expect, it } from 'vitest';
import { BadRequestError, ConflictError } from './errors.js';
import { updateManagedFields } from './managed-fields.js';
import type { KubeObject } from './object.js';
import { ApplyConflictError, serverSideApply, type ServerSideApplyInput } from './server-side-apply.js';
import { deploymentSchema } from './test-schemas.js';

type Doc = Record<string, unknown>;

function config(spec: Doc, metadata: Doc = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', ...metadata }, spec };
}

function apply(
  live: KubeObject | undefined,
  applied: KubeObject,
  manager: string,
  extra: Partial<ServerSideApplyInput> = {},
): KubeObject {
  return serverSideApply({
    live,
    applied,
    manager,
    force: false,
    schema: deploymentSchema,
    apiVersion: 'apps/v1',
    now: '2024-01-01T00:00:00Z',
    ...extra,
  });
}

function update(
  prev: KubeObject | undefined,
  next: KubeObject,
  manager: string,
  now = '2024-01-02T00:00:00Z',
): KubeObject {
  return updateManagedFields({ prev, next, manager, schema: deploymentSchema, apiVersion: 'apps/v1', now });
}

/** The FieldsV1 of each entry, by "manager/operation". */
function owners(object: KubeObject): Record<string, unknown> {
  return Object.fromEntries(
    (object.metadata.managedFields ?? []).map((e) => [`${e.manager}/${e.operation}`, e.fieldsV1]),
  );
}

const containers = (object: KubeObject): Doc[] =>
  (((object.spec as Doc).template as Doc).spec as Doc).containers as Doc[];
const podSpec = (spec: Doc): Doc => ({ template: { spec } });

function conflictOf(run: () => unknown): ApplyConflictError {
  try {
    run();
  } catch (err) {
    if (err instanceof ApplyConflictError) return err;
    throw err;
  }
  throw new Error('expected an apply conflict');
}

describe('serverSideApply: first apply', () => {
  it('creates the object and records an Apply entry in FieldsV1 format', () => {
    const applied = config(
      {
        replicas: 2,
        template: {
          spec: {
            containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
          },
        },
      },
      { namespace: 'prod', labels: { app: 'web' }, finalizers: ['example.com/f'] },
    );
    const result = apply(undefined, applied, 'kubectl', { now: '2024-05-01T10:00:00Z' });
    const { managedFields, ...metadata } = result.metadata;
    expect({ ...result, metadata }).toEqual(applied);
    expect(managedFields).toEqual([
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:finalizers': { 'v:"example.com/f"': {} }, 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:replicas': {},
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"nginx"}': {
                    '.': {},
                    'f:image': {},
                    'f:name': {},
                    'f:ports': {
                      'k:{"containerPort":80,"protocol":"TCP"}': {
                        '.': {},
                        'f:containerPort': {},
                        'f:protocol': {},
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ]);
  });

  it('does not modify its inputs', () => {
    const live = apply(undefined, config({ replicas: 1 }), 'a');
    const applied = config({ replicas: 2 });
    const before = JSON.stringify([live, applied]);
    apply(live, applied, 'b', { force: true });
    expect(JSON.stringify([live, applied])).toBe(before);
  });
});

describe('serverSideApply: ownership', () => {
  it('re-applying without a field removes it from the object', () => {
    const first = apply(
      undefined,
      config({ replicas: 2, paused: true }, { labels: { app: 'web', tier: 'fe' } }),
      'kubectl',
    );
    const second = apply(first, config({ replicas: 2 }, { labels: { app: 'web' } }), 'kubectl');
    expect(second.spec).toEqual({ replicas: 2 });
    expect(second.metadata.labels).toEqual({ app: 'web' });
    expect(owners(second)).toEqual({
      'kubectl/Apply': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {} } },
    });
  });

  it('removing the last label removes the emptied map', () => {
    const first = apply(undefined, config({ replicas: 1 }, { labels: { app: 'web' } }), 'kubectl');
    expect(apply(first, config({ replicas: 1 }), 'kubectl').metadata).not.toHaveProperty('labels');
  });

  it('two managers applying the same value share the field without conflict', () => {
    const a = apply(undefined, config({ replicas: 2, paused: false }), 'a');
    const b = apply(a, config({ replicas: 2 }), 'b');
    expect(owners(b)).toEqual({
      'a/Apply': { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } },
      'b/Apply': { 'f:spec': { 'f:replicas': {} } },
    });
    // When one sharer stops applying the field, the other keeps it alive.
    const c = apply(b, config({ paused: false }), 'a');
    expect(c.spec).toEqual({ replicas: 2, paused: false });
    expect(owners(c)['a/Apply']).toEqual({ 'f:spec': { 'f:paused': {} } });
  });

  it('a changed value owned by another manager is a conflict', () => {
    const a = apply(undefined, config({ replicas: 2 }), 'a');
    const err = conflictOf(() => apply(a, config({ replicas: 3 }), 'b'));
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.toStatus()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "a": .spec.replicas',
      reason: 'Conflict',
      code: 409,
      details: {
        kind: 'Deployment',
        name: 'web',
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }],
      },
    });
  });

  it('force takes ownership from the other manager', () => {
    const a = apply(undefined, config({ replicas: 2, paused: true }), 'a');
    const b = apply(a, config({ replicas: 3 }), 'b', { force: true });
    expect((b.spec as Doc).replicas).toBe(3);
    expect(owners(b)).toEqual({
      'a/Apply': { 'f:spec': { 'f:paused': {} } },
      'b/Apply': { 'f:spec': { 'f:replicas': {} } },
    });
  });

  it('groups several conflicts by manager in the message', () => {
    const a = apply(undefined, config({ replicas: 2, paused: true }), 'a');
    const edited = update(a, config({ replicas: 2, paused: true }, { labels: { app: 'x' } }), 'editor');
    const err = conflictOf(() =>
      apply(edited, config({ replicas: 3, paused: false }, { labels: { app: 'y' } }), 'b'),
    );
    expect(err.message).toBe(
      'Apply failed with 3 conflicts: conflicts with "a":\n- .spec.paused\n- .spec.replicas\nconflicts with "editor" using apps/v1:\n- .metadata.labels.app',
    );
    expect(err.toStatus().details?.causes?.map((c) => c.field)).toEqual([
      '.spec.paused',
      '.spec.replicas',
      '.metadata.labels.app',
    ]);
  });

  it('setting a field owned by another manager to null is a conflict', () => {
    const a = apply(undefined, config({ replicas: 2 }), 'a');
    expect(conflictOf(() => apply(a, config({ replicas: null }), 'b')).message).toBe(
      'Apply failed with 1 conflict: conflict with "a": .spec.replicas',
    );
  });
});

describe('serverSideApply: lists and maps', () => {
  it('merges map lists item by item; each applier owns its items', () => {
    const a = apply(undefined, config(podSpec({ containers: [{ name: 'a', image: 'nginx' }] })), 'a');
    const b = apply(a, config(podSpec({ containers: [{ name: 'b', image: 'redis' }] })), 'b');
    expect(containers(b)).toEqual([
      { name: 'a', image: 'nginx' },
      { name: 'b', image: 'redis' },
    ]);
    const c = apply(b, config(podSpec({ containers: [] })), 'a');
    expect(containers(c)).toEqual([{ name: 'b', image: 'redis' }]);
  });

  it('keeps the applied order of shared items and the place of live-only items', () => {
    const live = apply(
      undefined,
      config(podSpec({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] })),
      'x',
    );
    const result = apply(live, config(podSpec({ containers: [{ name: 'c' }, { name: 'a' }] })), 'y');
    expect(containers(result).map((c) => c.name)).toEqual(['b', 'c', 'a']);
  });

  it('keeps an item another manager still owns a field of, minus the fields it gave up', () => {
    const a = apply(
      undefined,
      config(podSpec({ containers: [{ name: 'a', image: 'nginx', args: ['x'] }] })),
      'a',
    );
    const b = apply(a, config(podSpec({ containers: [{ name: 'a', image: 'nginx' }] })), 'b');
    const c = apply(b, config(podSpec({ containers: [] })), 'a');
    expect(containers(c)).toEqual([{ name: 'a', image: 'nginx' }]);
  });

  it('never strips the key fields of an item kept for another owner', () => {
    const a = apply(undefined, config(podSpec({ containers: [{ name: 'a', image: 'nginx' }] })), 'a');
    const edited = update(a, config(podSpec({ containers: [{ name: 'a', image: 'redis' }] })), 'editor');
    expect(owners(edited)['editor/Update']).toEqual({
      'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { 'f:image': {} } } } } },
    });
    const result = apply(edited, config(podSpec({ containers: [] })), 'a');
    expect(containers(result)).toEqual([{ name: 'a', image: 'redis' }]);
  });

  it('entries of maps without declared fields are members themselves', () => {
    const a = apply(undefined, config({ extra: { a: { b: 1 }, c: [1, 2] } }), 'a');
    expect(owners(a)['a/Apply']).toEqual({
      'f:spec': { 'f:extra': { 'f:a': { '.': {}, 'f:b': {} }, 'f:c': {} } },
    });
  });

  it('an atomic list is one field: replacing it conflicts as a whole', () => {
    const a = apply(undefined, config(podSpec({ tolerations: [{ key: 'x' }] })), 'a');
    expect(owners(a)['a/Apply']).toEqual({
      'f:spec': { 'f:template': { 'f:spec': { 'f:tolerations': {} } } },
    });
    expect(
      conflictOf(() => apply(a, config(podSpec({ tolerations: [{ key: 'x' }, { key: 'y' }] })), 'b')).message,
    ).toBe('Apply failed with 1 conflict: conflict with "a": .spec.template.spec.tolerations');
  });

  it('an atomic map is one field', () => {
    const a = apply(undefined, config({ selector: { matchLabels: { app: 'web' } } }), 'a');
    expect(owners(a)['a/Apply']).toEqual({ 'f:spec': { 'f:selector': {} } });
    const b = apply(a, config({ selector: { matchLabels: { app: 'db' } } }), 'b', { force: true });
    expect((b.spec as Doc).selector).toEqual({ matchLabels: { app: 'db' } });
  });

  it('merges set lists (finalizers) value by value', () => {
    const a = apply(undefined, config({}, { finalizers: ['a.example/f'] }), 'a');
    const b = apply(a, config({}, { finalizers: ['b.example/f'] }), 'b');
    expect(b.metadata.finalizers).toEqual(['a.example/f', 'b.example/f']);
    const c = apply(b, config({}, {}), 'a');
    expect(c.metadata.finalizers).toEqual(['b.example/f']);
  });

  it('rejects duplicate keys in a map list', () => {
    expect(() =>
      apply(undefined, config(podSpec({ containers: [{ name: 'a' }, { name: 'a' }] })), 'a'),
    ).toThrow('.spec.template.spec.containers: duplicate entries for key [name="a"]');
  });
});

describe('updateManagedFields', () => {
  it('on create, owns every field set, marking added maps and list items with "."', () => {
    const created = update(
      undefined,
      config(podSpec({ containers: [{ name: 'a' }] }), { uid: 'u', labels: { app: 'web' } }),
      'kubectl-create',
    );
    expect(created.metadata.managedFields).toEqual([
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'apps/v1',
        time: '2024-01-02T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            '.': {},
            'f:template': {
              '.': {},
              'f:spec': { '.': {}, 'f:containers': { '.': {}, 'k:{"name":"a"}': { '.': {}, 'f:name': {} } } },
            },
          },
        },
      },
    ]);
  });

  it('moves ownership of changed fields from an applier to the updater', () => {
    const applied = apply(undefined, config({ replicas: 2, paused: false }), 'kubectl');
    const edited = update(applied, { ...applied, spec: { replicas: 5, paused: false } }, 'kubectl-edit');
    expect(owners(edited)).toEqual({
      'kubectl/Apply': { 'f:spec': { 'f:paused': {} } },
      'kubectl-edit/Update': { 'f:spec': { 'f:replicas': {} } },
    });
    expect(conflictOf(() => apply(edited, config({ replicas: 2, paused: false }), 'kubectl')).message).toBe(
      'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas',
    );
  });

  it('drops removed fields from every manager and empty entries altogether', () => {
    const applied = apply(undefined, config({ replicas: 2 }), 'kubectl');
    const next = { ...applied, spec: {} };
    expect(update(applied, next, 'editor').metadata).not.toHaveProperty('managedFields');
  });

  it('a write that changes nothing keeps the entry and its time', () => {
    const first = update(undefined, config({ replicas: 1 }), 'editor', 'T1');
    const second = update(
      first,
      config({ replicas: 1 }, { managedFields: first.metadata.managedFields }),
      'editor',
      'T2',
    );
    expect(second.metadata.managedFields?.[0]?.time).toBe('T1');
  });

  it('managedFields: [{}] clears all entries', () => {
    const applied = apply(undefined, config({ replicas: 2 }), 'kubectl');
    const cleared = update(
      applied,
      { ...applied, metadata: { ...applied.metadata, managedFields: [{}] } },
      'editor',
    );
    expect(cleared.metadata).not.toHaveProperty('managedFields');
  });
});

it('does not modify its inputs and returns its own metadata', () => {
  const prev = update(undefined, config({ replicas: 1 }, { labels: { app: 'web' } }), 'creator', 'T1');
  const next = config(
    { replicas: 2 },
    { labels: { app: 'web' }, managedFields: prev.metadata.managedFields },
  );
  const [prevCopy, nextCopy] = [structuredClone(prev), structuredClone(next)];
  const updated = update(prev, next, 'editor', 'T2');
  expect(prev).toEqual(prevCopy);
  expect(next).toEqual(nextCopy);
  expect(updated.metadata).not.toBe(next.metadata);
  expect(Object.keys(owners(updated))).toEqual(['creator/Update', 'editor/Update']);
});

describe('serverSideApply: special cases', () => {
  it('credits an object without managedFields to before-first-apply', () => {
    const legacy = config({ replicas: 1 });
    expect(conflictOf(() => apply(legacy, config({ replicas: 2 }), 'kubectl')).message).toBe(
      'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    );
  });

  it('keeps a separate entry per subresource and ignores the given fields', () => {
    const main = apply(undefined, config({ replicas: 1 }), 'ctl');
    const withStatus = apply(main, { ...config({}), status: { readyReplicas: 1 } }, 'ctl', {
      subresource: 'status',
    });
    expect(withStatus.metadata.managedFields?.map((e) => [e.manager, e.subresource])).toEqual([
      ['ctl', undefined],
      ['ctl', 'status'],
    ]);
    const ignored = apply(main, { ...config({ replicas: 1 }), status: { readyReplicas: 1 } }, 'ctl', {
      ignoredFields: [['status']],
    });
    expect(owners(ignored)).toEqual({ 'ctl/Apply': { 'f:spec': { 'f:replicas': {} } } });
  });

  const errors: { name: string; applied: KubeObject; message: string }[] = [
    {
      name: 'managedFields in the configuration',
      applied: config({}, { managedFields: [] }),
      message: 'metadata.managedFields must be nil',
    },
    {
      name: 'another API version',
      applied: { ...config({}), apiVersion: 'apps/v1beta1' },
      message:
        'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1',
    },
  ];
  it.each(errors)('rejects $name', ({ applied, message }) => {
    expect(() => apply(undefined, applied, 'a')).toThrow(BadRequestError);
    expect(() => apply(undefined, applied, 'a')).toThrow(message);
  });
});
