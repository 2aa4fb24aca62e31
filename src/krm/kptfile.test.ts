import { describe, expect, it } from 'vitest';
import { BadRequestError, InvalidError } from '../apimachinery/index.js';
import { isValidFunctionImage, parseKptfile, validateKptfile, type Kptfile } from './kptfile.js';
import { FIXTURES, readTree } from './test-kpt.js';

const kptfiles = [...readTree(FIXTURES)].filter(([path]) => path === 'Kptfile' || path.endsWith('/Kptfile'));
const FN_RENDER = 'kpt/e2e/testdata/fn-render';

function failure(text: string): InvalidError | BadRequestError {
  try {
    parseKptfile(text);
  } catch (err) {
    if (err instanceof InvalidError || err instanceof BadRequestError) return err;
    throw err;
  }
  throw new Error('expected the Kptfile to be refused');
}

function fixture(path: string): string {
  const text = readTree(FIXTURES).get(path);
  if (text === undefined) throw new Error(`missing fixture ${path}`);
  return text;
}

describe('parseKptfile: the fixtures', () => {
  /** Deliberately broken fixtures, and what must be reported for each. */
  const negative: { path: string; field: string; message: RegExp }[] = [
    {
      path: `${FN_RENDER}/invalid-kptfile/Kptfile`,
      field: 'spec.resources[Kptfile]',
      message: /can't be read/,
    },
    {
      path: `${FN_RENDER}/subpkg-has-invalid-kptfile/db/Kptfile`,
      field: 'spec.resources[Kptfile]',
      message: /can't be read/,
    },
    {
      path: `${FN_RENDER}/kptfile-unknown-fields/Kptfile`,
      field: 'pipeline.mutators[1].targetResources',
      message: /unknown field `targetResources` \(line 13\)/,
    },
    {
      path: `${FN_RENDER}/invalid-inline-fnconfig/Kptfile`,
      field: 'pipeline.mutators[1].config',
      message: /unknown field `config`/,
    },
    {
      path: `${FN_RENDER}/invalid-configmap-fnconfig/Kptfile`,
      field: 'pipeline.mutators[1].configMap.envs',
      message: /must be a string \(line 13\)/,
    },
    {
      path: `${FN_RENDER}/no-format-on-failure/Kptfile`,
      field: 'pipeline.mutators[0].configMap.namespace',
      message: /must be a string/,
    },
    {
      path: `${FN_RENDER}/basicpipeline-v1alpha1/Kptfile`,
      field: 'apiVersion',
      message: /old version \("v1alpha1"\)/,
    },
    {
      path: `${FN_RENDER}/basicpipeline-v1alpha2/Kptfile`,
      field: 'apiVersion',
      message: /old version \("v1alpha2"\)/,
    },
    {
      path: `${FN_RENDER}/fnconfig-not-relative/Kptfile`,
      field: 'pipeline.mutators[0].configPath',
      message: /must be relative/,
    },
    {
      path: `${FN_RENDER}/fnconfig-outside-package/Kptfile`,
      field: 'pipeline.mutators[1].configPath',
      message: /outside the package/,
    },
    {
      path: `${FN_RENDER}/multiple-fnconfig/Kptfile`,
      field: 'pipeline.mutators[0]',
      message: /both `configMap` and `configPath`/,
    },
    {
      path: `${FN_RENDER}/image-pull-policy-always/Kptfile`,
      field: 'pipeline.mutators[0].image',
      message: /image name is invalid/,
    },
  ];

  it.each(negative)('$path is refused at `$field`', ({ path, field, message }) => {
    const err = failure(fixture(path));
    const causes = err.details?.causes ?? [];
    expect(causes.map((c) => c.field)).toContain(field);
    expect(`${err.message} ${causes.map((c) => c.message).join(' ')}`).toMatch(message);
  });

  it('accepts every other Kptfile of the fixtures', () => {
    const refused: string[] = [];
    const known = new Set(negative.map((n) => n.path));
    for (const [path, text] of kptfiles) {
      if (known.has(path) || path.includes('image-pull-policy-')) continue;
      try {
        parseKptfile(text, { path });
      } catch (err) {
        refused.push(`${path}: ${(err as Error).message}`);
      }
    }
    expect(kptfiles.length).toBeGreaterThan(200);
    expect(refused).toEqual([]);
  });

  it('reads the typed model', () => {
    const k = parseKptfile(fixture('kpt-samples/basens/Kptfile'));
    expect(k.metadata).toEqual({
      name: 'basens',
      annotations: { 'config.kubernetes.io/local-config': 'true' },
    });
    expect(k.pipeline?.mutators?.map((m) => [m.image, m.configPath])).toEqual([
      ['gcr.io/kpt-fn/set-namespace:v0.4.1', 'package-context.yaml'],
      ['gcr.io/kpt-fn/apply-replacements:v0.1.1', 'update-rolebinding.yaml'],
    ]);
    const semver = parseKptfile(fixture(`${FN_RENDER}/basicpipeline-semver/Kptfile`));
    expect(semver.pipeline?.mutators?.[0]?.tag).toBe('0.4.1 - 0.4.3');
  });
});

describe('validateKptfile', () => {
  const base: Kptfile = { apiVersion: 'kpt.dev/v1', kind: 'Kptfile', metadata: { name: 'p' } };
  const cases: { name: string; kptfile: Partial<Kptfile>; fields: string[] }[] = [
    {
      name: 'valid pipeline',
      kptfile: { pipeline: { mutators: [{ image: 'set-labels:v0.1' }] } },
      fields: [],
    },
    {
      name: 'neither image nor exec',
      kptfile: { pipeline: { validators: [{ name: 'x' }] } },
      fields: ['pipeline.validators[0]'],
    },
    {
      name: 'both image and exec',
      kptfile: { pipeline: { mutators: [{ image: 'a', exec: './b' }] } },
      fields: ['pipeline.mutators[0]'],
    },
    {
      name: 'incomplete inventory',
      kptfile: { inventory: { name: 'inv' } },
      fields: ['inventory.namespace', 'inventory.inventoryID'],
    },
    {
      name: 'condition without type',
      kptfile: { status: { conditions: [{ type: '', status: 'True' }] } },
      fields: ['status.conditions[0].type'],
    },
  ];
  it.each(cases)('$name', ({ kptfile, fields }) => {
    expect(validateKptfile({ ...base, ...kptfile }).map((c) => c.field)).toEqual(fields);
  });

  it.each([
    ['gcr.io/kpt-fn/set-namespace:v0.4.1', true],
    ['ghcr.io/kptdev/krm-functions-catalog/set-labels', true],
    ['set-labels@sha256:' + 'a'.repeat(64), true],
    ['localhost:5000/fn:latest', true],
    ['pull ghcr.io/x:latest', false],
    ['Upper/Case:1', false],
  ])('image %s valid: %s', (image, valid) => {
    expect(isValidFunctionImage(image)).toBe(valid);
  });
});
