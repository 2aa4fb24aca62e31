/**
 * Copying images and indexes (multi-arch) between registries and the local store: every
 * manifest is read and verified first, then the blobs go with bounded parallelism (mounted when
 * source and target share a registry, skipped when present), then manifests, children before
 * their index, so a target never holds a manifest whose content is missing.
 */
import { setMaxListeners } from 'node:events';
import type { Digest } from './digest.js';
import { RegistryEndpoint, type ImageSource, type ImageTarget, type ManifestData } from './endpoints.js';
import { Limiter } from './limit.js';
import type { Descriptor } from './manifest.js';

export interface CopyProgress {
  bytesDone: number;
  /** Grows while manifests are discovered; final once `phase` is `blobs`. */
  bytesTotal: number;
  blobsDone: number;
  blobsTotal: number;
  phase: 'manifests' | 'blobs' | 'done';
}

export interface CopyOptions {
  /** Blob transfers in flight at once (default 6). */
  concurrency?: number;
  onProgress?: (progress: CopyProgress) => void;
  signal?: AbortSignal;
}

export interface CopyJob {
  source: ImageSource;
  /** Tag, digest or store name at the source. */
  sourceRef: string;
  target: ImageTarget;
  /** Tag (or store name) at the target; undefined stores the image by digest only. */
  targetRef?: string;
}

export interface CopyResult {
  /** The root manifest or index that was copied. */
  descriptor: Descriptor;
  manifests: number;
  blobs: { uploaded: number; mounted: number; existing: number };
  /** Bytes actually transferred (uploaded blobs). */
  bytes: number;
}

interface Plan {
  job: CopyJob;
  root: ManifestData;
  /** Children first, root last. */
  manifests: ManifestData[];
  blobs: Descriptor[];
  /** The target already holds the root by digest: only (re)tag. */
  present: boolean;
}

async function plan(job: CopyJob, signal?: AbortSignal): Promise<Plan> {
  const root = await job.source.fetchManifest(job.sourceRef, signal);
  const present = await job.target.hasManifest(root.descriptor.digest, signal).catch(() => false);
  if (present) return { job, root, manifests: [root], blobs: [], present };
  const manifests: ManifestData[] = [];
  const blobs = new Map<Digest, Descriptor>();
  const visit = async (m: ManifestData, depth: number): Promise<void> => {
    if (depth > 4)
      throw new Error(`${job.source.label}: indexes nest deeper than 4 levels at ${m.descriptor.digest}`);
    if (m.parsed.kind === 'index') {
      for (const child of m.parsed.index.manifests)
        await visit(await job.source.fetchManifest(child.digest, signal), depth + 1);
    } else {
      for (const d of [m.parsed.manifest.config, ...m.parsed.manifest.layers])
        if (!d.urls?.length) blobs.set(d.digest, d);
    }
    manifests.push(m);
  };
  await visit(root, 0);
  return { job, root, manifests, blobs: [...blobs.values()], present };
}

/**
 * Copies several images with one shared bound on parallel blob transfers, never moving the same
 * blob to the same target twice at once. Results are in job order. On the first error the rest
 * is cancelled and, once everything in flight settled, that error is thrown (the RegistryError,
 * DigestError or StoreError saying what failed where). Images completed before stay; a target
 * with an `end` hook (the store) removes what the failed copy wrote, leaving it as it was.
 */
export async function copyImages(jobs: readonly CopyJob[], options: CopyOptions = {}): Promise<CopyResult[]> {
  const limiter = new Limiter(options.concurrency ?? 6);
  const controller = new AbortController();
  // Every blob transfer and queued task listens on this one signal.
  setMaxListeners(0, controller.signal);
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;
  const progress: CopyProgress = {
    bytesDone: 0,
    bytesTotal: 0,
    blobsDone: 0,
    blobsTotal: 0,
    phase: 'manifests',
  };
  const report = (): void => options.onProgress?.({ ...progress });
  const tasks: Array<Promise<unknown>> = [];
  const written = new Map<ImageTarget, Set<Digest>>();
  const pinned = new Map<ImageTarget, Digest[]>();
  const wrote = (target: ImageTarget, digest: Digest): void => {
    if (!target.end) return;
    let set = written.get(target);
    if (!set) written.set(target, (set = new Set()));
    set.add(digest);
  };

  const inflight = new Map<string, Promise<'exists' | 'mounted' | 'uploaded'>>();
  const copyBlob = (p: Plan, blob: Descriptor): Promise<'exists' | 'mounted' | 'uploaded'> => {
    const key = `${p.job.target.label}\n${blob.digest}`;
    const running = inflight.get(key);
    if (running) return running.then(() => 'exists' as const);
    const { source, target } = p.job;
    const mountFrom =
      source instanceof RegistryEndpoint &&
      target instanceof RegistryEndpoint &&
      source.repo.registry === target.repo.registry &&
      source.client === target.client
        ? source.repo.repository
        : undefined;
    const task = limiter.run(async () => {
      let counted = 0;
      const result = await target.writeBlob(blob, () => source.openBlob(blob, signal), {
        signal,
        ...(mountFrom ? { mountFrom } : {}),
        onProgress: (bytes) => {
          progress.bytesDone += bytes - counted;
          counted = bytes;
          report();
        },
      });
      if (result === 'uploaded') wrote(target, blob.digest);
      progress.bytesDone += blob.size - counted;
      progress.blobsDone += 1;
      report();
      return result;
    }, signal);
    inflight.set(key, task);
    tasks.push(task);
    return task;
  };

  const copyPlan = async (p: Plan): Promise<CopyResult> => {
    const result: CopyResult = {
      descriptor: p.root.descriptor,
      manifests: p.manifests.length,
      blobs: { uploaded: 0, mounted: 0, existing: 0 },
      bytes: 0,
    };
    const outcomes = await Promise.all(p.blobs.map((b) => copyBlob(p, b)));
    outcomes.forEach((o, i) => {
      if (o === 'uploaded') {
        result.blobs.uploaded += 1;
        result.bytes += p.blobs[i]!.size;
      } else if (o === 'mounted') result.blobs.mounted += 1;
      else result.blobs.existing += 1;
    });
    const target = p.job.target;
    for (const m of p.manifests) {
      const isRoot = m === p.root;
      if (!isRoot || !p.present || p.job.targetRef !== undefined) {
        await limiter.run(async () => {
          const existed = target.end ? await target.hasManifest(m.descriptor.digest, signal) : true;
          await target.writeManifest(m, isRoot ? p.job.targetRef : undefined, signal);
          if (!existed) wrote(target, m.descriptor.digest);
        }, signal);
      }
      progress.bytesDone += m.bytes.length;
    }
    report();
    return result;
  };

  let failure: { error: unknown } | undefined;
  let results: CopyResult[] = [];
  try {
    const plans = await Promise.all(jobs.map((job) => limiter.run(() => plan(job, signal), signal)));
    for (const p of plans) {
      for (const b of p.blobs) progress.bytesTotal += b.size;
      for (const m of p.manifests) progress.bytesTotal += m.bytes.length;
      progress.blobsTotal += p.blobs.length;
      const digests = [...p.blobs.map((b) => b.digest), ...p.manifests.map((m) => m.descriptor.digest)];
      if (p.job.target.begin) {
        p.job.target.begin(digests);
        pinned.set(p.job.target, [...(pinned.get(p.job.target) ?? []), ...digests]);
      }
    }
    progress.phase = 'blobs';
    report();
    const settled = await Promise.allSettled(plans.map((p) => copyPlan(p)));
    const rejected = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (rejected) throw rejected.reason;
    results = settled.map((r) => (r as PromiseFulfilledResult<CopyResult>).value);
  } catch (error) {
    failure = { error };
    controller.abort(error);
    await Promise.allSettled(tasks);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    for (const [target, digests] of pinned) {
      await target.end?.(digests, {
        failed: failure !== undefined,
        written: [...(written.get(target) ?? [])],
      });
    }
  }
  if (failure) throw failure.error;
  progress.phase = 'done';
  report();
  return results;
}

/** Copies one image or index; see copyImages. */
export async function copyImage(job: CopyJob, options: CopyOptions = {}): Promise<CopyResult> {
  const [result] = await copyImages([job], options);
  return result!;
}
