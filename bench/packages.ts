/**
 * Package index figures (issue 3, partial): LIST of 10,000 PackageRevisions, restart to first
 * list with them indexed, and RSS. The repository is seeded with plain git (100 packages × 100
 * tags) on a local smart-HTTP server and indexed by Lading's repository sync.
 */
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { commitToBranch, gitAt, startGitServer } from '../test/support/git-server.js';
import { REPO_ROOT, startLading } from '../test/support/lading-server.js';
import { getText, median, mib, ms, rssBytes, timeRuns, type Row } from './support.js';

const PACKAGES = 100;
const TAGS = 100;
const LIST = '/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions';

async function count(url: string): Promise<number> {
  try {
    return (JSON.parse(await getText(url + LIST)) as { items: unknown[] }).items.length;
  } catch {
    return -1;
  }
}

export async function packageBenchmarks(): Promise<Row[]> {
  const git = await startGitServer();
  const files: Record<string, string> = {};
  for (let p = 0; p < PACKAGES; p++) {
    files[`pkg-${p}/Kptfile`] = `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg-${p}\n`;
  }
  await git.createRepo('catalog');
  const commit = await commitToBranch(git.repoPath('catalog'), 'main', files, 'Seed packages');
  const refs: string[] = [];
  for (let p = 0; p < PACKAGES; p++)
    for (let t = 1; t <= TAGS; t++) refs.push(`create refs/tags/pkg-${p}/v${t} ${commit}\n`);
  await gitAt(git.repoPath('catalog'), ['update-ref', '--stdin'], { input: refs.join('') });
  const expected = PACKAGES * TAGS + PACKAGES;

  const server = await startLading({
    keepDataDir: true,
    args: ['--repository-sync-interval', '10m'],
  });
  const rows: Row[] = [];
  try {
    const start = performance.now();
    const repo = {
      apiVersion: 'config.porch.kpt.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name: 'catalog' },
      spec: { type: 'git', git: { repo: git.url('catalog'), branch: 'main' } },
    };
    const res = await fetch(
      `${server.url}/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(repo),
      },
    );
    if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    while ((await count(server.url)) < expected) await new Promise((r) => setTimeout(r, 250));
    rows.push({
      benchmark: `(issue 3) first sync indexing ${expected} revisions`,
      figure: ms(performance.now() - start),
    });
    const list = median(await timeRuns(10, 2, async () => void (await getText(server.url + LIST))));
    rows.push({
      benchmark: `(issue 3 c) LIST ${expected} PackageRevisions`,
      figure: ms(list),
      goal: '≤ 300 ms',
    });
    rows.push({
      benchmark: `RSS with 1 repository, ${expected} revisions, right after the sync and the LISTs (issue 3 d, at rest: see porch-load)`,
      figure: mib(rssBytes(server.process.pid ?? 0)),
    });
    await server.stop();
    rows.push({
      benchmark: `(issue 3 e) restart to first full LIST of ${expected} revisions`,
      figure: ms(await restartToFirstList(server.dataDir, expected)),
      goal: '≤ 2 s',
    });
  } finally {
    await git.stop();
    await rm(server.dataDir, { recursive: true, force: true });
  }
  return rows;
}

/** Spawn to the first LIST that returns every revision, on an existing data dir. */
async function restartToFirstList(dataDir: string, expected: number): Promise<number> {
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const start = performance.now();
  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin/lading.js'),
      'serve',
      '--listen',
      `127.0.0.1:${port}`,
      '--data-dir',
      dataDir,
      '--log-level',
      'warn',
    ],
    { stdio: 'ignore' },
  );
  try {
    while ((await count(`http://127.0.0.1:${port}`)) < expected) await new Promise((r) => setTimeout(r, 5));
    return performance.now() - start;
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}
