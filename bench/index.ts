/**
 * `npm run bench`: the API server's figures against their baselines, measured in this run.
 * (a) LIST of 10,000 ~1 KB ConfigMaps, full and paged, vs a bare node:http server serving the
 *     same JSON from memory; (b) create throughput on SQLite and PostgreSQL; (c) watch latency
 *     from write to event; (d) cold start with 100,000 stored objects; (e) RSS after (a).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startLading, REPO_ROOT } from '../test/support/lading-server.js';
import { startPostgres } from '../test/support/postgres.js';
import { coldStart } from './cold-start.js';
import { createMany, getText, median, mib, ms, printTable, rssBytes, timeRuns, type Row } from './support.js';
import { watchLatency } from './watch-latency.js';
import { packageBenchmarks } from './packages.js';
import { approveBenchmarks } from './approve.js';
import { porchLoadBenchmarks } from './porch-load.js';
import { ociCopyBenchmarks } from './oci-copy.js';
import { fnRenderBenchmarks } from './fn-render.js';
import { pkgBuildBenchmarks } from './pkg-build.js';
import { fnRunnerBenchmarks } from './fn-runner.js';
import { krmYamlBenchmarks } from './krm-yaml.js';
import { createWithWrk } from './wrk-create.js';

const OBJECTS = 10_000;
const PAGE = 500;
const CONCURRENCY = 16;

async function startBaseline(): Promise<{ url: string; pid: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'bench/baseline-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout }).once('line', resolve),
  );
  const { port } = JSON.parse(line) as { port: number };
  return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

async function walkPages(baseUrl: string, path: string): Promise<number> {
  let token = '';
  let count = 0;
  do {
    const text = await getText(
      `${baseUrl}${path}?limit=${PAGE}${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
    );
    const list = JSON.parse(text) as { items: unknown[]; metadata: { continue?: string } };
    count += list.items.length;
    token = list.metadata.continue ?? '';
  } while (token);
  return count;
}

async function listBenchmarks(rows: Row[]): Promise<void> {
  const lading = await startLading({ args: ['--log-level', 'info'] });
  const baseline = await startBaseline();
  try {
    const path = '/api/v1/namespaces/default/configmaps';
    const createRate = await createMany(lading.url, OBJECTS, CONCURRENCY, 'cm');
    const body = await getText(lading.url + path);
    const put = await fetch(baseline.url, { method: 'PUT', body });
    if (!put.ok) throw new Error('baseline did not take the list');
    const size = (Buffer.byteLength(body) / 1024 / 1024).toFixed(1);

    const full = median(await timeRuns(20, 3, async () => void (await getText(lading.url + path))));
    const fullBase = median(await timeRuns(20, 3, async () => void (await getText(baseline.url + path))));
    rows.push({
      benchmark: `(a) LIST ${OBJECTS} ConfigMaps, full (${size} MB)`,
      figure: ms(full),
      baseline: ms(fullBase),
      ratio: `${(full / fullBase).toFixed(2)}×`,
      goal: '≤ 2× baseline',
    });
    if ((await walkPages(lading.url, path)) !== OBJECTS) throw new Error('paged list missed objects');
    const paged = median(await timeRuns(5, 1, async () => void (await walkPages(lading.url, path))));
    const pagedBase = median(await timeRuns(5, 1, async () => void (await walkPages(baseline.url, path))));
    rows.push({
      benchmark: `(a) LIST ${OBJECTS} ConfigMaps, ${OBJECTS / PAGE} pages of ${PAGE}`,
      figure: ms(paged),
      baseline: ms(pagedBase),
      ratio: `${(paged / pagedBase).toFixed(2)}×`,
      goal: '≤ 2× baseline',
    });
    rows.push({
      benchmark: '(e) server RSS after the LIST benchmark',
      figure: mib(rssBytes(lading.process.pid ?? 0)),
      baseline: mib(rssBytes(baseline.pid)),
    });
    const latency = await watchLatency(lading.url, 1000);
    rows.push({
      benchmark: '(c) watch latency, write to event (1,000 writes, SQLite)',
      figure: `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}`,
      goal: 'p99 ≤ 20 ms',
    });
    // Last: wrk adds tens of thousands of objects to the listed namespace.
    rows.push(createRow('SQLite', lading.url, createRate));
  } finally {
    baseline.stop();
    await lading.stop();
  }
}

async function postgresBenchmarks(rows: Row[]): Promise<void> {
  const pg = await startPostgres();
  if ('skip' in pg) {
    console.warn(`PostgreSQL benchmarks skipped: ${pg.skip}`);
    return;
  }
  const lading = await startLading({ args: ['--database-url', pg.url] });
  try {
    const rate = await createMany(lading.url, OBJECTS, CONCURRENCY, 'pg');
    const latency = await watchLatency(lading.url, 1000);
    rows.push({
      benchmark: '(c) watch latency, write to event (1,000 writes, PostgreSQL)',
      figure: `p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)}`,
    });
    rows.push(createRow('PostgreSQL', lading.url, rate));
  } finally {
    await lading.stop();
    await pg.stop();
  }
}

/**
 * Create throughput: with wrk when installed (the figure that counts: the server is the
 * bottleneck), and always with the Node client used to load the data (client and server share
 * the machine's two cores).
 */
function createRow(database: string, url: string, nodeClientRate: number): Row {
  const wrk = createWithWrk(url, 10, CONCURRENCY);
  if (wrk && wrk.failed > 0) throw new Error(`${wrk.failed} of ${wrk.requests} creates failed under wrk`);
  return {
    benchmark: `(b) create, ${database} (~1 KB ConfigMaps, ${CONCURRENCY} in flight)`,
    figure: wrk
      ? `${Math.round(wrk.rate)} objects/s (wrk, ${wrk.requests} objects)`
      : `${Math.round(nodeClientRate)} objects/s (Node client; install wrk for the server-bound figure)`,
    baseline: `${Math.round(nodeClientRate)} objects/s (Node client)`,
    goal: database === 'SQLite' ? '≥ 2,000 objects/s' : '',
  };
}

/** `npm run bench` runs everything; `npm run bench -- api`, `-- packages`, `-- fn-runner`, `-- fn-render` or `-- krm-yaml` one group. */
async function main(): Promise<void> {
  const only = process.argv[2];
  const rows: Row[] = [];
  if (only === undefined || only === 'api') {
    await listBenchmarks(rows);
    await postgresBenchmarks(rows);
    const dir = await mkdtemp(join(tmpdir(), 'lading-bench-'));
    try {
      rows.push(...(await coldStart(dir, 100_000)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  if (only === undefined || only === 'packages') rows.push(...(await packageBenchmarks()));
  if (only === undefined || only === 'approve') rows.push(...(await approveBenchmarks()));
  if (only === undefined || only === 'porch-load') rows.push(...(await porchLoadBenchmarks()));
  if (only === undefined || only === 'oci') rows.push(...(await ociCopyBenchmarks()));
  if (only === undefined || only === 'pkg-build') rows.push(...(await pkgBuildBenchmarks()));
  if (only === undefined || only === 'fn-runner') rows.push(...(await fnRunnerBenchmarks()));
  if (only === undefined || only === 'fn-render') rows.push(...(await fnRenderBenchmarks()));
  if (only === undefined || only === 'krm-yaml') rows.push(...(await krmYamlBenchmarks()));
  console.log();
  printTable(rows);
}

await main();
