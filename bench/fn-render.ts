/**
 * Render benchmarks: (a) a 5-function builtin pipeline (set-namespace, set-labels, set-annotations,
 * set-image, ensure-name-substring) rendered in memory on packages of 100, 1,000 and 5,000
 * resources; goal ≤ 300 ms at 1,000. (b) the same pipeline with each function as an exec
 * executable (bench/fn-exec-builtin.mjs), `lading fn render` against `kpt fn render` on the same
 * 1,000-resource package in this run, when kpt is installed; goal: Lading ≥ 2× faster.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuiltinRuntime, renderPackage } from '../src/fn/index.js';
import { REPO_ROOT } from '../test/support/lading-server.js';
import { median, ms, timeRuns, type Row } from './support.js';

const STEPS: [string, Record<string, string>][] = [
  ['set-namespace', { namespace: 'bench' }],
  ['set-labels', { tier: 'backend' }],
  ['set-annotations', { owner: 'bench' }],
  ['set-image', { name: 'nginx', newTag: '1.25' }],
  ['ensure-name-substring', { prepend: 'prod-' }],
];

function pipeline(step: (name: string) => string): string {
  return STEPS.map(([name, data]) => {
    const config = Object.entries(data)
      .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`)
      .join('');
    return `    - ${step(name)}\n      configMap:\n${config}`;
  }).join('');
}

/** A package of `count` resources (Deployments and ConfigMaps, ten per file). */
function benchPackage(count: number, step: (name: string) => string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Kptfile',
    `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\npipeline:\n  mutators:\n${pipeline(step)}`,
  );
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(
      i % 2 === 0
        ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i} # app\n  labels:\n    app: app-${i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n        app: app-${i}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.14\n          ports:\n            - containerPort: 80\n`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\ndata:\n  key: value-${i}\n  other: "42"\n`,
    );
    if (docs.length === 10 || i === count - 1) {
      files.set(`resources/r-${String(i).padStart(5, '0')}.yaml`, docs.join('---\n'));
      docs.length = 0;
    }
  }
  return files;
}

function writeTree(root: string, files: Map<string, string>): void {
  for (const [path, text] of files) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

function timeCommand(command: string, args: string[], fresh: () => string, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = fresh();
    const start = performance.now();
    const r = spawnSync(command, [...args, dir], { encoding: 'utf8' });
    times.push(performance.now() - start);
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
  }
  return times;
}

export async function fnRenderBenchmarks(): Promise<Row[]> {
  const rows: Row[] = [];
  const runtime = createBuiltinRuntime();
  for (const count of [100, 1_000, 5_000]) {
    const files = benchPackage(count, (name) => `image: ghcr.io/kptdev/krm-functions-catalog/${name}:v0`);
    const first = await renderPackage(files, { runtime });
    if (!first.ok) throw new Error(`bench render failed: ${first.error?.message ?? ''}`);
    const times = await timeRuns(count >= 5_000 ? 3 : 7, 1, async () => {
      await renderPackage(files, { runtime });
    });
    rows.push({
      benchmark: `(a) render, 5 builtin functions, ${count.toLocaleString('en')} resources`,
      figure: ms(median(times)),
      ...(count === 1_000 ? { goal: '≤ 300 ms' } : {}),
    });
  }

  const kpt = spawnSync('kpt', ['version'], { encoding: 'utf8' }).status === 0;
  if (!kpt) {
    rows.push({
      benchmark: '(b) exec pipeline, lading vs kpt fn render',
      figure: 'skipped: kpt is not installed',
    });
    return rows;
  }
  const work = mkdtempSync(join(tmpdir(), 'lading-bench-fn-'));
  try {
    const exec = join(REPO_ROOT, 'bench/fn-exec-builtin.mjs');
    const source = join(work, 'source');
    writeTree(
      source,
      benchPackage(1_000, (name) => `exec: "${process.execPath} ${exec} ${name}"`),
    );
    let n = 0;
    const fresh = (): string => {
      const dir = join(work, `run-${n++}`);
      cpSync(source, dir, { recursive: true });
      return dir;
    };
    const ladingTimes = timeCommand(
      process.execPath,
      [join(REPO_ROOT, 'bin/lading.js'), 'fn', 'render', '--allow-exec', '--no-kptfile-status'],
      fresh,
      3,
    );
    const kptTimes = timeCommand('kpt', ['fn', 'render', '--allow-exec'], fresh, 3);
    const l = median(ladingTimes);
    const k = median(kptTimes);
    rows.push({
      benchmark: '(b) lading fn render, 5 exec functions, 1,000 resources',
      figure: ms(l),
      baseline: `${ms(k)} (kpt fn render)`,
      ratio: `${(k / l).toFixed(2)}× faster`,
      goal: '≥ 2× faster',
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
