/**
 * `lading pkg …`: package images. `build` (folder or Kubefile → image in the local OCI store),
 * `validate`, `tree`, `images` and `inspect` work offline; transfers to and from registries are
 * registered by pkg-transfer.ts when the OCI copy layer is available.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import {
  buildFromFolder,
  findImages,
  formatTree,
  packageTree,
  readPackageFolder,
  readStoredPackage,
  storePackageImage,
  validatePackage,
  type PackageFileMap,
} from '../build/index.js';
import { OciLayoutStore } from '../oci/index.js';
import { DEFAULTS } from '../server/index.js';
import { formatTable } from './table-printer.js';

type Output = 'table' | 'json';

interface StoreFlags {
  dataDir: string;
  store?: string;
}

/** The local store: `--store`, else `<data-dir>/oci`. */
export async function openStore(flags: StoreFlags): Promise<OciLayoutStore> {
  return OciLayoutStore.open(resolve(flags.store ?? join(flags.dataDir, 'oci')));
}

function checkOutput(value: string): Output {
  if (value !== 'table' && value !== 'json')
    throw new BadRequestError(`--output must be "table" or "json", not "${value}"`);
  return value;
}

function collectKv(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new BadRequestError(`expected KEY=VALUE, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function table(columns: string[], rows: unknown[][]): string {
  return formatTable({
    columnDefinitions: columns.map((name) => ({ name })),
    rows: rows.map((cells) => ({ cells })),
  });
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Files of a folder, or of a stored image when `source` is not a folder. */
async function sourceFiles(source: string, flags: StoreFlags): Promise<PackageFileMap> {
  const isDir = await import('node:fs/promises').then((fs) =>
    fs.stat(source).then(
      (s) => s.isDirectory(),
      () => false,
    ),
  );
  if (isDir) return readPackageFolder(source);
  return (await readStoredPackage(await openStore(flags), source)).files;
}

export function registerPkg(program: Command, setExit: (run: Promise<number>) => void): Command {
  const pkg = program
    .command('pkg')
    .description('Build, inspect and move package images (Package Operator layout)');
  const storeOptions = (cmd: Command): Command =>
    cmd
      .option('--data-dir <dir>', 'data dir; the local image store is <data-dir>/oci', DEFAULTS.dataDir)
      .option('--store <dir>', 'local OCI image layout to use instead of <data-dir>/oci');

  storeOptions(
    pkg
      .command('build')
      .argument('<source>', 'package folder (manifest.yaml, Kptfile or plain YAML)')
      .description('Build a reproducible package image into the local store')
      .option('-t, --tag <name>', 'name in the local store (repeatable)', collect, [])
      .option('-l, --label <key=value>', 'image config label (repeatable)', collectKv, {})
      .option('--allow-fixture-mismatch', 'build even when template test fixtures do not match', false)
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action(
    (
      source: string,
      flags: StoreFlags & {
        tag: string[];
        label: Record<string, string>;
        allowFixtureMismatch: boolean;
        output: string;
      },
    ) =>
      setExit(
        (async () => {
          const output = checkOutput(flags.output);
          const built = await buildFromFolder(source, {
            labels: flags.label,
            allowFixtureMismatch: flags.allowFixtureMismatch,
          });
          for (const w of built.warnings) process.stderr.write(`warning: ${w}\n`);
          const descriptor = await storePackageImage(await openStore(flags), built.image, flags.tag);
          const result = {
            name: built.name,
            format: built.format,
            digest: descriptor.digest,
            size: descriptor.size,
            files: built.files.size,
            tags: flags.tag,
          };
          process.stdout.write(
            output === 'json'
              ? json(result)
              : table(
                  ['Name', 'Format', 'Files', 'Digest', 'Tags'],
                  [[result.name, result.format, result.files, result.digest, result.tags.join(',')]],
                ),
          );
          return 0;
        })(),
      ),
  );

  storeOptions(
    pkg
      .command('validate')
      .argument('<source>', 'package folder or image name in the local store')
      .description(
        'Validate a Package Operator package: manifest, config schema, lock, objects, template tests',
      )
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((source: string, flags: StoreFlags & { output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const report = validatePackage(await sourceFiles(source, flags));
        const failed = report.testCases.some((t) => t.mismatches.length > 0);
        if (output === 'json') process.stdout.write(json({ ...report, valid: !failed }));
        else {
          process.stdout.write(
            report.testCases.length > 0
              ? table(
                  ['Component', 'Test Case', 'Objects', 'Fixtures', 'Result'],
                  report.testCases.map((t) => [
                    t.component || '(root)',
                    t.name,
                    t.objects,
                    t.hasFixtures ? 'yes' : 'none',
                    t.mismatches.length === 0 ? 'ok' : t.mismatches.join('; '),
                  ]),
                )
              : `package "${report.name}" is valid (${report.staticObjects} static objects checked; no template test cases)\n`,
          );
        }
        return failed ? 1 : 0;
      })(),
    ),
  );

  storeOptions(
    pkg
      .command('tree')
      .argument('<source>', 'package folder or image name in the local store')
      .description('Show what the package deploys, by phase (kubectl package tree)')
      .option('--cluster', 'render as a ClusterPackage', false)
      .option('--config-path <file>', 'YAML config to render with')
      .option('--config-testcase <name>', 'render with the context of this test case')
      .option('--component <name>', 'component of a multi-component package')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action(
    (
      source: string,
      flags: StoreFlags & {
        cluster: boolean;
        configPath?: string;
        configTestcase?: string;
        component?: string;
        output: string;
      },
    ) =>
      setExit(
        (async () => {
          const output = checkOutput(flags.output);
          const config = flags.configPath
            ? (parse(await readFile(flags.configPath, 'utf8')) as Record<string, unknown>)
            : undefined;
          const tree = packageTree(await sourceFiles(source, flags), {
            cluster: flags.cluster,
            ...(config !== undefined ? { config: config ?? {} } : {}),
            ...(flags.configTestcase !== undefined ? { testCase: flags.configTestcase } : {}),
            ...(flags.component !== undefined ? { component: flags.component } : {}),
          });
          process.stdout.write(
            output === 'json'
              ? json({
                  ...tree,
                  phases: tree.phases.map((p) => ({
                    name: p.name,
                    objects: p.objects.map((o) => {
                      const meta = (o.object.metadata ?? {}) as Record<string, unknown>;
                      return {
                        apiVersion: o.object.apiVersion,
                        kind: o.object.kind,
                        namespace: meta.namespace,
                        name: meta.name,
                        path: o.path,
                      };
                    }),
                  })),
                })
              : formatTree(tree),
          );
          return 0;
        })(),
      ),
  );

  storeOptions(
    pkg
      .command('images')
      .argument('<source>', 'package folder or image name in the local store')
      .description('List every container image the package references')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((source: string, flags: StoreFlags & { output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const images = findImages(await sourceFiles(source, flags));
        if (output === 'json') process.stdout.write(json(images));
        else if (images.length === 0) process.stderr.write('No images found\n');
        else {
          process.stdout.write(
            table(
              ['Image', 'Source'],
              images.map((i) => [
                i.reference,
                i.sources
                  .map((s) => `${s.path}${s.object ? ` ${s.object}` : ''}${s.field ? ` ${s.field}` : ''}`)
                  .join(', '),
              ]),
            ),
          );
        }
        return 0;
      })(),
    ),
  );

  storeOptions(
    pkg
      .command('inspect')
      .argument('[name]', 'image name or digest in the local store; without it, list the store')
      .description('Show a stored package image (manifest, config, files) or list the store')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((name: string | undefined, flags: StoreFlags & { output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const store = await openStore(flags);
        if (name === undefined) {
          const refs = await store.listRefs();
          if (output === 'json') process.stdout.write(json(refs));
          else if (refs.length === 0) process.stderr.write(`No images in ${store.dir}\n`);
          else
            process.stdout.write(
              table(
                ['Name', 'Digest', 'Size'],
                refs.map((r) => [r.name, r.descriptor.digest, r.descriptor.size]),
              ),
            );
          return 0;
        }
        const stored = await store.fetchManifest(name);
        const { files } = await readStoredPackage(store, name);
        const manifest = stored.parsed.kind === 'manifest' ? stored.parsed.manifest : undefined;
        if (output === 'json') {
          process.stdout.write(
            json({
              digest: stored.descriptor.digest,
              manifest: manifest ?? stored.parsed,
              files: [...files].map(([p, b]) => ({ path: p, size: b.length })),
            }),
          );
        } else {
          process.stdout.write(`Digest:      ${stored.descriptor.digest}\n`);
          for (const [k, v] of Object.entries(manifest?.annotations ?? {}))
            process.stdout.write(`Annotation:  ${k}=${v}\n`);
          process.stdout.write(`Layers:      ${manifest?.layers.length ?? 0}\n\n`);
          process.stdout.write(
            table(
              ['Path', 'Size'],
              [...files].map(([p, b]) => [p, b.length]),
            ),
          );
        }
        return 0;
      })(),
    ),
  );
  return pkg;
}
