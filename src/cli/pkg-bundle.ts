/**
 * `lading pkg update` (manifest.lock.yaml) and `lading pkg bundle` (a package with every image it
 * references, relocated to a registry or written to one archive). `lading pkg build --to-repo |
 * --to-tar` bundles what it built through the same code.
 */
import { stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import {
  PackageAnnotation,
  bundleToRepo,
  bundleToTar,
  fetchRemotePackage,
  fetchStoredPackage,
  looksRemote,
  parseRepoPrefix,
  readPackageFolder,
  registryFailure,
  remoteReference,
  updateLock,
  type BundleResult,
  type PackageInput,
} from '../build/index.js';
import type { OciLayoutStore, RegistryClient } from '../oci/index.js';
import {
  checkOutput,
  collect,
  collectKv,
  concurrency,
  formatBytes,
  json,
  openStore,
  registryClient,
  remoteOptions,
  storeOptions,
  table,
  type Output,
  type RemoteFlags,
  type StoreFlags,
} from './pkg-common.js';
import { withProgress } from './pkg-progress.js';

export interface BundleFlags extends RemoteFlags {
  toRepo?: string;
  toTar?: string;
  package?: string;
  tag: string[];
}

/** Adds the bundle target flags to a command. */
export function bundleOptions(cmd: Command): Command {
  return cmd
    .option('--to-repo <registry/prefix>', 'relocate every referenced image under this registry and prefix')
    .option('--to-tar <file>', 'write the package and every referenced image into this oci-archive')
    .option(
      '--package <reference>',
      'with --to-repo: where to push the package (default <to-repo>/<name>:latest)',
    );
}

/** The package files of a folder, a stored image or (with a registry in the name) a remote image. */
export async function packageInput(
  source: string,
  store: OciLayoutStore,
  client: () => Promise<RegistryClient>,
): Promise<PackageInput> {
  const isDir = await stat(source).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isDir)
    return { files: await readPackageFolder(source), fallbackName: basename(resolve(source)) || 'package' };
  const fromImage = (p: {
    files: PackageInput['files'];
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }): PackageInput => {
    const {
      [PackageAnnotation.title]: title,
      [PackageAnnotation.format]: _format,
      ...annotations
    } = p.annotations;
    return { files: p.files, fallbackName: title ?? 'package', labels: p.labels, annotations };
  };
  if ((await store.resolve(source)) !== undefined || /^sha256:[a-f0-9]{64}$/.test(source))
    return fromImage(await fetchStoredPackage(store, source));
  if (looksRemote(source)) {
    const ref = remoteReference(source, 'package image');
    try {
      return fromImage(await fetchRemotePackage(await client(), ref));
    } catch (err) {
      throw registryFailure(`reading package image ${source}`, err);
    }
  }
  throw new BadRequestError(
    `"${source}" is not a folder, not an image in the local store "${store.dir}", and names no registry`,
  );
}

/** Runs the bundle `flags` ask for and prints it. */
export async function runBundle(
  input: PackageInput,
  flags: BundleFlags,
  store: OciLayoutStore,
  output: Output,
): Promise<void> {
  if ((flags.toRepo === undefined) === (flags.toTar === undefined))
    throw new BadRequestError('give exactly one of --to-repo REGISTRY/PREFIX and --to-tar FILE');
  if (flags.package !== undefined && flags.toRepo === undefined)
    throw new BadRequestError('--package is for --to-repo; in an archive the package is named with -t');
  const client = await registryClient(flags);
  const common = { client, store, concurrency: concurrency(flags) };
  let result: BundleResult;
  if (flags.toRepo !== undefined) {
    const target = parseRepoPrefix(flags.toRepo);
    const packageRef = flags.package !== undefined ? remoteReference(flags.package, '--package') : undefined;
    result = await withProgress(`bundle → ${flags.toRepo}`, (onProgress) =>
      bundleToRepo(input, {
        ...common,
        target,
        names: flags.tag,
        ...(packageRef ? { packageRef: () => packageRef } : {}),
        ...(onProgress ? { onProgress } : {}),
      }),
    );
  } else {
    result = await withProgress(`bundle → ${flags.toTar}`, (onProgress) =>
      bundleToTar(input, {
        ...common,
        file: flags.toTar!,
        names: flags.tag,
        ...(onProgress ? { onProgress } : {}),
      }),
    );
  }
  for (const w of result.build.warnings) process.stderr.write(`warning: ${w}\n`);
  const summary = {
    package: result.package,
    images: result.images,
    bytes: result.bytes,
    ...(flags.toTar !== undefined ? { file: flags.toTar } : {}),
  };
  if (output === 'json') {
    process.stdout.write(json(summary));
    return;
  }
  process.stdout.write(
    table(
      ['Kind', 'Source', 'Target'],
      [
        [
          'package',
          result.package.name,
          `${result.package.reference ?? result.package.names.join(',')}@${result.package.digest}`,
        ],
        ...result.images.map((i) => ['image', i.source, i.target]),
      ],
    ),
  );
  if (flags.toTar !== undefined)
    process.stderr.write(`wrote ${flags.toTar} (${formatBytes(result.bytes)})\n`);
}

export function registerPkgBundle(pkg: Command, setExit: (run: Promise<number>) => void): void {
  remoteOptions(
    pkg
      .command('update')
      .argument('<folder>', 'Package Operator package folder (manifest.yaml with spec.images)')
      .description(
        'Resolve every image of spec.images to a digest and write manifest.lock.yaml (kubectl package update)',
      )
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((folder: string, flags: RemoteFlags & { output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const files = await readPackageFolder(folder);
        const client = await registryClient(flags);
        const override = process.env['PKO_REPOSITORY_HOST'];
        const result = await updateLock(files, {
          resolve: async (ref) => {
            const found = await client.headManifest(ref);
            if (!found) throw new BadRequestError('the registry does not have it');
            return found.digest;
          },
          ...(override ? { hostOverride: override } : {}),
        });
        if (result.text !== undefined) await writeFile(join(folder, result.path), result.text);
        if (output === 'json')
          process.stdout.write(
            json({
              path: join(folder, result.path),
              updated: result.text !== undefined,
              images: result.images,
            }),
          );
        else if (result.text === undefined) process.stdout.write('Package is already up-to-date\n');
        else if (result.images.length > 0)
          process.stdout.write(
            table(
              ['Name', 'Image', 'Digest'],
              result.images.map((i) => [i.name, i.image, i.digest]),
            ),
          );
        return 0;
      })(),
    ),
  );

  bundleOptions(
    remoteOptions(
      storeOptions(
        pkg
          .command('bundle')
          .argument('<source>', 'package folder, image in the local store, or REGISTRY/REPOSITORY[:TAG]')
          .description(
            'Bundle a package with every image it references: relocate them (--to-repo) or write one archive (--to-tar); the package is rewritten to the images by digest',
          )
          .option(
            '-t, --tag <name>',
            'name of the rewritten package image in the local store and the archive',
            collect,
            [],
          )
          .option(
            '-l, --label <key=value>',
            'image config label of a package built from a folder',
            collectKv,
            {},
          )
          .option('--allow-fixture-mismatch', 'build even when template test fixtures do not match', false)
          .option('-o, --output <format>', 'table or json', 'table'),
      ),
    ),
  ).action(
    (
      source: string,
      flags: StoreFlags &
        BundleFlags & { label: Record<string, string>; allowFixtureMismatch: boolean; output: string },
    ) =>
      setExit(
        (async () => {
          const output = checkOutput(flags.output);
          const store = await openStore(flags);
          const input = await packageInput(source, store, () => registryClient(flags));
          if (Object.keys(flags.label).length > 0) input.labels = { ...input.labels, ...flags.label };
          if (flags.allowFixtureMismatch) input.allowFixtureMismatch = true;
          await runBundle(input, flags, store, output);
          return 0;
        })(),
      ),
  );
}
