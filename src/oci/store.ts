/**
 * A local, content-addressed OCI image layout in a directory: `oci-layout`, `index.json` (one
 * descriptor per reference, named by `org.opencontainers.image.ref.name`), `blobs/sha256/<hex>`.
 * Blobs are written to a temp file, verified, then renamed into place; `index.json` is replaced
 * atomically. Safe to use concurrently within one process (index updates are serialised);
 * blobs may be written by several processes at once (same digest, same bytes).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Digester, digestHex, isDigest, sha256, verifyBytes, verifyStream, type Digest } from './digest.js';
import {
  Annotation,
  childDescriptors,
  encodeJson,
  MediaType,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ParsedManifest,
} from './manifest.js';

export const OCI_LAYOUT_VERSION = '1.0.0';

/** A store operation failed; the message names the store directory and the object. */
export class StoreError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreError';
  }
}

/** One named entry of `index.json`. */
export interface StoreRef {
  name: string;
  descriptor: Descriptor;
}

export interface StoredManifest {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

export interface GcResult {
  /** Blobs removed. */
  removed: Digest[];
  freedBytes: number;
  /** Blobs kept (reachable from index.json). */
  kept: number;
}

export interface VerifyProblem {
  digest?: Digest;
  message: string;
}

export class OciLayoutStore {
  readonly dir: string;
  private indexQueue: Promise<unknown> = Promise.resolve();
  /** Digests an in-flight copy of this process relies on: gc and rollbacks keep them. */
  private readonly pins = new Map<Digest, number>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens (and with `create`, the default, initialises) a layout directory. */
  static async open(dir: string, options: { create?: boolean } = {}): Promise<OciLayoutStore> {
    const store = new OciLayoutStore(dir);
    const layoutFile = join(dir, 'oci-layout');
    let layout: string | undefined;
    try {
      layout = await readFile(layoutFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new StoreError(`cannot read "${layoutFile}"`, { cause: err });
    }
    if (layout === undefined) {
      if (options.create === false)
        throw new StoreError(`"${dir}" is not an OCI image layout: "oci-layout" is missing`);
      await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
      await store.writeFileAtomic('oci-layout', encodeJson({ imageLayoutVersion: OCI_LAYOUT_VERSION }));
      await stat(join(dir, 'index.json')).catch(() =>
        store.writeIndex({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] }),
      );
    } else {
      let version: unknown;
      try {
        version = (JSON.parse(layout) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
      } catch (err) {
        throw new StoreError(`"${layoutFile}" is not valid JSON`, { cause: err });
      }
      if (typeof version !== 'string' || !version.startsWith('1.')) {
        throw new StoreError(
          `"${layoutFile}" declares image layout version ${JSON.stringify(version)}; only 1.x is supported`,
        );
      }
    }
    return store;
  }

  private tmpPath(): string {
    return join(this.dir, '.tmp', `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`);
  }

  private async writeFileAtomic(name: string, data: Uint8Array): Promise<void> {
    await mkdir(join(this.dir, '.tmp'), { recursive: true });
    const tmp = this.tmpPath();
    await writeFile(tmp, data);
    await rename(tmp, join(this.dir, name));
  }

  blobPath(digest: Digest): string {
    return join(this.dir, 'blobs', digest.slice(0, digest.indexOf(':')), digestHex(digest));
  }

  /** The blob's size, or undefined when the store does not have it. */
  async hasBlob(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.blobPath(digest))).size;
    } catch {
      return undefined;
    }
  }

  /** Streams a blob; with `verify` (default) the stream throws at the end if the file was corrupted. */
  openBlob(
    descriptor: { digest: Digest; size?: number },
    options: { verify?: boolean; signal?: AbortSignal } = {},
  ): AsyncIterable<Buffer> {
    const file = createReadStream(this.blobPath(descriptor.digest), {
      highWaterMark: 1024 * 1024,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (options.verify === false) return file as AsyncIterable<Buffer>;
    return verifyStream(file as AsyncIterable<Buffer>, descriptor.digest, {
      ...(descriptor.size !== undefined ? { size: descriptor.size } : {}),
      what: `blob ${descriptor.digest} in the store "${this.dir}"`,
    });
  }

  /** A small blob in memory, verified. */
  async readBlob(digest: Digest, maxBytes = 16 * 1024 * 1024): Promise<Buffer> {
    const size = await this.hasBlob(digest);
    if (size === undefined) throw new StoreError(`blob ${digest} is not in the store "${this.dir}"`);
    if (size > maxBytes)
      throw new StoreError(
        `blob ${digest} in the store "${this.dir}" is ${size} bytes, more than ${maxBytes} to read into memory`,
      );
    const data = await readFile(this.blobPath(digest));
    verifyBytes(data, digest, `blob ${digest} in the store "${this.dir}"`);
    return data;
  }

  /**
   * Writes a blob from bytes or a stream to a temp file, hashing it; renames it into place only
   * when it matches `expected` (when given). Returns its digest and size. Existing blobs are kept.
   */
  async writeBlob(
    source: Uint8Array | AsyncIterable<Uint8Array>,
    expected?: { digest: Digest; size?: number },
    options: { signal?: AbortSignal; onProgress?: (bytes: number) => void } = {},
  ): Promise<{ digest: Digest; size: number }> {
    if (expected && (await this.hasBlob(expected.digest)) !== undefined) {
      if (!(source instanceof Uint8Array)) await drain(source);
      return { digest: expected.digest, size: expected.size ?? (await this.hasBlob(expected.digest))! };
    }
    await mkdir(join(this.dir, '.tmp'), { recursive: true });
    const tmp = this.tmpPath();
    const digester = new Digester();
    try {
      if (source instanceof Uint8Array) {
        digester.update(source);
        await writeFile(tmp, source);
      } else {
        const onProgress = options.onProgress;
        await pipeline(
          Readable.from(
            (async function* () {
              for await (const chunk of source) {
                digester.update(chunk);
                onProgress?.(digester.size);
                yield chunk;
              }
            })(),
          ),
          createWriteStream(tmp),
          ...(options.signal ? [{ signal: options.signal }] : []),
        );
      }
      const digest = digester.digest();
      if (expected) {
        if (expected.size !== undefined && expected.size !== digester.size) {
          throw new StoreError(
            `blob ${expected.digest} has ${digester.size} bytes, not the ${expected.size} its descriptor says; not stored`,
          );
        }
        if (digest !== expected.digest)
          throw new StoreError(
            `blob ${expected.digest} does not match its digest (got ${digest}); not stored`,
          );
      }
      await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
      await rename(tmp, this.blobPath(digest));
      return { digest, size: digester.size };
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /** Stores manifest or index bytes as a blob and returns its descriptor (not yet named). */
  async writeManifest(bytes: Uint8Array, mediaType?: string): Promise<Descriptor> {
    const parsed = parseManifest(bytes, mediaType);
    const digest = sha256(bytes);
    await this.writeBlob(bytes, { digest, size: bytes.byteLength });
    return { mediaType: mediaType ?? parsed.mediaType, digest, size: bytes.byteLength };
  }

  /** Reads a manifest or index by reference name or digest (verified and parsed). */
  async fetchManifest(nameOrDigest: string): Promise<StoredManifest> {
    let descriptor: Descriptor | undefined;
    if (isDigest(nameOrDigest)) {
      const size = await this.hasBlob(nameOrDigest);
      if (size !== undefined) descriptor = { mediaType: '', digest: nameOrDigest, size };
    } else {
      descriptor = await this.resolve(nameOrDigest);
    }
    if (!descriptor) throw new StoreError(`"${nameOrDigest}" is not in the store "${this.dir}"`);
    const bytes = await this.readBlob(descriptor.digest, 4 * 1024 * 1024);
    const parsed = parseManifest(
      bytes,
      descriptor.mediaType || undefined,
      `manifest ${descriptor.digest} in the store "${this.dir}"`,
    );
    return { descriptor: { ...descriptor, mediaType: parsed.mediaType }, bytes, parsed };
  }

  /** `index.json` as stored. */
  async readIndex(): Promise<ImageIndex> {
    const path = join(this.dir, 'index.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new StoreError(`cannot read "${path}"`, { cause: err });
    }
    const parsed = parseManifest(Buffer.from(text), MediaType.ociIndex, `"${path}"`);
    if (parsed.kind !== 'index') throw new StoreError(`"${path}" is not an image index`);
    return parsed.index;
  }

  private async writeIndex(index: ImageIndex): Promise<void> {
    await this.writeFileAtomic('index.json', encodeJson(index));
  }

  /** Runs `change` on index.json under the store's lock and writes the result atomically. */
  async updateIndex(change: (index: ImageIndex) => ImageIndex | Promise<ImageIndex>): Promise<void> {
    const next = this.indexQueue.then(async () => this.writeIndex(await change(await this.readIndex())));
    this.indexQueue = next.catch(() => undefined);
    await next;
  }

  /** Every named reference, in index order. Unnamed entries are left out. */
  async listRefs(): Promise<StoreRef[]> {
    const index = await this.readIndex();
    return index.manifests
      .filter((d) => d.annotations?.[Annotation.refName] !== undefined)
      .map((d) => ({ name: d.annotations![Annotation.refName]!, descriptor: d }));
  }

  async resolve(name: string): Promise<Descriptor | undefined> {
    return (await this.listRefs()).find((r) => r.name === name)?.descriptor;
  }

  /** Names a stored manifest (replacing what the name pointed at). The manifest must be stored. */
  async tag(name: string, descriptor: Descriptor): Promise<void> {
    if ((await this.hasBlob(descriptor.digest)) === undefined) {
      throw new StoreError(
        `cannot name "${name}": manifest ${descriptor.digest} is not in the store "${this.dir}"`,
      );
    }
    await this.updateIndex((index) => ({
      ...index,
      manifests: [
        ...index.manifests.filter((d) => d.annotations?.[Annotation.refName] !== name),
        { ...descriptor, annotations: { ...descriptor.annotations, [Annotation.refName]: name } },
      ],
    }));
  }

  /** Removes a name; true when it existed. Blobs stay until `gc`. */
  async untag(name: string): Promise<boolean> {
    let found = false;
    await this.updateIndex((index) => {
      const manifests = index.manifests.filter((d) => d.annotations?.[Annotation.refName] !== name);
      found = manifests.length !== index.manifests.length;
      return { ...index, manifests };
    });
    return found;
  }

  /** Protects blobs an operation is about to reference from gc and from other operations' rollback. */
  pin(digests: Iterable<Digest>): void {
    for (const d of digests) this.pins.set(d, (this.pins.get(d) ?? 0) + 1);
  }

  unpin(digests: Iterable<Digest>): void {
    for (const d of digests) {
      const n = (this.pins.get(d) ?? 0) - 1;
      if (n > 0) this.pins.set(d, n);
      else this.pins.delete(d);
    }
  }

  /**
   * Removes blobs a failed operation wrote, unless index.json reaches them or another operation
   * pinned them, so the store is as it was before. Runs under the index lock.
   */
  async rollback(written: Iterable<Digest>): Promise<void> {
    const candidates = [...written];
    if (candidates.length === 0) return;
    await this.updateIndex(async (index) => {
      const keep = await this.reachableFrom(index.manifests);
      for (const d of candidates)
        if (!keep.has(d) && !this.pins.has(d)) await rm(this.blobPath(d), { force: true });
      return index;
    });
  }

  /** Every blob digest in `blobs/`. */
  async listBlobs(): Promise<Digest[]> {
    const out: Digest[] = [];
    for (const algorithm of ['sha256', 'sha512']) {
      const names = await readdir(join(this.dir, 'blobs', algorithm)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const digest = `${algorithm}:${name}`;
        if (isDigest(digest)) out.push(digest);
      }
    }
    return out;
  }

  /** Digests reachable from index.json (manifests, indexes, configs, layers, subjects). */
  async reachable(): Promise<Set<Digest>> {
    return this.reachableFrom((await this.readIndex()).manifests);
  }

  /** Digests reachable from `roots`; manifests missing from the store end the walk there. */
  async reachableFrom(roots: readonly Descriptor[]): Promise<Set<Digest>> {
    const seen = new Set<Digest>();
    const queue: Descriptor[] = [...roots];
    while (queue.length > 0) {
      const d = queue.pop()!;
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      if (!isManifestLike(d.mediaType) || (await this.hasBlob(d.digest)) === undefined) continue;
      const parsed = parseManifest(await this.readBlob(d.digest), d.mediaType);
      queue.push(...childDescriptors(parsed));
      const subject = parsed.kind === 'index' ? parsed.index.subject : parsed.manifest.subject;
      if (subject) queue.push(subject);
    }
    return seen;
  }

  /**
   * Removes every blob not reachable from index.json, and stale temp files. Holds the index lock,
   * so names added meanwhile wait; blobs being written by a concurrent copy (not yet named) are
   * kept only if younger than `graceMs` (default 1 hour).
   */
  async gc(options: { graceMs?: number; dryRun?: boolean } = {}): Promise<GcResult> {
    const grace = options.graceMs ?? 60 * 60 * 1000;
    const result: GcResult = { removed: [], freedBytes: 0, kept: 0 };
    await this.updateIndex(async (index) => {
      const keep = await this.reachable();
      const now = Date.now();
      for (const digest of await this.listBlobs()) {
        if (keep.has(digest) || this.pins.has(digest)) {
          result.kept += 1;
          continue;
        }
        const info = await stat(this.blobPath(digest)).catch(() => undefined);
        if (!info || now - info.mtimeMs < grace) {
          result.kept += 1;
          continue;
        }
        if (!options.dryRun) await rm(this.blobPath(digest), { force: true });
        result.removed.push(digest);
        result.freedBytes += info.size;
      }
      for (const name of await readdir(join(this.dir, '.tmp')).catch(() => [] as string[])) {
        const path = join(this.dir, '.tmp', name);
        const info = await stat(path).catch(() => undefined);
        if (info && now - info.mtimeMs >= grace && !options.dryRun)
          await rm(path, { recursive: true, force: true });
      }
      return index;
    });
    return result;
  }

  /** Re-hashes every blob and checks everything index.json reaches exists. Returns the problems. */
  async verify(options: { signal?: AbortSignal } = {}): Promise<VerifyProblem[]> {
    const problems: VerifyProblem[] = [];
    for (const digest of await this.listBlobs()) {
      try {
        await drain(this.openBlob({ digest }, options));
      } catch (err) {
        problems.push({ digest, message: (err as Error).message });
      }
    }
    for (const digest of await this.reachable().catch((err: unknown) => {
      problems.push({ message: `cannot walk index.json: ${(err as Error).message}` });
      return new Set<Digest>();
    })) {
      if ((await this.hasBlob(digest)) === undefined)
        problems.push({ digest, message: `blob ${digest} is referenced but missing` });
    }
    return problems;
  }
}

function isManifestLike(mediaType: string): boolean {
  return /manifest|index/.test(mediaType);
}

async function drain(source: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of source) {
    /* consume */
  }
}
