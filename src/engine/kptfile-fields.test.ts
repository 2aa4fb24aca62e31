import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../apimachinery/index.js';
import {
  applyFieldsToKptfile,
  kptfileFields,
  requestedFieldChanges,
  unmetGates,
  withFields,
} from './kptfile-fields.js';

const KPTFILE = `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: web # the package
  annotations:
    config.kubernetes.io/local-config: "true"
info:
  description: web server
`;

const object = (spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'porch.kpt.dev/v1alpha1',
  kind: 'PackageRevision',
  metadata: { name: 'r.web.ws' },
  spec,
  status,
});

describe('Kptfile fields of a PackageRevision', () => {
  it('reads gates, metadata (without kpt’s local-config marker), conditions and the upstream lock', () => {
    const text =
      `${KPTFILE.replace('  annotations:\n', '  labels: {tier: web}\n  annotations:\n    team: a\n')}upstreamLock:
  type: git
  git: {repo: r, directory: d, ref: v1, commit: abc}
info:
  readinessGates:
  - conditionType: Tested
status:
  conditions:
  - {type: Tested, status: "False", reason: Pending}
`.replace('info:\n  description: web server\n', '');
    expect(kptfileFields(text)).toEqual({
      readinessGates: [{ conditionType: 'Tested' }],
      packageMetadata: { labels: { tier: 'web' }, annotations: { team: 'a' } },
      conditions: [{ type: 'Tested', status: 'False', reason: 'Pending' }],
      upstreamLock: { type: 'git', git: { repo: 'r', directory: 'd', ref: 'v1', commit: 'abc' } },
    });
  });

  it.each([
    ['no Kptfile', undefined],
    ['a Kptfile that does not parse', 'kind: [\n'],
    ['a plain Kptfile', KPTFILE],
  ])('gives no fields for %s', (_name, text) => expect(kptfileFields(text)).toEqual({}));

  it('writes requested fields into the Kptfile, keeping comments and kpt’s marker, and reads them back', () => {
    const changes = requestedFieldChanges(
      object(),
      object(
        { readinessGates: [{ conditionType: 'Tested' }], packageMetadata: { labels: { a: 'b' } } },
        { conditions: [{ type: 'Tested', status: 'True' }] },
      ),
    );
    expect(changes).toBeDefined();
    const files = applyFieldsToKptfile(new Map([['Kptfile', KPTFILE]]), changes ?? {});
    const text = files.get('Kptfile') ?? '';
    expect(text).toContain('name: web # the package');
    expect(text).toContain('config.kubernetes.io/local-config: "true"');
    expect(kptfileFields(text)).toEqual({
      readinessGates: [{ conditionType: 'Tested' }],
      packageMetadata: { labels: { a: 'b' } },
      conditions: [{ type: 'Tested', status: 'True' }],
    });
    // Removing them again gives back the original text.
    const removed = applyFieldsToKptfile(files, { readinessGates: [], conditions: [], packageMetadata: {} });
    expect(removed.get('Kptfile')).toBe(KPTFILE);
  });

  it('sees no change when the request repeats the current fields', () => {
    const current = object({ readinessGates: [{ conditionType: 'X' }] });
    expect(requestedFieldChanges(current, structuredClone(current))).toBeUndefined();
  });

  it.each([
    ['no gates', {}, {}, []],
    [
      'a gate whose condition is True',
      { readinessGates: [{ conditionType: 'A' }] },
      { conditions: [{ type: 'A', status: 'True' }] },
      [],
    ],
    [
      'a gate whose condition is False',
      { readinessGates: [{ conditionType: 'A' }] },
      { conditions: [{ type: 'A', status: 'False' }] },
      ['A'],
    ],
    [
      'a gate without a condition',
      { readinessGates: [{ conditionType: 'A' }, { conditionType: 'B' }] },
      { conditions: [{ type: 'B', status: 'True' }] },
      ['A'],
    ],
  ])('unmet gates: %s', (_name, spec, status, unmet) => {
    expect(unmetGates(withFields(object(), { ...spec, ...status } as never))).toEqual(unmet);
  });
});
