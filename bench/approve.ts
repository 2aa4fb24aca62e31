/**
 * Issue 3 (a): approve latency with 50, 500 and 5,000 published revisions already in one
 * repository (Porch: ~7 s at 50 and linear). Each size gets a fresh repository seeded with plain
 * git (packages × `v<N>` tags, as Porch lays them out) and indexed by Lading; then drafts are
 * created and proposed, and only the `approval` PUT is timed: 100 per size, so that p95 is not one
 * sample's hiccup, after 20 untimed ones in another repository.
 *
 * The approval's one push is served by `git receive-pack`, whose connectivity check walks every
 * ref of the repository (`rev-list --not --all --alternate-refs`), so the git server's part grows
 * with the tags. A second row subtracts the test git server's time on that push (request to
 * response end) to show Lading's own share at each size.
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

interface Latencies {
  /** Each approval PUT, sorted (ms). */
  approve: number[];
  /** Each approval minus the git server's time on its push, sorted (ms). */
  withoutPush: number[];
}

/** Approve latencies (ms) of `approvals` fresh packages in a repository with `published` revisions. */
async function approveLatencies(
  server: LadingServer,
  git: GitServer,
  published: number,
  approvals = APPROVALS,
  repo = `approve-${published}`,
): Promise<Latencies> {
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
  const withoutPush: number[] = [];
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
    const pushes = git.stats.pushMs.length;
    const start = performance.now();
    await call(server, 'PUT', `${API}/packagerevisions/${name}/approval`, {
      ...proposed,
      spec: { ...proposed.spec, lifecycle: 'Published' },
    });
    const took = performance.now() - start;
    times.push(took);
    withoutPush.push(took - git.stats.pushMs.slice(pushes).reduce((sum, t) => sum + t, 0));
  }
  const sorted = (list: number[]): number[] => list.sort((a, b) => a - b);
  return { approve: sorted(times), withoutPush: sorted(withoutPush) };
}

export async function approveBenchmarks(): Promise<Row[]> {
  const git = await startGitServer();
  const server = await startLading({ args: ['--repository-sync-interval', '10m'] });
  const rows: Row[] = [];
  try {
    // Untimed first, so that the first size does not carry the server's warm-up alone.
    await approveLatencies(server, git, SIZES[0] ?? 50, WARM_UP, 'approve-warm-up');
    const bySize = new Map<number, Latencies>();
    for (const size of SIZES) {
      const latencies = await approveLatencies(server, git, size);
      bySize.set(size, latencies);
      rows.push({
        benchmark: `(issue 3 a) approve with ${size} published revisions in the repository (${APPROVALS} approvals)`,
        figure: `p50 ${ms(percentile(latencies.approve, 50))}, p95 ${ms(percentile(latencies.approve, 95))}`,
        goal: 'p95 ≤ 150 ms',
      });
      rows.push({
        benchmark: `(issue 3 a) … Lading's share: the same minus the git server's time on the approval's push`,
        figure: `p50 ${ms(percentile(latencies.withoutPush, 50))}, p95 ${ms(percentile(latencies.withoutPush, 95))}`,
      });
    }
    const first = bySize.get(SIZES[0] ?? 0);
    const last = bySize.get(SIZES[SIZES.length - 1] ?? 0);
    const ratio = (pick: (l: Latencies) => number[]): string =>
      first && last ? `${(percentile(pick(last), 95) / percentile(pick(first), 95)).toFixed(2)}×` : 'n/a';
    rows.push({
      benchmark: `(issue 3 a) approve p95 at ${SIZES[SIZES.length - 1]} / at ${SIZES[0]}`,
      figure: ratio((l) => l.approve),
      goal: '≤ 1.5 (Porch: linear, ~7 s at 50)',
    });
    rows.push({
      benchmark: `(issue 3 a) … Lading's share: the same minus the git server's time on the push`,
      figure: ratio((l) => l.withoutPush),
    });
  } finally {
    await server.stop();
    await git.stop();
  }
  return rows;
}
