/**
 * `lading pkg …`: package images. `build` (folder or Kubefile → image in the local OCI store,
 * optionally bundled), `validate`, `tree`, `images` and `inspect` (local or remote); transfers
 * are in pkg-transfer.ts, `update` and `bundle` in pkg-bundle.ts.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import {
  PackageAnnotation,
  buildFromFolder,
  buildFromKubefile,
  inspectRemote,
  inspectStored,
  looksRemote,
  registryFailure,
  remoteReference,
  findImages,
  formatTree,
  packageTree,
  readPackageFolder,
  readStoredPackage,
  storePackageImage,
  validatePackage,
  type PackageFileMap,
} from '../build/index.js';
import { isDigest, RegistryError } from '../oci/index.js';
import { bundleOptions, packageInput, registerPkgBundle, runBundle, type BundleFlags } from './pkg-bundle.js';
import {
  checkOutput,
  collect,
  collectKv,
  json,
  openStore,
  registryClient,
  remoteOptions,
  storeOptions,
  table,
  type RemoteFlags,
  type StoreFlags,
} from './pkg-common.js';
import { registerPkgTransfer } from './pkg-transfer.js';

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

  bundleOptions(
    remoteOptions(
      storeOptions(
        pkg
          .command('build')
          .argument('[source]', 'package folder (manifest.yaml, Kptfile or plain YAML)')
          .description(
            'Build a reproducible package image into the local store (from a folder or a Kubefile); with --to-repo or --to-tar, bundle it with its images',
          )
          .option('-f, --kubefile <file>', "build from a sealer Kubefile (context: the Kubefile's folder)")
          .option('--context <dir>', 'build context of --kubefile')
          .option('--build-arg <key=value>', 'Kubefile ARG value (repeatable)', collectKv, {})
          .option('-t, --tag <name>', 'name in the local store (repeatable)', collect, [])
          .option('-l, --label <key=value>', 'image config label (repeatable)', collectKv, {})
          .option('--allow-fixture-mismatch', 'build even when template test fixtures do not match', false)
          .option('-o, --output <format>', 'table or json', 'table'),
      ),
    ),
  ).action(
    (
      source: string | undefined,
      flags: StoreFlags &
        BundleFlags & {
          kubefile?: string;
          context?: string;
          buildArg: Record<string, string>;
          label: Record<string, string>;
          allowFixtureMismatch: boolean;
          output: string;
        },
    ) =>
      setExit(
        (async () => {
          const output = checkOutput(flags.output);
          if ((source === undefined) === (flags.kubefile === undefined))
            throw new BadRequestError('give a package folder or --kubefile FILE (one of them)');
          const store = await openStore(flags);
          const options = { labels: flags.label, allowFixtureMismatch: flags.allowFixtureMismatch };
          const built =
            flags.kubefile !== undefined
              ? await buildFromKubefile(flags.kubefile, {
                  ...options,
                  buildArgs: flags.buildArg,
                  ...(flags.context !== undefined ? { context: flags.context } : {}),
                  loadBase: async (image) =>
                    (await packageInput(image, store, () => registryClient(flags))).files,
                })
              : await buildFromFolder(source!, options);
          for (const w of built.warnings) process.stderr.write(`warning: ${w}\n`);
          if (flags.toRepo !== undefined || flags.toTar !== undefined) {
            // The bundle rebuilds the package with rewritten references from the same files.
            await runBundle(
              {
                files: built.files,
                fallbackName: built.name,
                labels: flags.label,
                annotations: Object.fromEntries(
                  Object.entries(built.image.manifest.annotations ?? {}).filter(
                    ([k]) => k !== PackageAnnotation.title && k !== PackageAnnotation.format,
                  ),
                ),
                allowFixtureMismatch: flags.allowFixtureMismatch,
              },
              flags,
              store,
              output,
            );
            return 0;
          }
          const descriptor = await storePackageImage(store, built.image, flags.tag);
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

  remoteOptions(
    storeOptions(
      pkg
        .command('inspect')
        .argument(
          '[name]',
          'image in the local store, or REGISTRY/REPOSITORY[:TAG|@DIGEST]; without it, list the store',
        )
        .description('Show a package image (manifest, config, files), local or remote, or list the store')
        .option('--remote', 'read NAME from its registry even when the local store has it', false)
        .option('-o, --output <format>', 'table or json', 'table'),
    ),
  ).action(
    (name: string | undefined, flags: StoreFlags & RemoteFlags & { remote: boolean; output: string }) =>
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
          const local = !flags.remote && (isDigest(name) || (await store.resolve(name)) !== undefined);
          if (!local && !looksRemote(name))
            throw new BadRequestError(
              `image "${name}" is not in the local store "${store.dir}"; to read it from a registry, name the registry (REGISTRY/REPOSITORY[:TAG])`,
            );
          const info = local
            ? await inspectStored(store, name)
            : await inspectRemote(await registryClient(flags), remoteReference(name)).catch(
                (err: unknown) => {
                  throw err instanceof RegistryError ? registryFailure(`inspecting ${name}`, err) : err;
                },
              );
          if (output === 'json') {
            process.stdout.write(json(info));
            return 0;
          }
          process.stdout.write(`Reference:   ${info.reference}\n`);
          process.stdout.write(`Digest:      ${info.digest}\n`);
          process.stdout.write(`Media type:  ${info.mediaType}\n`);
          for (const [k, v] of Object.entries(info.annotations ?? {}))
            process.stdout.write(`Annotation:  ${k}=${v}\n`);
          for (const [k, v] of Object.entries(info.config?.config?.Labels ?? {}))
            process.stdout.write(`Label:       ${k}=${v}\n`);
          if (info.config)
            process.stdout.write(`Platform:    ${info.config.os}/${info.config.architecture}\n`);
          if (info.manifests) {
            process.stdout.write(`\n`);
            process.stdout.write(
              table(
                ['Platform', 'Digest', 'Size'],
                info.manifests.map((m) => [
                  m.platform
                    ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? `/${m.platform.variant}` : ''}`
                    : '',
                  m.digest,
                  m.size,
                ]),
              ),
            );
            return 0;
          }
          process.stdout.write(`Layers:      ${info.layers?.length ?? 0}\n`);
          if (info.files) {
            process.stdout.write(`\n`);
            process.stdout.write(
              table(
                ['Path', 'Size'],
                info.files.map((f) => [f.path, f.size]),
              ),
            );
          }
          return 0;
        })(),
      ),
  );
  registerPkgTransfer(pkg, setExit);
  registerPkgBundle(pkg, setExit);
  return pkg;
}
