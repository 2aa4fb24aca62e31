/**
 * `lading fn render` / `lading fn eval` (the built CLI) against `kpt fn render` / `kpt fn eval` on
 * the same packages with the same exec functions: the resulting directories must be byte-identical
 * (pipeline order, selectors, exclude, subpackages, configPath/configMap, generated, moved and
 * deleted resources, kpt's own e2e packages with their image functions swapped for a passthrough
 * executable, and failures that leave the package unchanged). Lading runs with
 * `--no-kptfile-status` because the installed kpt does not record the `Rendered` condition.
 * Also the bad inputs of the issue through the CLI: non-zero exit, hang past the timeout, invalid
 * YAML, a path outside the package.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/lading-server.js';

const KPT = spawnSync('kpt', ['version'], { encoding: 'utf8' }).status === 0;
if (!KPT) console.warn('kpt is not installed: the comparisons with `kpt fn render` are skipped');

const FN = join(REPO_ROOT, 'test/e2e/fixtures/fn-exec/krm-fn.mjs');
const KPT_E2E = join(REPO_ROOT, '../shared/fixtures/kpt/kpt/e2e/testdata/fn-render');
const work = mkdtempSync(join(tmpdir(), 'lading-fn-compare-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PASSTHROUGH = join(work, 'passthrough.sh');
const HANG = join(work, 'hang.sh');
writeFileSync(PASSTHROUGH, '#!/bin/sh\ncat\n', { mode: 0o755 });
writeFileSync(HANG, '#!/bin/sh\necho "waiting forever" >&2\nsleep 60\n', { mode: 0o755 });

type Files = Record<string, string>;

function writeTree(root: string, files: Files): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out;
}

function run(command: string, args: string[], cwd: string): { status: number; stderr: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status ?? -1, stderr: r.stderr };
}

function lading(args: string[], cwd: string): { status: number; stderr: string } {
  return run(process.execPath, [join(REPO_ROOT, 'bin/lading.js'), ...args], cwd);
}

let counter = 0;
/** Runs kpt and lading on two copies of the package; returns both trees and outcomes. */
function compare(files: Files | string, kptArgs: string[], ladingArgs: string[]) {
  const base = join(work, `case-${counter++}`);
  const [k, l] = [join(base, 'kpt', 'pkg'), join(base, 'lading', 'pkg')];
  for (const dir of [k, l]) {
    if (typeof files === 'string') cpSync(files, dir, { recursive: true });
    else writeTree(dir, files);
    rmSync(join(dir, '.expected'), { recursive: true, force: true });
  }
  const before = readTree(l);
  const kpt = run('kpt', kptArgs, dirname(k));
  const ours = lading(ladingArgs, dirname(l));
  return { kpt, ours, kptTree: readTree(k), ladingTree: readTree(l), before };
}

const kptfile = (name: string, pipeline: string): string =>
  `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n  annotations:\n    config.kubernetes.io/local-config: "true"\npipeline:\n${pipeline}`;
const resources = (...names: string[]): string =>
  names
    .map(
      (n, i) =>
        `apiVersion: ${i % 2 ? 'apps/v1' : 'v1'}\nkind: ${i % 2 ? 'Deployment' : 'ConfigMap'}\nmetadata:\n  name: ${n} # the name\n  labels: {app: ${n}}\nspec:\n  # the list\n  list:\n      - a\n      - b\n`,
    )
    .join('---\n');
const fn = (args: string, extra = ''): string => `    - exec: "node ${FN} ${args}"\n${extra}`;

const renderCases: [string, Files | string][] = [
  [
    'pipeline order: mutators in order, a validator that mutates changes nothing',
    {
      Kptfile: kptfile(
        'app',
        `  mutators:\n${fn('annotate step=one')}${fn('record-order first')}${fn('annotate step=two')}  validators:\n${fn('annotate validator=changed')}`,
      ),
      'resources.yaml': resources('a', 'b', 'c'),
      'more/other.yml': resources('d'),
    },
  ],
  [
    'selectors and exclude (the output goes after the resources that were not selected)',
    {
      Kptfile: kptfile(
        'app',
        `  mutators:\n${fn('annotate picked=yes', '      selectors:\n        - kind: ConfigMap\n        - labels: {app: b}\n      exclude:\n        - name: c\n')}${fn('record-order', '      exclude:\n        - kind: Kptfile\n')}`,
      ),
      'resources.yaml': resources('a', 'b', 'c', 'd', 'e'),
    },
  ],
  [
    'subpackages render depth first, each pipeline on its own resources plus rendered subpackages',
    {
      Kptfile: kptfile('root', `  mutators:\n${fn('record-order root-order')}${fn('annotate level=root')}`),
      'resources.yaml': resources('r1', 'r2'),
      'b-sub/Kptfile': kptfile(
        'bsub',
        `  mutators:\n${fn('record-order sub-order')}${fn('annotate level=sub')}`,
      ),
      'b-sub/resources.yaml': resources('s1'),
      'b-sub/deeper/Kptfile': kptfile('deeper', `  mutators:\n${fn('annotate level=deeper')}`),
      'b-sub/deeper/x.yaml': resources('d1'),
      'a-plain/x.yaml': resources('p1'),
      'z-nopipeline/Kptfile': 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: nopipe\n',
      'z-nopipeline/y.yaml': resources('n1'),
    },
  ],
  [
    'configMap and configPath functionConfigs (a mutator can change the config of a later step)',
    {
      Kptfile: kptfile(
        'app',
        `  mutators:\n${fn('annotate', '      configMap:\n        from: configMap\n        quoted: "true"\n')}${fn('annotate', '      configPath: fn-config.yaml\n')}`,
      ),
      'fn-config.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: my-config\n  annotations:\n    config.kubernetes.io/local-config: "true"\ndata:\n  from: configPath\n',
      'resources.yaml': resources('a'),
    },
  ],
  [
    'generated, moved and deleted resources (a file that loses all resources is removed)',
    {
      Kptfile: kptfile(
        'app',
        `  mutators:\n${fn('generate new-cm generated/new.yaml')}${fn('move b moved.yaml')}${fn('delete c')}`,
      ),
      'resources.yaml': resources('a', 'b'),
      'c.yaml': resources('c'),
      'README.md': '# not a resource\n',
    },
  ],
  [
    'exec with shell-quoted arguments (kpt e2e exec-function-with-args)',
    {
      Kptfile: kptfile('app', `  mutators:\n    - exec: "sed -e 's/foo/bar/'"\n`),
      'resources.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: foo\n',
    },
  ],
  [
    'a failing function in a subpackage: both fail and leave the package unchanged',
    {
      Kptfile: kptfile('root', `  mutators:\n${fn('annotate a=1')}`),
      'resources.yaml': resources('r1'),
      'sub/Kptfile': kptfile('sub', `  mutators:\n${fn('annotate b=2')}${fn('fail')}`),
      'sub/resources.yaml': resources('s1'),
    },
  ],
  [
    'invalid YAML from a function: both fail and leave the package unchanged',
    {
      Kptfile: kptfile('app', `  mutators:\n${fn('invalid')}`),
      'resources.yaml': resources('a'),
    },
  ],
  [
    'a resource moved outside the package: both fail and leave the package unchanged',
    {
      Kptfile: kptfile('app', `  mutators:\n${fn('move a ../outside.yaml')}`),
      'resources.yaml': resources('a'),
    },
  ],
];

// kpt's own e2e packages whose functions are images: swap each image for a passthrough executable.
const KPT_PACKAGES = [
  'preserve-comments',
  'preserve-order-null-values',
  'format-on-success',
  'krmignore',
  'subpkgs-with-krmignore',
  'no-pipeline-in-subpackage',
  'subpkg-has-samename-subdir',
  'empty-pipeline',
];
for (const name of KPT_PACKAGES) {
  const dir = join(work, 'kpt-e2e', name);
  cpSync(join(KPT_E2E, name), dir, { recursive: true });
  for (const [path, text] of readTree(dir)) {
    if (!path.endsWith('Kptfile')) continue;
    writeFileSync(join(dir, path), text.replace(/image: \S+/g, `exec: ${PASSTHROUGH}`));
  }
  renderCases.push([`kpt e2e package ${name} (image functions → passthrough exec)`, dir]);
}

describe.skipIf(!KPT)('lading fn render vs kpt fn render (byte-identical)', () => {
  it.each(renderCases)('%s', (_name, files) => {
    const r = compare(
      files,
      ['fn', 'render', 'pkg', '--allow-exec'],
      ['fn', 'render', 'pkg', '--allow-exec', '--no-kptfile-status'],
    );
    expect(r.ours.status === 0, r.ours.stderr).toBe(r.kpt.status === 0);
    expect(Object.fromEntries(r.ladingTree)).toEqual(Object.fromEntries(r.kptTree));
    if (r.kpt.status !== 0) expect(r.ladingTree).toEqual(r.before);
  });
});

const evalCases: [string, string[]][] = [
  ['key=value arguments', ['--exec', `node ${FN} annotate`, '--', 'x=1', 'y=two']],
  [
    '--match-kind and --match-name',
    ['--exec', `node ${FN} annotate hit=1`, '--match-kind', 'ConfigMap', '--match-name', 'c'],
  ],
  [
    '--match-labels and --exclude-name',
    ['--exec', `node ${FN} annotate hit=1`, '--match-labels', 'app=b', '--exclude-name', 'd'],
  ],
  ['--exclude-kind keeps order', ['--exec', `node ${FN} record-order`, '--exclude-kind', 'Deployment']],
  [
    '--fn-config inside the package is not an input',
    ['--exec', `node ${FN} annotate`, '--fn-config', 'pkg/fn-config.yaml'],
  ],
];

describe.skipIf(!KPT)('lading fn eval vs kpt fn eval (byte-identical)', () => {
  const pkg: Files = {
    Kptfile: 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\n',
    'resources.yaml': resources('a', 'b', 'c', 'd'),
    'sub/Kptfile': 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: sub\n',
    'sub/more.yaml': resources('c', 'e'),
    'fn-config.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  from: fn-config\n',
  };
  it.each(evalCases)('%s', (_name, args) => {
    const r = compare(pkg, ['fn', 'eval', 'pkg', ...args], ['fn', 'eval', 'pkg', ...args]);
    expect(r.ours.status, r.ours.stderr).toBe(r.kpt.status);
    expect(Object.fromEntries(r.ladingTree)).toEqual(Object.fromEntries(r.kptTree));
  });
});

describe('lading fn render: bad input from a function', () => {
  const cases: [string, string, string[], string][] = [
    ['a non-zero exit', fn('fail'), [], 'failing on purpose with 2 item(s)'],
    ['a hang past the timeout', `    - exec: ${HANG}\n`, ['--timeout', '1s'], 'did not finish within 1s'],
    ['invalid YAML', fn('invalid'), [], 'about to print garbage'],
    ['a path outside the package', fn('move a ../outside.yaml'), [], 'resource has path ../outside.yaml'],
  ];
  it.each(cases)('%s: exit 1, the stderr shown, the package unchanged', (_name, step, flags, message) => {
    const dir = join(work, `bad-${counter++}`);
    writeTree(dir, { Kptfile: kptfile('app', `  mutators:\n${step}`), 'resources.yaml': resources('a') });
    const before = readTree(dir);
    const r = lading(['fn', 'render', dir, '--allow-exec', ...flags], work);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(message);
    expect(readTree(dir)).toEqual(before);
  });
});
