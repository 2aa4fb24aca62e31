/**
 * Issue 5 bench (b): build of a 2,000-file package (a kpt package of small Deployments and
 * ConfigMaps made by the benchmark) from its folder into the local OCI store: read, tar, gzip,
 * digest, store. Goal ≤ 500 ms. The baseline is `tar -czf` of the same folder in the same run.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFromFolder, storePackageImage } from '../src/build/index.js';
import { OciLayoutStore } from '../src/oci/index.js';
import { median, ms, timeRuns, type Row } from './support.js';

const FILES = 2000;

async function makePackage(dir: string): Promise<void> {
  await writeFile(join(dir, 'Kptfile'), 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\n');
  for (let i = 1; i < FILES; i++) {
    const sub = join(dir, `app-${Math.floor(i / 100)}`);
    await mkdir(sub, { recursive: true });
    const text =
      i % 2 === 0
        ? `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: a${i}}\n  template:\n    metadata:\n      labels: {app: a${i}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/team/app-${i}:v1.${i}\n`
        : `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\ndata:\n  value: "${'x'.repeat(200)}${i}"\n`;
    await writeFile(join(sub, `resource-${i}.yaml`), text);
  }
}

export async function pkgBuildBenchmarks(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'lading-bench-pkg-'));
  try {
    const src = join(dir, 'pkg');
    await mkdir(src);
    await makePackage(src);
    const store = await OciLayoutStore.open(join(dir, 'oci'));
    let digest = '';
    const times = await timeRuns(10, 2, async () => {
      const built = await buildFromFolder(src);
      digest = (await storePackageImage(store, built.image, ['bench:latest'])).digest;
    });
    const again = await buildFromFolder(src);
    if (again.image.digest !== digest) throw new Error('package build is not reproducible');
    const tarTimes = await timeRuns(10, 2, async () => {
      const r = spawnSync('tar', ['-czf', join(dir, 'baseline.tgz'), '-C', src, '.']);
      if (r.status !== 0) throw new Error(`tar failed: ${r.stderr.toString()}`);
      await Promise.resolve();
    });
    const figure = median(times);
    const baseline = median(tarTimes);
    return [
      {
        benchmark: `(b) pkg build, ${FILES}-file package into the local store`,
        figure: ms(figure),
        baseline: `${ms(baseline)} (tar -czf)`,
        ratio: `${(figure / baseline).toFixed(2)}×`,
        goal: '≤ 500 ms',
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
