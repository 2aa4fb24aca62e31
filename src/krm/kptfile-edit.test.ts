import { describe, expect, it } from 'vitest';
import { parseKptfileDocument } from './kptfile.js';
import {
  serializeKptfile,
  setConditions,
  setInfo,
  setKptfileUpstream,
  setPackageMetadata,
  setPipeline,
  setReadinessGates,
  setUpstreamLock,
  upsertCondition,
} from './kptfile-edit.js';
import type { Document } from 'yaml';
import { fixturePackage } from './test-kpt.js';

function edit(text: string, change: (doc: Document) => void): string {
  const { doc } = parseKptfileDocument(text, { validate: false });
  change(doc);
  const out = serializeKptfile(doc, text);
  // The result must still be a valid Kptfile.
  parseKptfileDocument(out, { validate: false });
  return out;
}

const BASENS = fixturePackage('kpt-samples/basens').get('Kptfile') ?? '';
const COMMENTED = fixturePackage('porch/pkg/task/testdata/replace').get('Kptfile') ?? '';

describe('Kptfile edits', () => {
  it('leave an unchanged Kptfile byte-identical', () => {
    expect(edit(COMMENTED, () => undefined)).toBe(COMMENTED);
    expect(
      edit(BASENS, (doc) => setInfo(doc, { description: 'kpt package for provisioning namespace' })),
    ).toBe(BASENS);
  });

  it('insert upstream and upstreamLock where kpt puts them, keeping the rest', () => {
    const out = edit(BASENS, (doc) => {
      setKptfileUpstream(doc, {
        type: 'git',
        git: { repo: 'https://github.com/a/b.git', directory: 'basens', ref: 'basens/v1' },
        updateStrategy: 'resource-merge',
      });
      setUpstreamLock(doc, {
        type: 'git',
        git: { repo: 'https://github.com/a/b.git', directory: 'basens', ref: 'basens/v1', commit: 'abc123' },
      });
    });
    expect(out).toBe(
      [
        'apiVersion: kpt.dev/v1',
        'kind: Kptfile',
        'metadata:',
        '  name: basens',
        '  annotations:',
        '    config.kubernetes.io/local-config: "true"',
        'upstream:',
        '  type: git',
        '  git:',
        '    repo: https://github.com/a/b.git',
        '    directory: basens',
        '    ref: basens/v1',
        '  updateStrategy: resource-merge',
        'upstreamLock:',
        '  type: git',
        '  git:',
        '    repo: https://github.com/a/b.git',
        '    directory: basens',
        '    ref: basens/v1',
        '    commit: abc123',
        'info:',
        '  description: kpt package for provisioning namespace',
        'pipeline:',
        '  mutators:',
        '    - image: gcr.io/kpt-fn/set-namespace:v0.4.1',
        '      configPath: package-context.yaml',
        '    - image: gcr.io/kpt-fn/apply-replacements:v0.1.1',
        '      configPath: update-rolebinding.yaml',
        '',
      ].join('\n'),
    );
  });

  it('keep comments and key order of a hand-written Kptfile', () => {
    const out = edit(COMMENTED, (doc) => {
      setInfo(doc, { description: 'A bucket', keywords: ['gcp', 'storage'] });
      setPackageMetadata(doc, { name: 'renamed' });
    });
    expect(out).toBe(
      [
        '# top comment',
        'apiVersion: kpt.dev/v1',
        '# Kptfile info',
        'info:',
        '  # Kptfile description',
        '  description: A bucket',
        '  keywords:',
        '  - gcp',
        '  - storage',
        '# Kptfile kind',
        'kind: Kptfile',
        '# Kptfile metadata',
        'metadata:',
        '  annotations:',
        '    blueprints.cloud.google.com/title: Google Cloud Storage Bucket blueprint',
        '  name: renamed',
        '# Kptfile pipeline',
        'pipeline:',
        '  # Kptfile mutators',
        '  mutators:',
        '  - configMap:',
        '      name: updated-bucket-name',
        '      namespace: updated-namespace',
        '      project-id: updated-project-id',
        '      storage-class: updated-storage-class',
        '    image: ghcr.io/kptdev/krm-functions-catalog/apply-setters:v0.2.0',
        '',
      ].join('\n'),
    );
  });

  it('set readiness gates and conditions, updating conditions in place', () => {
    const once = edit(BASENS, (doc) => {
      setReadinessGates(doc, [{ conditionType: 'Ready' }]);
      setConditions(doc, [
        { type: 'Ready', status: 'False', reason: 'Pending' },
        { type: 'Rendered', status: 'True', reason: 'RenderSuccess' },
      ]);
    });
    expect(once).toContain(
      '  description: kpt package for provisioning namespace\n  readinessGates:\n    - conditionType: Ready\n',
    );
    expect(
      once.endsWith(
        'status:\n  conditions:\n    - type: Ready\n      status: "False"\n      reason: Pending\n' +
          '    - type: Rendered\n      status: "True"\n      reason: RenderSuccess\n',
      ),
    ).toBe(true);
    const twice = edit(once, (doc) =>
      upsertCondition(doc, { type: 'Ready', status: 'True', reason: 'Done' }, [
        { type: 'Ready', status: 'False', reason: 'Pending' },
        { type: 'Rendered', status: 'True', reason: 'RenderSuccess' },
      ]),
    );
    expect(twice).toContain(
      '    - type: Ready\n      status: "True"\n      reason: Done\n    - type: Rendered\n',
    );
  });

  it('remove fields with undefined / null, quoting values that would read as other types', () => {
    const out = edit(BASENS, (doc) => {
      setPackageMetadata(doc, { annotations: null, labels: { enabled: 'true', count: '3', name: 'x' } });
      setPipeline(doc, undefined);
    });
    expect(out).toBe(
      'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: basens\n  labels:\n    count: "3"\n    enabled: "true"\n    name: x\n' +
        'info:\n  description: kpt package for provisioning namespace\n',
    );
  });
});
