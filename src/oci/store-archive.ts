/**
 * `oci-archive`: a tar of an OCI image layout (`oci-layout`, `index.json`, `blobs/…`), as skopeo
 * and buildah read and write it. Saving is deterministic; loading verifies every blob against its
 * name and every manifest the archive's index reaches, and changes the store only after the whole
 * archive was read and found complete (a bad or truncated archive leaves the store unchanged).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digester, digestHex, isDigest, type Digest } from './digest.js';
import {
  Annotation,
  childDescriptors,
  encodeJson,
  MediaType,
  parseManifest,
  type Descriptor,
  type ImageIndex,
} from './manifest.js';
import { StoreError, type OciLayoutStore } from './store.js';
import { readTar, type TarReaderOptions } from './tar-reader.js';
import { DETERMINISTIC_TAR, writeTar, type TarInput } from './tar-writer.js';

export interface SaveOptions {
  /** Reference names to include (default all). */
  refs?: readonly string[];
  signal?: AbortSignal;
}

/**
 * The archive as a stream of tar chunks: the layout with only the chosen references and the
 * blobs they reach. Throws a StoreError when a name is unknown or a reached blob is missing.
 */
export async function* saveArchive(store: OciLayoutStore, options: SaveOptions = {}): AsyncGenerator<Buffer> {
  const index = await store.readIndex();
  let manifests = index.manifests;
  if (options.refs) {
    const wanted = new Set(options.refs);
    manifests = manifests.filter((d) => wanted.has(d.annotations?.[Annotation.refName] ?? ''));
    const found = new Set(manifests.map((d) => d.annotations?.[Annotation.refName]));
    const missing = options.refs.filter((r) => !found.has(r));
    if (missing.length > 0)
      throw new StoreError(
        `cannot save: ${missing.map((m) => `"${m}"`).join(', ')} not in the store "${store.dir}"`,
      );
  }
  const digests = [...(await store.reachableFrom(manifests))].sort();
  const sizes = new Map<Digest, number>();
  for (const digest of digests) {
    const size = await store.hasBlob(digest);
    if (size === undefined)
      throw new StoreError(
        `cannot save: blob ${digest} is referenced but missing from the store "${store.dir}"; run a verify`,
      );
    sizes.set(digest, size);
  }
  const out: ImageIndex = { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests };
  if (index.annotations) out.annotations = index.annotations;
  function* entries(): Generator<TarInput> {
    yield { name: 'oci-layout', body: encodeJson({ imageLayoutVersion: '1.0.0' }) };
    yield { name: 'index.json', body: encodeJson(out) };
    yield { name: 'blobs', type: 'directory' };
    const algorithms = [...new Set(digests.map((d) => d.slice(0, d.indexOf(':'))))];
    for (const algorithm of algorithms) {
      yield { name: `blobs/${algorithm}`, type: 'directory' };
      for (const digest of digests.filter((d) => d.startsWith(`${algorithm}:`))) {
        yield {
          name: `blobs/${algorithm}/${digestHex(digest)}`,
          size: sizes.get(digest)!,
          body: () =>
            store.openBlob(
              { digest, size: sizes.get(digest)! },
              options.signal ? { signal: options.signal } : {},
            ),
        };
      }
    }
  }
  yield* writeTar(entries(), { ...DETERMINISTIC_TAR, ...(options.signal ? { signal: options.signal } : {}) });
}

export interface LoadOptions extends Pick<TarReaderOptions, 'maxEntrySize' | 'maxTotalSize'> {
  signal?: AbortSignal;
  /** Name for entries of the archive's index that carry no ref name (e.g. a single unnamed image). */
  defaultName?: string;
}

/** What a load added: the archive's index entries as named in the store. */
export interface LoadResult {
  refs: Array<{ name: string | undefined; descriptor: Descriptor }>;
  blobsAdded: number;
  blobsPresent: number;
}

/**
 * Loads an (uncompressed) oci-archive into the store. Every blob goes to a temp file and is
 * checked against its file name; then everything the archive's index reaches must be in the
 * archive or already in the store. Only then are blobs renamed into place and names added.
 * Throws a StoreError (or TarError) and leaves the store as it was otherwise.
 */
export async function loadArchive(
  store: OciLayoutStore,
  source: AsyncIterable<Uint8Array>,
  options: LoadOptions = {},
): Promise<LoadResult> {
  const staging = join(
    store.dir,
    '.tmp',
    `load-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`,
  );
  await mkdir(staging, { recursive: true });
  const staged = new Map<Digest, string>();
  try {
    let index: ImageIndex | undefined;
    let layout = false;
    let n = 0;
    for await (const entry of readTar(source, { ...options, maxEntries: 10_000_000 })) {
      const { name, type } = entry.header;
      if (type === 'directory') continue;
      if (name === 'oci-layout') {
        const text = (await entry.buffer(64 * 1024)).toString('utf8');
        const version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
        if (typeof version !== 'string' || !version.startsWith('1.'))
          throw new StoreError(
            `archive's oci-layout declares version ${JSON.stringify(version)}; only 1.x is supported`,
          );
        layout = true;
        continue;
      }
      if (name === 'index.json') {
        const parsed = parseManifest(
          await entry.buffer(4 * 1024 * 1024),
          MediaType.ociIndex,
          "archive's index.json",
        );
        if (parsed.kind !== 'index') throw new StoreError("archive's index.json is not an image index");
        index = parsed.index;
        continue;
      }
      const m = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(name);
      if (!m) continue; // other files (e.g. a docker manifest.json) are not part of the layout
      const digest = `${m[1]}:${m[2]}`;
      if (!isDigest(digest)) throw new StoreError(`archive entry "${name}" is not named by a valid digest`);
      if (type !== 'file')
        throw new StoreError(`archive entry "${name}" must be a regular file, not a ${type}`);
      const tmp = join(staging, String((n += 1)));
      const digester = new Digester(m[1] as 'sha256' | 'sha512');
      await pipeline(
        Readable.from(
          (async function* () {
            for await (const chunk of entry.body()) {
              digester.update(chunk);
              yield chunk;
            }
          })(),
        ),
        createWriteStream(tmp),
        ...(options.signal ? [{ signal: options.signal }] : []),
      );
      const actual = digester.digest();
      if (actual !== digest)
        throw new StoreError(
          `archive blob "${name}" does not match its name: its content hashes to ${actual}`,
        );
      staged.set(digest, tmp);
    }
    if (!index) throw new StoreError('archive has no index.json: it is not an OCI layout archive');
    if (!layout) throw new StoreError('archive has no oci-layout file: it is not an OCI layout archive');

    // Everything the index reaches must be here or already stored.
    const queue = [...index.manifests];
    const seen = new Set<Digest>();
    while (queue.length > 0) {
      const d = queue.pop()!;
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      const path =
        staged.get(d.digest) ??
        ((await store.hasBlob(d.digest)) !== undefined ? store.blobPath(d.digest) : undefined);
      if (!path)
        throw new StoreError(
          `archive is incomplete: blob ${d.digest} (${d.mediaType}) is referenced but neither in the archive nor in the store`,
        );
      const size = (await stat(path)).size;
      if (size !== d.size)
        throw new StoreError(`archive blob ${d.digest} has ${size} bytes, but its descriptor says ${d.size}`);
      if (/manifest|index/.test(d.mediaType)) {
        if (size > 4 * 1024 * 1024) throw new StoreError(`archive manifest ${d.digest} is larger than 4 MiB`);
        const parsed = parseManifest(await readFile(path), d.mediaType, `archive manifest ${d.digest}`);
        queue.push(...childDescriptors(parsed));
      }
    }

    // Commit: blobs first (content-addressed, harmless if we stop here), then names.
    let added = 0;
    let present = 0;
    await mkdir(join(store.dir, 'blobs', 'sha256'), { recursive: true });
    for (const [digest, tmp] of staged) {
      if ((await store.hasBlob(digest)) !== undefined) {
        present += 1;
        continue;
      }
      await mkdir(join(store.dir, 'blobs', digest.slice(0, digest.indexOf(':'))), { recursive: true });
      await rename(tmp, store.blobPath(digest));
      added += 1;
    }
    const refs = index.manifests.map((d) => {
      const named = d.annotations?.[Annotation.refName] ?? options.defaultName;
      return { name: named, descriptor: d };
    });
    await store.updateIndex((current) => {
      let manifests = current.manifests;
      for (const { name, descriptor } of refs) {
        if (name === undefined) {
          if (
            !manifests.some(
              (m) => m.digest === descriptor.digest && m.annotations?.[Annotation.refName] === undefined,
            )
          )
            manifests = [...manifests, descriptor];
          continue;
        }
        manifests = [
          ...manifests.filter((m) => m.annotations?.[Annotation.refName] !== name),
          { ...descriptor, annotations: { ...descriptor.annotations, [Annotation.refName]: name } },
        ];
      }
      return { ...current, manifests };
    });
    return { refs, blobsAdded: added, blobsPresent: present };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
