/**
 * Issue 3 (a): approve latency with 50, 500 and 5,000 published revisions already in one
 * repository (Porch: ~7 s at 50 and linear). Each size gets a fresh repository seeded with plain
 * git (packages × `v<N>` tags, as Porch lays them out) and indexed by Lading; then drafts are
 * created and proposed, and only the `approval` PUT is timed: 100 per size, so that p95 is not one
 * sample's hiccup, after 20 untimed ones in another repository.
 */
import { commitToBranch, gitAt, startGitServer, type GitServer } from '../test/support/git-server.js';
import { startLading, type LadingServer } from '../test/support/lading-server.js';
import { apiCall, ms, percentile, type Row } from './support.js';

const SIZES = [50, 500, 5_000];
const TAGS_PER_PACKAGE = 10;
const APPROVALS = 100;
const WARM_UP = 20;
const API = '/apis/porch.kpt.dev/v1alpha1/namespaces/default';

const call = (server: LadingServer, method: string, path: string, body?: unknown): Promise<unknown> =>
  apiCall(server.url, method, path, body);

/** A repository with `published` revisions: packages of TAGS_PER_PACKAGE tags each. */
async function seed(git: GitServer, name: string, published: number): Promise<void> {
  const packages = Math.ceil(published / TAGS_PER_PACKAGE);
  const files: Record<string, string> = {};
  for (let p = 0; p < packages; p++)
    files[`pkg-${p}/Kptfile`] = `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg-${p}\n`;
  await git.createRepo(name);
  const commit = await commitToBranch(git.repoPath(name), 'main', files, 'Seed packages');
  const refs: string[] = [];
  for (let i = 0; i < published; i++) {
    const p = Math.floor(i / TAGS_PER_PACKAGE);
    refs.push(`create refs/tags/pkg-${p}/v${(i % TAGS_PER_PACKAGE) + 1} ${commit}\n`);
  }
  await gitAt(git.repoPath(name), ['update-ref', '--stdin'], { input: refs.join('') });
  // Git servers keep their refs packed (gc); thousands of loose ref files would be this bench's cost.
  await gitAt(git.repoPath(name), ['pack-refs', '--all']);
}

async function waitForRevisions(server: LadingServer, repo: string, count: number): Promise<void> {
  for (;;) {
    const list = (await call(
      server,
      'GET',
      `${API}/packagerevisions?fieldSelector=spec.repository=${repo}`,
    )) as {
      items: unknown[];
    };
    if (list.items.length >= count) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Approve latencies (ms) of `approvals` fresh packages in a repository with `published` revisions. */
async function approveLatencies(
  server: LadingServer,
  git: GitServer,
  published: number,
  approvals = APPROVALS,
  repo = `approve-${published}`,
): Promise<number[]> {
  await seed(git, repo, published);
  await call(server, 'POST', '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories', {
    apiVersion: 'config.porch.kpt.dev/v1alpha1',
    kind: 'Repository',
    metadata: { name: repo },
    spec: { type: 'git', git: { repo: git.url(repo), branch: 'main' } },
  });
  // Published revisions plus one placeholder (main) per package.
  await waitForRevisions(server, repo, published + Math.ceil(published / TAGS_PER_PACKAGE));
  const times: number[] = [];
  for (let i = 0; i < approvals; i++) {
    const name = `${repo}.new-${i}.ws`;
    await call(server, 'POST', `${API}/packagerevisions`, {
      apiVersion: 'porch.kpt.dev/v1alpha1',
      kind: 'PackageRevision',
      metadata: { name },
      spec: {
        packageName: `new-${i}`,
        repository: repo,
        workspaceName: 'ws',
        tasks: [{ type: 'init', init: {} }],
      },
    });
    const draft = (await call(server, 'GET', `${API}/packagerevisions/${name}`)) as { spec: object };
    const proposed = (await call(server, 'PUT', `${API}/packagerevisions/${name}`, {
      ...draft,
      spec: { ...draft.spec, lifecycle: 'Proposed' },
    })) as { spec: object };
    const start = performance.now();
    await call(server, 'PUT', `${API}/packagerevisions/${name}/approval`, {
      ...proposed,
      spec: { ...proposed.spec, lifecycle: 'Published' },
    });
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b);
}

export async function approveBenchmarks(): Promise<Row[]> {
  const git = await startGitServer();
  const server = await startLading({ args: ['--repository-sync-interval', '10m'] });
  const rows: Row[] = [];
  try {
    // Untimed first, so that the first size does not carry the server's warm-up alone.
    await approveLatencies(server, git, SIZES[0] ?? 50, WARM_UP, 'approve-warm-up');
    const p95 = new Map<number, number>();
    for (const size of SIZES) {
      const times = await approveLatencies(server, git, size);
      p95.set(size, percentile(times, 95));
      rows.push({
        benchmark: `(issue 3 a) approve with ${size} published revisions in the repository (${APPROVALS} approvals)`,
        figure: `p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))}`,
        goal: 'p95 ≤ 150 ms',
      });
    }
    const first = SIZES[0] ?? 0;
    const last = SIZES[SIZES.length - 1] ?? 0;
    rows.push({
      benchmark: `(issue 3 a) approve p95 at ${last} / at ${first}`,
      figure: `${((p95.get(last) ?? NaN) / (p95.get(first) ?? NaN)).toFixed(2)}×`,
      goal: '≤ 1.5 (Porch: linear, ~7 s at 50)',
    });
  } finally {
    await server.stop();
    await git.stop();
  }
  return rows;
}
