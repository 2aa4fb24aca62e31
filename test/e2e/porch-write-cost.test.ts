/**
 * What package writes cost the remote: a write plans on the mirror's refs and pushes once, and the
 * re-index after it reads the mirror; neither fetches. The repository controller's own status
 * updates (a new `packageCount`) must not start full syncs either — under load that loop fetched
 * every repository over and over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { apiCall, startLading, type LadingServer } from '../support/lading-server.js';

const API = '/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions';
const REPOS = '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories';

interface Obj {
  metadata: { name: string };
  spec: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string }[]; packageCount?: number };
}

describe('package writes and the remote', () => {
  let git: GitServer;
  let server: LadingServer;
  const call = (method: string, path: string, body?: unknown): Promise<Obj> =>
    apiCall<Obj>(server.url, method, path, body);
  const fetches = (): number => git.stats.byService['POST git-upload-pack'] ?? 0;

  beforeAll(async () => {
    git = await startGitServer();
    await git.createRepo('blueprints');
    server = await startLading(); // the default full-sync interval: nothing periodic in this test
    await call('POST', REPOS, {
      apiVersion: 'config.porch.kpt.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name: 'blueprints' },
      spec: { type: 'git', git: { repo: git.url('blueprints'), branch: 'main', createBranch: true } },
    });
    for (let i = 0; ; i++) {
      const repo = await call('GET', `${REPOS}/blueprints`);
      if (repo.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) break;
      if (i > 300) throw new Error('repository not ready');
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('does not sync again when only the Repository status changed', async () => {
    await new Promise((r) => setTimeout(r, 1000)); // the registration's syncs settle
    const before = fetches();
    const repo = await call('GET', `${REPOS}/blueprints`);
    await call('PUT', `${REPOS}/blueprints/status`, {
      ...repo,
      status: { ...repo.status, packageCount: 99 },
    });
    await new Promise((r) => setTimeout(r, 1000));
    expect(fetches()).toBe(before);
    expect((await call('GET', `${REPOS}/blueprints`)).status?.packageCount).toBe(99);
  });

  it('creates, proposes and approves revisions of new packages without fetching', async () => {
    const before = fetches();
    const pushesBefore = git.stats.byService['POST git-receive-pack'] ?? 0;
    for (const pkg of ['a', 'b', 'c']) {
      const name = `blueprints.${pkg}.v1`;
      await call('POST', API, {
        apiVersion: 'porch.kpt.dev/v1alpha1',
        kind: 'PackageRevision',
        metadata: { name },
        spec: {
          packageName: pkg,
          repository: 'blueprints',
          workspaceName: 'v1',
          tasks: [{ type: 'init', init: {} }],
        },
      });
      const draft = await call('GET', `${API}/${name}`);
      const proposed = await call('PUT', `${API}/${name}`, {
        ...draft,
        spec: { ...draft.spec, lifecycle: 'Proposed' },
      });
      await call('PUT', `${API}/${name}/approval`, {
        ...proposed,
        spec: { ...proposed.spec, lifecycle: 'Published' },
      });
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect((git.stats.byService['POST git-receive-pack'] ?? 0) - pushesBefore).toBe(9);
    expect(fetches()).toBe(before);
    const published = await call('GET', `${API}/blueprints.c.v1`);
    expect(published.spec.lifecycle).toBe('Published');
  });
});
