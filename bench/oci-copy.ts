/**
 * Issue 5 bench (a): copy 20 synthetic images (random gzip layers, ~500 MB in all) from one
 * loopback distribution registry to another, with Lading and with `skopeo copy` in the same run.
 * Each round copies into fresh target registries; tools alternate (skopeo first) so neither gets
 * a warmer page cache; the best round of each counts.
 * `LADING_BENCH_OCI_MB` (total size, default 500), `LADING_BENCH_OCI_IMAGES` (default 20) and
 * `LADING_BENCH_OCI_ROUNDS` (default 2) scale it down for quick runs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, gzipSync } from 'node:zlib';
import {
  MediaType,
  RegistryClient,
  RegistryEndpoint,
  copyImages,
  encodeJson,
  sha256,
  type Descriptor,
  type ImageManifest,
} from '../src/oci/index.js';
import { registryUnavailable, startTestRegistry, type TestRegistry } from '../test/support/oci-registry.js';
import { type Row } from './support.js';

const run = promisify(execFile);
const IMAGES = Number(process.env['LADING_BENCH_OCI_IMAGES'] ?? 20);
const TOTAL_MB = Number(process.env['LADING_BENCH_OCI_MB'] ?? 500);
const ROUNDS = Number(process.env['LADING_BENCH_OCI_ROUNDS'] ?? 2);
const SKOPEO_PARALLEL = 4;

async function started(): Promise<TestRegistry> {
  const r = await startTestRegistry();
  if ('skip' in r) throw new Error(r.skip);
  return r;
}

/** Pushes `IMAGES` images of 3 random layers each (gzip, stored blocks: incompressible data). */
async function seed(
  client: RegistryClient,
  host: string,
): Promise<{ names: string[]; digests: Map<string, string>; bytes: number }> {
  const perImage = (TOTAL_MB * 1024 * 1024) / IMAGES;
  const names: string[] = [];
  const digests = new Map<string, string>();
  let bytes = 0;
  for (let i = 0; i < IMAGES; i += 1) {
    const repository = `bench/image-${String(i).padStart(2, '0')}`;
    const repo = { registry: host, repository };
    const layers: Descriptor[] = [];
    for (const share of [0.2, 0.3, 0.5]) {
      const layer = gzipSync(randomBytes(Math.max(1024, Math.floor(perImage * share))), {
        level: constants.Z_NO_COMPRESSION,
      });
      const d: Descriptor = { mediaType: MediaType.ociLayerGzip, digest: sha256(layer), size: layer.length };
      await client.pushBlob(repo, d, layer);
      layers.push(d);
      bytes += layer.length;
    }
    const config = encodeJson({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: layers.map(() => sha256(randomBytes(8))) },
    });
    await client.pushBlob(repo, { digest: sha256(config), size: config.length }, config);
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: sha256(config), size: config.length },
      layers,
    };
    const pushed = await client.pushManifest(
      { ...repo, tag: 'v1' },
      encodeJson(manifest),
      MediaType.ociManifest,
    );
    names.push(repository);
    digests.set(repository, pushed.digest);
  }
  return { names, digests, bytes };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function skopeoCopy(
  source: string,
  target: string,
  names: readonly string[],
  parallel: number,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++]!;
      await run('skopeo', [
        '--insecure-policy',
        'copy',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${source}/${name}:v1`,
        `docker://${target}/${name}:v1`,
      ]);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

async function check(
  client: RegistryClient,
  host: string,
  digests: Map<string, string>,
  who: string,
): Promise<void> {
  for (const [repository, digest] of digests) {
    const got = await client.headManifest({ registry: host, repository, tag: 'v1' });
    if (got?.digest !== digest)
      throw new Error(
        `${who} copy of ${repository} is wrong: ${got?.digest ?? 'missing'} instead of ${digest}`,
      );
  }
}

const seconds = (value: number): string => `${(value / 1000).toFixed(2)} s`;

export async function ociCopyBenchmarks(): Promise<Row[]> {
  const missing =
    (await registryUnavailable()) ??
    (await run('skopeo', ['--version']).then(
      () => undefined,
      () => 'skopeo is not installed',
    ));
  if (missing) {
    console.warn(`OCI copy benchmark skipped: ${missing}`);
    return [];
  }
  const client = new RegistryClient();
  const source = await started();
  try {
    const { names, digests, bytes } = await seed(client, source.host);
    const best = { lading: Infinity, skopeo: Infinity, skopeoParallel: Infinity };
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const tool of ['skopeo', 'skopeoParallel', 'lading'] as const) {
        const target = await started();
        try {
          const ms = await timed(async () => {
            if (tool === 'lading') {
              await copyImages(
                names.map((repository) => ({
                  source: new RegistryEndpoint(client, { registry: source.host, repository }),
                  sourceRef: 'v1',
                  target: new RegistryEndpoint(client, { registry: target.host, repository }),
                  targetRef: 'v1',
                })),
                { concurrency: 6 },
              );
            } else {
              await skopeoCopy(source.host, target.host, names, tool === 'skopeo' ? 1 : SKOPEO_PARALLEL);
            }
          });
          await check(client, target.host, digests, tool);
          best[tool] = Math.min(best[tool], ms);
          console.warn(`oci copy round ${round + 1}: ${tool} ${seconds(ms)}`);
        } finally {
          await target.stop();
        }
      }
    }
    const mb = (bytes / 1024 / 1024).toFixed(0);
    const rate = (ms: number): string => `${(bytes / 1024 / 1024 / (ms / 1000)).toFixed(0)} MB/s`;
    return [
      {
        benchmark: `(a) copy ${IMAGES} images (${mb} MB) registry → registry, Lading vs skopeo copy one by one`,
        figure: `${seconds(best.lading)} (${rate(best.lading)})`,
        baseline: `${seconds(best.skopeo)} (${rate(best.skopeo)})`,
        ratio: `${(best.lading / best.skopeo).toFixed(2)}×`,
        goal: '≤ 1× skopeo',
      },
      {
        benchmark: `(a) same, against ${SKOPEO_PARALLEL} skopeo copy processes in parallel`,
        figure: `${seconds(best.lading)}`,
        baseline: `${seconds(best.skopeoParallel)} (${rate(best.skopeoParallel)})`,
        ratio: `${(best.lading / best.skopeoParallel).toFixed(2)}×`,
      },
    ];
  } finally {
    await source.stop();
  }
}
