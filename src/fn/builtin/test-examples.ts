/**
 * Test support: runs a kpt-fn-examples golden case through the builtin functions alone (a minimal
 * pipeline: `configMap`/`configPath` config, `selectors` by kind/name/namespace/apiVersion, or an
 * imperative `eval` with `args`) and returns what the package became next to what `.expected/` says
 * it should become (`diff.patch` applied with `git apply` to a copy of the input). The render pipeline
 * of the fn module is the real thing; this exists so each function can be checked on its own.
 * Not part of the build (test-*.ts).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Document, parse, parseDocument } from 'yaml';
import {
  deriveSeqIndent,
  formatDocument,
  newYamlDocument,
  objectMeta,
  parseYamlDocument,
  readPackageResources,
  rootMap,
  writePackageResources,
  type KrmResource,
} from '../../krm/index.js';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import { createBuiltinRuntime } from './index.js';
import { SCRIPTED_CASES } from '../test-scripted-cases.js';
import { expectedTree, readTree } from '../test-golden.js';

export const EXAMPLES = join(import.meta.dirname, '../../../../shared/fixtures/kpt-fn-examples');

/** Every directory holding a `.expected` folder under `dir`, as paths relative to EXAMPLES. */
export function listCases(dir = EXAMPLES): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d);
    if (entries.includes('.expected')) out.push(relative(EXAMPLES, d));
    for (const e of entries) {
      if (e === '.expected') continue;
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

interface Step {
  image: string;
  functionConfig: Document | undefined;
  selectors: Record<string, string>[];
  exclude: Record<string, string>[];
}

function configMapDoc(data: Record<string, unknown>, name = 'function-input'): Document {
  const doc = new Document({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)])),
  });
  return parseDocument(doc.toString());
}

function steps(caseDir: string, files: Map<string, string>): Step[] {
  const configPath = join(caseDir, '.expected', 'config.yaml');
  const config =
    SCRIPTED_CASES[relative(EXAMPLES, caseDir)] ??
    (existsSync(configPath)
      ? (parse(readFileSync(configPath, 'utf8')) as Record<string, unknown> | null)
      : null);
  if (config?.testType === 'eval') {
    const args = (config.args ?? {}) as Record<string, unknown>;
    const fnConfigPath =
      typeof config.fnConfig === 'string'
        ? relative(caseDir, join(caseDir, '.expected', config.fnConfig))
        : 'fn-config.yaml';
    const fnConfigFile = files.get(fnConfigPath);
    const fnConfig =
      Object.keys(args).length > 0 || !fnConfigFile ? configMapDoc(args) : parseDocument(fnConfigFile);
    return [{ image: String(config.image), functionConfig: fnConfig, selectors: [], exclude: [] }];
  }
  if (!config && !files.has('Kptfile') && files.has('fn-config.yaml')) {
    // As the golden harness runs it: the case's function with its fn-config.yaml (also an input).
    const image = `gcr.io/kpt-fn/${relative(EXAMPLES, caseDir).split('/')[0] ?? ''}:unstable`;
    const functionConfig = parseDocument(files.get('fn-config.yaml') ?? '');
    return [{ image, functionConfig, selectors: [], exclude: [] }];
  }
  const kptfile = parse(files.get('Kptfile') ?? '{}') as {
    pipeline?: { mutators?: unknown[]; validators?: unknown[] };
  };
  const list = [...(kptfile.pipeline?.mutators ?? []), ...(kptfile.pipeline?.validators ?? [])];
  return list.map((raw) => {
    const s = raw as {
      image: string;
      configMap?: Record<string, unknown>;
      configPath?: string;
      selectors?: Record<string, string>[];
      exclude?: Record<string, string>[];
    };
    let functionConfig: Document | undefined;
    // kpt passes an empty `configMap` as an empty object, not as a ConfigMap.
    if (s.configMap && Object.keys(s.configMap).length === 0) functionConfig = parseDocument('{}');
    else if (s.configMap) functionConfig = configMapDoc(s.configMap);
    else if (s.configPath) {
      const text = files.get(s.configPath);
      functionConfig = text === undefined ? undefined : parseDocument(text);
    }
    return { image: s.image, functionConfig, selectors: s.selectors ?? [], exclude: s.exclude ?? [] };
  });
}

function matches(r: KrmResource, selector: Record<string, string>): boolean {
  const meta = objectMeta(r.document.doc);
  if (selector.kind && selector.kind !== meta.kind) return false;
  if (selector.name && selector.name !== meta.name) return false;
  if (selector.namespace && selector.namespace !== meta.namespace) return false;
  if (selector.apiVersion && selector.apiVersion !== meta.apiVersion) return false;
  return true;
}

export interface CaseRun {
  actual: Map<string, string>;
  expected: Map<string, string>;
  results: FunctionResult[];
  expectedResults: unknown[] | undefined;
  exitCode: number;
  expectedExitCode: number | undefined;
  stderr: string;
  expectedStderr: string | undefined;
}

/** Runs one case (relative to EXAMPLES). */
export async function runCase(name: string): Promise<CaseRun> {
  const caseDir = join(EXAMPLES, name);
  const files = readTree(caseDir);
  const kptfileName = /^metadata:\n {2}name: (\S+)$/m.exec(files.get('Kptfile') ?? '')?.[1];
  if (
    files.get('Kptfile')?.includes('configPath: package-context.yaml') &&
    !files.has('package-context.yaml')
  ) {
    // The case is run after `kpt pkg init`, which writes the package context.
    files.set(
      'package-context.yaml',
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kptfile.kpt.dev\n  annotations:\n    config.kubernetes.io/local-config: "true"\ndata:\n  name: ${kptfileName ?? ''}\n`,
    );
  }
  const pkg = readPackageResources(files);
  let items = [...pkg.resources];
  const runtime = createBuiltinRuntime();
  const results: FunctionResult[] = [];
  let exitCode = 0;
  let stderr = '';
  for (const step of steps(caseDir, files)) {
    const runner = await runtime.resolve({ image: step.image });
    if (!runner) throw new Error(`no builtin for ${step.image}`);
    const selected = items.filter(
      (r) =>
        (step.selectors.length === 0 || step.selectors.some((s) => matches(r, s))) &&
        !step.exclude.some((s) => matches(r, s)),
    );
    const others = items.filter((r) => !selected.includes(r));
    const input: ResourceListData = { items: selected, functionConfig: step.functionConfig, results: [] };
    const outcome = await runner(input);
    results.push(...outcome.output.results);
    stderr = outcome.stderr;
    exitCode = outcome.exitCode;
    if (outcome.exitCode !== 0) break;
    items = [...others, ...outcome.output.items];
  }
  const actual = writePackageResources(files, pkg, items);
  const resultsPath = join(caseDir, '.expected', 'results.yaml');
  const expectedList = existsSync(resultsPath)
    ? (parse(readFileSync(resultsPath, 'utf8')) as {
        exitCode?: number;
        items?: { results?: unknown[]; stderr?: string; exitCode?: number }[];
      })
    : undefined;
  const last = expectedList?.items?.at(-1);
  return {
    actual,
    expected: expectedTree(caseDir),
    results,
    expectedResults: expectedList ? (last?.results ?? []) : undefined,
    exitCode,
    expectedExitCode: expectedList?.exitCode,
    stderr,
    expectedStderr: last?.stderr,
  };
}

/** A new resource document for tests. */
export function resourceOf(text: string, path = 'resources.yaml', index = 0): KrmResource {
  const doc = parseYamlDocument(path, text);
  if (!rootMap(doc)) throw new Error('resource must be a mapping');
  return { path, index, document: newYamlDocument(doc, deriveSeqIndent(text)) };
}

export interface FunctionRun {
  /** The items as kpt would write them, one document after another. */
  output: string;
  items: KrmResource[];
  results: FunctionResult[];
  exitCode: number;
  stderr: string;
}

/**
 * Runs the builtin `name` on resources given as YAML documents (separated by `---`) with a function
 * config given as YAML text (or none).
 */
export async function runFunction(name: string, resources: string, config?: string): Promise<FunctionRun> {
  const runner = await createBuiltinRuntime().resolve({ image: `gcr.io/kpt-fn/${name}:v0.1` });
  if (!runner) throw new Error(`no builtin ${name}`);
  const items = resources
    .split(/^---\n/m)
    .filter((t) => t.trim() !== '')
    .map((t, i) => resourceOf(t, 'resources.yaml', i));
  const functionConfig = config === undefined ? undefined : parseDocument(config);
  const outcome = await runner({ items, functionConfig, results: [] });
  return {
    output: outcome.output.items.map((r) => formatDocument(r.document)).join('---\n'),
    items: outcome.output.items,
    results: outcome.output.results,
    exitCode: outcome.exitCode,
    stderr: outcome.stderr,
  };
}
