/**
 * Test support: the golden harness for `../shared/fixtures/kpt-fn-examples`. Each case directory
 * (one holding `.expected/`) runs like kpt's catalog test harness runs it — `kpt fn render` of the
 * package, or `kpt fn eval` for `testType: eval` — through Lading's render/eval with the given
 * runtime, twice (the second run on the first's output proves idempotency). The outcome is compared
 * with `.expected/`: the package after `diff.patch` (applied with `git apply` to a copy), the
 * FunctionResultList in `results.yaml`, `exitCode` and `stdErr` (a substring, as kpt's harness
 * checks it). A case whose function no runtime can run is reported as skipped, with the reason.
 * Not part of the build (test-*.ts).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parse } from 'yaml';
import { parseKptfile } from '../krm/index.js';
import { evalFunction } from './eval.js';
import { functionConfigFromText } from './function-config.js';
import type { FunctionRuntime } from './function-runtime.js';
import { orderedItem, type FunctionResultList } from './function-results.js';
import { renderPackage } from './render.js';
import { createRenderPrinter } from './render-printer.js';
import { expandImage } from './runtime-chain.js';
import { SCRIPTED_CASES } from './test-scripted-cases.js';

export const EXAMPLES_DIR = join(import.meta.dirname, '../../../shared/fixtures/kpt-fn-examples');

interface CaseConfig {
  testType?: 'render' | 'eval';
  image?: string;
  args?: Record<string, unknown>;
  fnConfig?: string;
  exitCode?: number;
  stdErr?: string;
  skip?: boolean;
  /**
   * `fnConfig` names a file of the package; kpt's `fn eval --fn-config` keeps that file among the
   * function's input resources (no Kptfile names it as a function config).
   */
  inPackageFnConfig?: boolean;
}

export interface GoldenOutcome {
  name: string;
  status: 'match' | 'mismatch' | 'skipped';
  /** Why it was skipped or what differs. */
  reasons: string[];
}

/** Case directories (relative to `root`) in sorted order. */
export function listGoldenCases(root = EXAMPLES_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d).sort();
    if (entries.includes('.expected')) out.push(relative(root, d));
    for (const e of entries) {
      const p = join(d, e);
      if (e !== '.expected' && statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      if (e === '.expected' || e === '.git') continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return files;
}

/** The package as `.expected/diff.patch` says it must end up. */
export function expectedTree(caseDir: string): Map<string, string> {
  const patch = join(caseDir, '.expected', 'diff.patch');
  if (!existsSync(patch) || readFileSync(patch, 'utf8').trim() === '') return readTree(caseDir);
  const tmp = mkdtempSync(join(tmpdir(), 'lading-golden-'));
  try {
    execFileSync('cp', ['-r', `${caseDir}/.`, tmp]);
    execFileSync('chmod', ['-R', 'u+w', tmp]);
    rmSync(join(tmp, '.expected'), { recursive: true, force: true });
    execFileSync('git', ['init', '-q'], { cwd: tmp });
    execFileSync('git', ['apply', '--whitespace=nowarn', patch], { cwd: tmp });
    return readTree(tmp);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function readConfig(caseDir: string, name: string): CaseConfig {
  const scripted = SCRIPTED_CASES[name];
  if (scripted) return { ...(scripted as CaseConfig) };
  const path = join(caseDir, '.expected', 'config.yaml');
  if (!existsSync(path)) return {};
  return (parse(readFileSync(path, 'utf8')) as CaseConfig | null) ?? {};
}

/** The images a case runs. */
function caseImages(config: CaseConfig, files: Map<string, string>): string[] {
  if (config.testType === 'eval') return config.image ? [config.image] : [];
  const images: string[] = [];
  for (const [path, text] of files) {
    if (path !== 'Kptfile' && !path.endsWith('/Kptfile')) continue;
    const pipeline = parseKptfile(text, { validate: false }).pipeline;
    for (const fn of [...(pipeline?.mutators ?? []), ...(pipeline?.validators ?? [])]) {
      if (fn.image) images.push(fn.image);
    }
  }
  return images;
}

interface RunOutput {
  files: Map<string, string>;
  results: FunctionResultList;
  stderr: string;
  exitCode: number;
}

async function runOnce(
  caseDir: string,
  config: CaseConfig,
  files: Map<string, string>,
  runtime: FunctionRuntime,
): Promise<RunOutput> {
  let stderr = '';
  const write = (s: string): void => {
    stderr += s;
  };
  if (config.testType === 'eval') {
    const args = Object.fromEntries(Object.entries(config.args ?? {}).map(([k, v]) => [k, String(v)]));
    // kpt's harness resolves `fnConfig` against `.expected/`.
    const fnConfigPath = config.fnConfig
      ? join(caseDir, config.inPackageFnConfig ? '' : '.expected', config.fnConfig)
      : undefined;
    const result = await evalFunction(files, {
      runtime,
      target: { image: config.image ?? '' },
      args,
      ...(fnConfigPath
        ? {
            functionConfig: functionConfigFromText(config.fnConfig ?? '', readFileSync(fnConfigPath, 'utf8')),
          }
        : {}),
    });
    const printer = createRenderPrinter(write, { packageName: () => '.' });
    const item = result.results.items[0];
    if (item) printer.onEvent({ type: 'end', dir: '', item, ok: result.ok, durationMs: 0 });
    if (result.error && !item?.results?.length) write(`Error: ${result.error.message}\n`);
    return { files: result.files, results: result.results, stderr, exitCode: result.ok ? 0 : 1 };
  }
  const printer = createRenderPrinter(write, { packageName: (d) => (d === '' ? '.' : d) });
  const result = await renderPackage(files, { runtime, kptfileStatus: false, onEvent: printer.onEvent });
  if (result.error) write(`Error: ${result.error.message}\n`);
  return { files: result.files, results: result.results, stderr, exitCode: result.ok ? 0 : 1 };
}

function describeDiff(actual: Map<string, string>, expected: Map<string, string>): string[] {
  const out: string[] = [];
  for (const path of new Set([...actual.keys(), ...expected.keys()])) {
    const a = actual.get(path);
    const e = expected.get(path);
    if (a === e) continue;
    if (a === undefined) out.push(`${path}: missing`);
    else if (e === undefined) out.push(`${path}: unexpected file`);
    else out.push(`${path} differs:\n--- expected\n${e}\n--- actual\n${a}`);
  }
  return out;
}

/** The FunctionResultList as plain data, in results.yaml's shape. */
export function resultListData(list: FunctionResultList): unknown {
  return JSON.parse(
    JSON.stringify({
      apiVersion: list.apiVersion,
      kind: list.kind,
      metadata: list.metadata,
      exitCode: list.exitCode,
      items: list.items.map(orderedItem),
    }),
  );
}

/** `again`: the idempotency run, where only the package and the exit code must be the same. */
function compare(
  run: RunOutput,
  caseDir: string,
  config: CaseConfig,
  expected: Map<string, string>,
  again = false,
): string[] {
  const reasons: string[] = [];
  reasons.push(...describeDiff(run.files, expected));
  const resultsPath = join(caseDir, '.expected', 'results.yaml');
  if (!again && existsSync(resultsPath)) {
    const want = parse(readFileSync(resultsPath, 'utf8')) as unknown;
    const got = resultListData(run.results);
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      reasons.push(
        `results differ:\n--- expected\n${JSON.stringify(want)}\n--- actual\n${JSON.stringify(got)}`,
      );
    }
  }
  const exitCode = config.exitCode ?? 0;
  if (run.exitCode !== exitCode) reasons.push(`exit code ${run.exitCode}, expected ${exitCode}`);
  if (!again && config.stdErr && !run.stderr.includes(config.stdErr.trim())) {
    reasons.push(`stderr does not contain ${JSON.stringify(config.stdErr)}:\n${run.stderr}`);
  }
  return reasons;
}

/** Runs one case (a path relative to `root`) twice and compares both runs with `.expected/`. */
export async function runGoldenCase(
  name: string,
  runtime: FunctionRuntime,
  root = EXAMPLES_DIR,
): Promise<GoldenOutcome> {
  const caseDir = join(root, name);
  const config = readConfig(caseDir, name);
  if (config.skip) return { name, status: 'skipped', reasons: ['the case is marked `skip`'] };
  const files = readTree(caseDir);
  if (!files.has('Kptfile') && config.testType !== 'eval') {
    // The catalog evaluates such a case with its function (named by the top directory) and the
    // case's fn-config.yaml; without that file the arguments are only in the README.
    if (!files.has('fn-config.yaml')) {
      return {
        name,
        status: 'skipped',
        reasons: ['no Kptfile and no eval config: the arguments are only in the README'],
      };
    }
    Object.assign(config, {
      testType: 'eval',
      image: `gcr.io/kpt-fn/${name.split('/')[0] ?? ''}:unstable`,
      fnConfig: 'fn-config.yaml',
      inPackageFnConfig: true,
    });
  }
  const missing: string[] = [];
  for (const image of caseImages(config, files)) {
    if (!(await runtime.resolve({ image: expandImage(image) }))) missing.push(image);
  }
  if (missing.length > 0) {
    return {
      name,
      status: 'skipped',
      reasons: [`no ${runtime.name} runtime for ${[...new Set(missing)].join(', ')}`],
    };
  }
  // The catalog runs these cases in packages made by `kpt pkg init`, which writes the package context.
  const kptfile = files.get('Kptfile') ?? '';
  if (kptfile.includes('configPath: package-context.yaml') && !files.has('package-context.yaml')) {
    const pkgName = /^metadata:\n {2}name: (\S+)$/m.exec(kptfile)?.[1] ?? dirname(name);
    files.set(
      'package-context.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n  annotations:\n    config.kubernetes.io/local-config: "true"\ndata:\n  name: ${pkgName}\n`,
    );
  }
  const expected = expectedTree(caseDir);
  if (files.has('package-context.yaml') && !expected.has('package-context.yaml')) {
    expected.set('package-context.yaml', files.get('package-context.yaml') ?? '');
  }
  const first = await runOnce(caseDir, config, files, runtime);
  const reasons = compare(first, caseDir, config, expected).map((r) => `run 1: ${r}`);
  const second = await runOnce(caseDir, config, first.files, runtime);
  reasons.push(...compare(second, caseDir, config, expected, true).map((r) => `run 2: ${r}`));
  return { name, status: reasons.length === 0 ? 'match' : 'mismatch', reasons };
}
