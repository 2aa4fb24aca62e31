/**
 * Render benchmarks: (a) a 5-function builtin pipeline (set-namespace, set-labels, set-annotations,
 * set-image, ensure-name-substring) rendered in memory on packages of 100, 1,000 and 5,000
 * resources; goal ≤ 300 ms at 1,000. (b) a 5-function exec pipeline, `lading fn render` against
 * `kpt fn render` on the same 1,000-resource package in this run, when kpt is installed; goal:
 * Lading ≥ 2× faster. The exec functions are the system `sed`, each changing one field
 * (`sed -e s/nginx:1.14/nginx:1.25/` …): a function that costs a few milliseconds, identical for
 * both tools, so that the figure is each orchestrator's own work (start-up, reading, one
 * ResourceList written and read back per function, writing) rather than the functions'. The run
 * also checks that both tools wrote the same files, and times both on an empty package (start-up).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
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

/** The exec pipeline of (b): `sed` substitutions that each change one field of some resources. */
const SED_EDITS: [string, string][] = [
  ['container image', 's/nginx:1.14/nginx:1.25/'],
  ['Deployment names and labels', 's/app-/web-/'],
  ['ConfigMap values', 's/value-/v-/'],
  ['ConfigMap names', 's/config-/cfg-/'],
  ['container name', 's/web$/http/'],
];

function pipeline(step: (name: string) => string): string {
  return STEPS.map(([name, data]) => {
    const config = Object.entries(data)
      .map(([k, v]) => `        ${k}: ${JSON.stringify(v)}\n`)
      .join('');
    return `    - ${step(name)}\n      configMap:\n${config}`;
  }).join('');
}

function sedPipeline(sed: string): string {
  return SED_EDITS.map(([, expr]) => `    - exec: "${sed} -e ${expr}"\n`).join('');
}

/** A package of `count` resources (Deployments and ConfigMaps, ten per file) with `mutators`. */
function benchPackage(count: number, mutators: string): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'Kptfile',
    `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\n${mutators ? `pipeline:\n  mutators:\n${mutators}` : ''}`,
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

function run(command: string, args: string[], dir: string): number {
  const start = performance.now();
  const r = spawnSync(command, [...args, dir], { encoding: 'utf8' });
  const elapsed = performance.now() - start;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} ${dir} failed: ${r.stderr}`);
  return elapsed;
}

/** Times two commands on fresh copies of a package, alternating them so that load drifts hit both. */
function timePair(
  a: [string, string[]],
  b: [string, string[]],
  fresh: () => string,
  runs: number,
): { a: number[]; b: number[]; dirs: [string, string] } {
  const times = { a: [] as number[], b: [] as number[] };
  const dirs: [string, string] = [fresh(), fresh()];
  run(...a, dirs[0]);
  run(...b, dirs[1]);
  for (let i = 0; i < runs; i++) {
    times.a.push(run(...a, fresh()));
    times.b.push(run(...b, fresh()));
  }
  return { ...times, dirs };
}

function listFiles(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, path, out);
    else out.push(relative(root, path));
  }
  return out.sort();
}

/** The first file that differs between two rendered packages, or undefined when they are identical. */
function firstDifference(a: string, b: string): string | undefined {
  const fa = listFiles(a);
  const fb = listFiles(b);
  if (fa.join('\n') !== fb.join('\n')) return 'the lists of files differ';
  return fa.find((f) => !readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

export async function fnRenderBenchmarks(): Promise<Row[]> {
  const rows: Row[] = [];
  const runtime = createBuiltinRuntime();
  for (const count of [100, 1_000, 5_000]) {
    const files = benchPackage(
      count,
      pipeline((name) => `image: ghcr.io/kptdev/krm-functions-catalog/${name}:v0`),
    );
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
  const sed = spawnSync('sh', ['-c', 'command -v sed'], { encoding: 'utf8' }).stdout.trim();
  if (!sed) {
    rows.push({ benchmark: '(b) exec pipeline, lading vs kpt fn render', figure: 'skipped: no sed' });
    return rows;
  }
  const work = mkdtempSync(join(tmpdir(), 'lading-bench-fn-'));
  try {
    let n = 0;
    const copier = (source: string) => (): string => {
      const dir = join(work, `run-${n++}`);
      cpSync(source, dir, { recursive: true });
      return dir;
    };
    const source = join(work, 'source');
    writeTree(source, benchPackage(1_000, sedPipeline(sed)));
    const empty = join(work, 'empty');
    writeTree(empty, benchPackage(0, ''));
    const lading: [string, string[]] = [
      process.execPath,
      [join(REPO_ROOT, 'bin/lading.js'), 'fn', 'render', '--allow-exec', '--no-kptfile-status'],
    ];
    const kptRender: [string, string[]] = ['kpt', ['fn', 'render', '--allow-exec']];

    const startup = timePair(lading, kptRender, copier(empty), 5);
    rows.push({
      benchmark: '(b) fn render of an empty package (start-up)',
      figure: ms(median(startup.a)),
      baseline: `${ms(median(startup.b))} (kpt fn render)`,
    });

    const pair = timePair(lading, kptRender, copier(source), 5);
    const l = median(pair.a);
    const k = median(pair.b);
    rows.push({
      benchmark: '(b) exec functions (the same for both tools), one per step',
      figure: `${sed} -e ${SED_EDITS.map(([, expr]) => expr).join(' | ')}`,
    });
    rows.push({
      benchmark: '(b) lading fn render, 5 exec functions (sed), 1,000 resources',
      figure: ms(l),
      baseline: `${ms(k)} (kpt fn render)`,
      ratio: `${(k / l).toFixed(2)}× faster`,
      goal: '≥ 2× faster',
    });
    const diff = firstDifference(...pair.dirs);
    rows.push({
      benchmark: '(b) files written by lading and kpt',
      figure: diff === undefined ? 'byte-identical' : `DIFFERENT: ${diff}`,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
