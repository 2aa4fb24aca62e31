/**
 * `lading fn render DIR` and `lading fn eval DIR --image IMG | --exec CMD [-- key=value…]`: kpt's
 * `fn render` / `fn eval` on a local directory, with kpt's flags and output (progress on stderr,
 * `--results-dir`, `--output stdout|unwrap|DIR`, `--match-*`/`--exclude-*`, `--fn-config`).
 * Functions run through the same runtime chain as the server: builtin → exec → container.
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import {
  createBuiltinRuntime,
  createContainerRuntime,
  createExecRuntime,
  createRenderPrinter,
  createRuntimeChain,
  evalFunction,
  formatFunctionResultList,
  parseKeyValueArgs,
  renderPackage,
  type FunctionResultList,
  type FunctionRuntime,
} from '../fn/index.js';
import {
  buildResourceList,
  formatYamlFile,
  parseYamlDocument,
  readPackageDir,
  readPackageResources,
  type KrmResource,
  type Selector,
} from '../krm/index.js';
import { parseDuration } from './duration.js';

interface CommonFlags {
  resultsDir?: string;
  output?: string;
  truncateOutput: boolean;
  timeout: string;
}

interface RenderFlags extends CommonFlags {
  allowExec?: boolean;
  kptfileStatus: boolean;
}

interface EvalFlags extends CommonFlags {
  image?: string;
  exec?: string;
  fnConfig?: string;
  matchApiVersion?: string;
  matchKind?: string;
  matchName?: string;
  matchNamespace?: string;
  matchLabels: string[];
  matchAnnotations: string[];
  excludeApiVersion?: string;
  excludeKind?: string;
  excludeName?: string;
  excludeNamespace?: string;
  excludeLabels: string[];
  excludeAnnotations: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function commonOptions(cmd: Command): Command {
  return cmd
    .option('--results-dir <dir>', 'write the function results to <dir>/results.yaml')
    .option(
      '-o, --output <where>',
      'stdout, unwrap, or a directory to write the package to (default: in place)',
    )
    .option('--truncate-output [bool]', 'shorten long function output', (v) => v !== 'false', true)
    .option('--timeout <duration>', 'how long one exec or container function may run', '2m');
}

export function registerFn(program: Command, setExit: (run: Promise<number>) => void): void {
  const fn = program.command('fn').description('Run KRM functions on a local package (kpt fn)');
  commonOptions(
    fn
      .command('render')
      .argument('[dir]', 'package directory', '.')
      .description('Render a package through its Kptfile pipeline (kpt fn render)')
      .option('--allow-exec', 'allow `exec` functions of the pipeline to run')
      .option('--no-kptfile-status', 'do not record the `Rendered` condition in the root Kptfile'),
  ).action((dir: string, flags: RenderFlags) => setExit(render(dir, flags)));
  commonOptions(
    fn
      .command('eval')
      .argument('[dir]', 'package directory', '.')
      .argument('[args...]', 'function arguments after `--`, as key=value')
      .description('Run one function on a package (kpt fn eval)')
      .option('-i, --image <image>', 'run this function image')
      .option('--exec <command>', 'run this executable as the function')
      .option('--fn-config <file>', 'file holding the functionConfig')
      .option('--match-api-version <v>', 'select resources of this apiVersion')
      .option('--match-kind <kind>', 'select resources of this kind')
      .option('--match-name <name>', 'select resources of this name')
      .option('--match-namespace <ns>', 'select resources in this namespace')
      .option('--match-labels <k=v>', 'select resources with this label (repeatable)', collect, [])
      .option('--match-annotations <k=v>', 'select resources with this annotation (repeatable)', collect, [])
      .option('--exclude-api-version <v>', 'exclude resources of this apiVersion')
      .option('--exclude-kind <kind>', 'exclude resources of this kind')
      .option('--exclude-name <name>', 'exclude resources of this name')
      .option('--exclude-namespace <ns>', 'exclude resources in this namespace')
      .option('--exclude-labels <k=v>', 'exclude resources with this label (repeatable)', collect, [])
      .option(
        '--exclude-annotations <k=v>',
        'exclude resources with this annotation (repeatable)',
        collect,
        [],
      ),
  ).action((dir: string, args: string[], flags: EvalFlags) => setExit(evaluate(dir, args, flags)));
}

function runtimeChain(timeoutMs: number): FunctionRuntime {
  return createRuntimeChain([
    createBuiltinRuntime(),
    createExecRuntime({ timeoutMs }),
    createContainerRuntime({ timeoutMs }),
  ]);
}

/** Writes the files that changed and removes those that went (a render never touches others). */
async function writeChanges(
  root: string,
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [path, text] of after) {
    if (before.get(path) === text) continue;
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
  }
  for (const path of before.keys()) if (!after.has(path)) await rm(join(root, path), { force: true });
}

async function emit(
  dir: string,
  output: string | undefined,
  before: Map<string, string>,
  after: Map<string, string>,
): Promise<void> {
  if (output === undefined) return writeChanges(dir, before, after);
  const resources = (): KrmResource[] => readPackageResources(after).resources;
  if (output === 'stdout') {
    process.stdout.write(buildResourceList(resources()));
    return;
  }
  if (output === 'unwrap') {
    process.stdout.write(formatYamlFile(resources().map((r) => r.document)));
    return;
  }
  const exists = await stat(output).then(
    () => true,
    () => false,
  );
  if (exists) throw new BadRequestError(`--output directory "${output}" already exists; it must not exist`);
  await writeChanges(output, new Map(), after);
}

async function writeResults(
  resultsDir: string | undefined,
  results: FunctionResultList,
): Promise<string | undefined> {
  if (!resultsDir) return undefined;
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, 'results.yaml');
  await writeFile(file, formatFunctionResultList(results));
  return file;
}

function displayDir(dirArg: string, sub: string): string {
  const base = dirArg.replace(/\/+$/, '') || '.';
  return sub === '' ? base : join(base, sub);
}

async function render(dirArg: string, flags: RenderFlags): Promise<number> {
  const dir = resolve(dirArg);
  const before = await readPackageDir(dir);
  const printer = createRenderPrinter((s) => process.stderr.write(s), {
    packageName: (sub) => displayDir(dirArg, sub),
    truncate: flags.truncateOutput,
  });
  const result = await renderPackage(before, {
    runtime: runtimeChain(parseDuration(flags.timeout, '--timeout')),
    allowExec: flags.allowExec === true,
    kptfileStatus: flags.kptfileStatus,
    packagePath: dir,
    limits: {},
    onEvent: printer.onEvent,
  });
  const resultsFile = await writeResults(flags.resultsDir, result.results);
  if (!result.ok) {
    process.stderr.write(`${printer.summary(false, resultsFile)}`);
    process.stderr.write(`Error: ${result.error?.message ?? 'render failed'}\n`);
    return 1;
  }
  await emit(dir, flags.output, before, result.files);
  process.stderr.write(printer.summary(true, resultsFile));
  return 0;
}

function keyValues(list: readonly string[], flag: string): Record<string, string> | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new BadRequestError(`${flag} "${item}" must be of the form key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function selector(
  flags: {
    apiVersion: string | undefined;
    kind: string | undefined;
    name: string | undefined;
    namespace: string | undefined;
    labels: string[];
    annotations: string[];
  },
  prefix: string,
): Selector | undefined {
  const s: Selector = {};
  if (flags.apiVersion) s.apiVersion = flags.apiVersion;
  if (flags.kind) s.kind = flags.kind;
  if (flags.name) s.name = flags.name;
  if (flags.namespace) s.namespace = flags.namespace;
  const labels = keyValues(flags.labels, `--${prefix}-labels`);
  if (labels) s.labels = labels;
  const annotations = keyValues(flags.annotations, `--${prefix}-annotations`);
  if (annotations) s.annotations = annotations;
  return Object.keys(s).length > 0 ? s : undefined;
}

async function evaluate(dirArg: string, args: string[], flags: EvalFlags): Promise<number> {
  if ((flags.image === undefined) === (flags.exec === undefined)) {
    throw new BadRequestError('exactly one of --image and --exec must be given');
  }
  const dir = resolve(dirArg);
  const before = await readPackageDir(dir);
  let functionConfig;
  if (flags.fnConfig) {
    const path = resolve(flags.fnConfig);
    functionConfig = parseYamlDocument(flags.fnConfig, await readFile(path, 'utf8'));
    // kpt 1.0 passes a function config file inside the package as an input resource too.
  }
  const match = selector(
    {
      apiVersion: flags.matchApiVersion,
      kind: flags.matchKind,
      name: flags.matchName,
      namespace: flags.matchNamespace,
      labels: flags.matchLabels,
      annotations: flags.matchAnnotations,
    },
    'match',
  );
  const exclude = selector(
    {
      apiVersion: flags.excludeApiVersion,
      kind: flags.excludeKind,
      name: flags.excludeName,
      namespace: flags.excludeNamespace,
      labels: flags.excludeLabels,
      annotations: flags.excludeAnnotations,
    },
    'exclude',
  );
  const target = flags.image !== undefined ? { image: flags.image } : { exec: flags.exec ?? '' };
  const printer = createRenderPrinter((s) => process.stderr.write(s), {
    packageName: () => dirArg,
    truncate: flags.truncateOutput,
  });
  process.stderr.write(`[RUNNING] ${JSON.stringify(target.image ?? target.exec)}\n`);
  const started = Date.now();
  const result = await evalFunction(before, {
    runtime: runtimeChain(parseDuration(flags.timeout, '--timeout')),
    target,
    args: parseKeyValueArgs(args),
    ...(functionConfig ? { functionConfig } : {}),
    ...(match ? { selectors: [match] } : {}),
    ...(exclude ? { exclude: [exclude] } : {}),
  });
  const item = result.results.items[0];
  if (item) {
    printer.onEvent({ type: 'end', dir: '', item, ok: result.ok, durationMs: Date.now() - started });
  }
  const resultsFile = await writeResults(flags.resultsDir, result.results);
  if (resultsFile) process.stderr.write(`\nFor complete results, see ${resultsFile}\n`);
  if (!result.ok) {
    process.stderr.write(`Error: ${result.error?.message ?? 'function failed'}\n`);
    return 1;
  }
  await emit(dir, flags.output, before, result.files);
  return 0;
}
