/**
 * `lading pkg push|pull|copy|save|load`: package images between the local store, registries and
 * oci-archive files, with a progress bar on a terminal and `-o json`.
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { BadRequestError } from '../apimachinery/index.js';
import {
  copyRemote,
  loadImages,
  loadToRepo,
  looksRemote,
  parseRepoPrefix,
  pullPackage,
  pushImage,
  remoteReference,
  saveImages,
  type PackageFileMap,
} from '../build/index.js';
import { formatReference } from '../oci/index.js';
import {
  checkOutput,
  collect,
  concurrency,
  formatBytes,
  json,
  openStore,
  registryClient,
  remoteOptions,
  storeOptions,
  table,
  type RemoteFlags,
  type StoreFlags,
} from './pkg-common.js';
import { withProgress } from './pkg-progress.js';

type Flags = StoreFlags & RemoteFlags & { output: string };

function remote(text: string, what: string): ReturnType<typeof remoteReference> {
  if (!looksRemote(text))
    throw new BadRequestError(
      `${what} "${text}" must name its registry, e.g. "registry.example.com/team/app:v1" or "127.0.0.1:5000/app:v1"`,
    );
  return remoteReference(text, what);
}

/** Writes `files` under `dir`, which must be missing or empty. Paths were checked when read. */
async function writeFiles(dir: string, files: PackageFileMap): Promise<void> {
  const existing = await readdir(dir).catch(() => undefined);
  if (existing && existing.length > 0)
    throw new BadRequestError(`--dir "${dir}" is not empty; give a new or empty folder`);
  for (const [path, bytes] of files) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
}

export function registerPkgTransfer(pkg: Command, setExit: (run: Promise<number>) => void): void {
  remoteOptions(
    storeOptions(
      pkg
        .command('push')
        .argument('<name>', 'image name or digest in the local store')
        .argument('[reference]', 'where to push (REGISTRY/REPOSITORY[:TAG]); default NAME itself')
        .description('Push a package image from the local store to a registry')
        .option('-o, --output <format>', 'table or json', 'table'),
    ),
  ).action((name: string, reference: string | undefined, flags: Flags) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const ref = remote(reference ?? name, 'push reference');
        const store = await openStore(flags);
        const client = await registryClient(flags);
        const result = await withProgress(`push ${formatReference(ref)}`, (onProgress) =>
          pushImage(store, name, client, ref, {
            concurrency: concurrency(flags),
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        const row = {
          reference: formatReference(ref),
          digest: result.descriptor.digest,
          uploaded: result.blobs.uploaded,
          existing: result.blobs.existing + result.blobs.mounted,
          bytes: result.bytes,
        };
        process.stdout.write(
          output === 'json'
            ? json(row)
            : table(
                ['Reference', 'Digest', 'Blobs Uploaded', 'Blobs Present', 'Size'],
                [[row.reference, row.digest, row.uploaded, row.existing, formatBytes(row.bytes)]],
              ),
        );
        return 0;
      })(),
    ),
  );

  remoteOptions(
    storeOptions(
      pkg
        .command('pull')
        .argument('<reference>', 'package image to pull (REGISTRY/REPOSITORY[:TAG|@DIGEST])')
        .description(
          'Pull a package image into the local store; its files are read back and verified before it is stored',
        )
        .option(
          '-t, --tag <name>',
          'name in the local store (repeatable; default the reference)',
          collect,
          [],
        )
        .option('-d, --dir <dir>', 'also write the package files into this new or empty folder')
        .option('-o, --output <format>', 'table or json', 'table'),
    ),
  ).action((reference: string, flags: Flags & { tag: string[]; dir?: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const ref = remote(reference, 'pull reference');
        const store = await openStore(flags);
        const client = await registryClient(flags);
        const names = flags.tag.length > 0 ? flags.tag : [reference];
        const result = await withProgress(`pull ${formatReference(ref)}`, (onProgress) =>
          pullPackage(store, client, ref, names, {
            concurrency: concurrency(flags),
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        if (flags.dir !== undefined) await writeFiles(flags.dir, result.files);
        const row = {
          reference: formatReference(ref),
          digest: result.descriptor.digest,
          names: result.names,
          files: [...result.files].map(([path, bytes]) => ({ path, size: bytes.length })),
          bytes: result.bytes,
          ...(flags.dir !== undefined ? { dir: flags.dir } : {}),
        };
        process.stdout.write(
          output === 'json'
            ? json(row)
            : table(
                ['Reference', 'Digest', 'Files', 'Names'],
                [[row.reference, row.digest, row.files.length, row.names.join(',')]],
              ),
        );
        return 0;
      })(),
    ),
  );

  remoteOptions(
    pkg
      .command('copy')
      .argument('<source>', 'image to copy (REGISTRY/REPOSITORY[:TAG|@DIGEST]); indexes copy whole')
      .argument('<target>', 'where to (REGISTRY/REPOSITORY[:TAG])')
      .description('Copy an image or index from one registry repository to another, verifying every blob')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((source: string, target: string, flags: RemoteFlags & { output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const from = remote(source, 'copy source');
        const to = remote(target, 'copy target');
        const client = await registryClient(flags);
        const result = await withProgress(`copy ${formatReference(to)}`, (onProgress) =>
          copyRemote(client, from, to, {
            concurrency: concurrency(flags),
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        const row = {
          source: formatReference(from),
          target: formatReference(to),
          digest: result.descriptor.digest,
          manifests: result.manifests,
          blobs: result.blobs,
          bytes: result.bytes,
        };
        process.stdout.write(
          output === 'json'
            ? json(row)
            : table(
                ['Target', 'Digest', 'Manifests', 'Blobs Uploaded', 'Blobs Mounted', 'Blobs Present', 'Size'],
                [
                  [
                    row.target,
                    row.digest,
                    row.manifests,
                    row.blobs.uploaded,
                    row.blobs.mounted,
                    row.blobs.existing,
                    formatBytes(row.bytes),
                  ],
                ],
              ),
        );
        return 0;
      })(),
    ),
  );

  storeOptions(
    pkg
      .command('save')
      .argument('[names...]', 'image names in the local store (default every named image)')
      .description('Write images of the local store into one oci-archive tar (skopeo oci-archive: reads it)')
      .requiredOption('-f, --file <file>', 'archive to write')
      .option('-o, --output <format>', 'table or json', 'table'),
  ).action((names: string[], flags: StoreFlags & { file: string; output: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const result = await saveImages(await openStore(flags), names, flags.file);
        process.stdout.write(
          output === 'json'
            ? json(result)
            : table(
                ['File', 'Images', 'Size'],
                [[result.file, result.refs.join(','), formatBytes(result.bytes)]],
              ),
        );
        return 0;
      })(),
    ),
  );

  remoteOptions(
    storeOptions(
      pkg
        .command('load')
        .argument(
          '<file>',
          'oci-archive tar (from `lading pkg save`, `lading pkg bundle --to-tar` or skopeo)',
        )
        .description(
          'Load an oci-archive into the local store, or with --to-repo straight into a registry (bundles are relocated there)',
        )
        .option('--to-repo <registry/prefix>', 'push the images under this registry and repository prefix')
        .option('--name <name>', 'name for an archive image that carries none')
        .option('-o, --output <format>', 'table or json', 'table'),
    ),
  ).action((file: string, flags: Flags & { toRepo?: string; name?: string }) =>
    setExit(
      (async () => {
        const output = checkOutput(flags.output);
        const store = await openStore(flags);
        if (flags.toRepo !== undefined) {
          const target = parseRepoPrefix(flags.toRepo);
          const client = await registryClient(flags);
          const result = await withProgress(`load ${flags.toRepo}`, (onProgress) =>
            loadToRepo(file, {
              client,
              store,
              target,
              concurrency: concurrency(flags),
              ...(onProgress ? { onProgress } : {}),
            }),
          );
          process.stdout.write(
            output === 'json'
              ? json(result)
              : table(
                  ['Kind', 'Source', 'Target'],
                  [
                    ...result.packages.map((p) => ['package', p.name, `${p.reference}@${p.digest}`]),
                    ...result.images.map((i) => ['image', i.source, i.target]),
                  ],
                ),
          );
          return 0;
        }
        const result = await withProgress(`load ${file}`, (onProgress) =>
          loadImages(store, file, {
            ...(flags.name !== undefined ? { defaultName: flags.name } : {}),
            ...(onProgress ? { onProgress } : {}),
          }),
        );
        process.stdout.write(
          output === 'json'
            ? json(result)
            : table(
                ['Name', 'Digest', 'Package'],
                result.images.map((i) => [i.name, i.descriptor.digest, i.package ? 'yes' : 'no']),
              ),
        );
        return 0;
      })(),
    ),
  );
}
