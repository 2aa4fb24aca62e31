/**
 * Crash safety: `lading serve` is killed with SIGKILL in the middle of a burst of approvals.
 * After a restart on the same data dir, every revision is in exactly one consistent state, the
 * same in the API and in git: published revisions carry the number of their tag, unapproved ones
 * are still Proposed with their proposed branch, and revision numbers are unique.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const PACKAGES = 8;
const API = '/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions';

interface Revision {
  metadata: { name: string; resourceVersion: string };
  spec: { packageName: string; lifecycle: string; revision: number };
}

async function request(
  server: LadingServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('a crash in the middle of approvals', () => {
  let git: GitServer;
  let server: LadingServer;
  let dataDir: string;

  beforeAll(async () => {
    git = await startGitServer();
    await git.createRepo('deploy');
    server = await startLading({ keepDataDir: true, args: ['--repository-sync-interval', '1s'] });
    dataDir = server.dataDir;
    const repo = {
      apiVersion: 'config.porch.kpt.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name: 'deploy' },
      spec: { type: 'git', git: { repo: git.url('deploy'), branch: 'main', createBranch: true } },
    };
    expect(
      (
        await request(
          server,
          'POST',
          '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories',
          repo,
        )
      ).status,
    ).toBe(201);
    await until('the repository to be ready', async () => {
      const r = (await (
        await request(
          server,
          'GET',
          '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories/deploy',
        )
      ).json()) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return r.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    });
    for (let i = 0; i < PACKAGES; i++) {
      const pr = {
        apiVersion: 'porch.kpt.dev/v1alpha1',
        kind: 'PackageRevision',
        metadata: { name: `deploy.pkg-${i}.ws` },
        spec: {
          packageName: `pkg-${i}`,
          repository: 'deploy',
          workspaceName: 'ws',
          lifecycle: 'Draft',
          tasks: [{ type: 'init', init: {} }],
        },
      };
      expect((await request(server, 'POST', API, pr)).status).toBe(201);
      const created = (await (await request(server, 'GET', `${API}/deploy.pkg-${i}.ws`)).json()) as Revision;
      const proposed = { ...created, spec: { ...created.spec, lifecycle: 'Proposed' } };
      expect((await request(server, 'PUT', `${API}/deploy.pkg-${i}.ws`, proposed)).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('leaves every revision in one state, the same in the API and in git', async () => {
    // Fire every approval at once and kill the server while they are in flight.
    const approvals = Array.from({ length: PACKAGES }, async (_, i) => {
      const current = (await (await request(server, 'GET', `${API}/deploy.pkg-${i}.ws`)).json()) as Revision;
      return request(server, 'PUT', `${API}/deploy.pkg-${i}.ws/approval`, {
        ...current,
        spec: { ...current.spec, lifecycle: 'Published' },
      }).catch(() => undefined);
    });
    await until(
      'the first approval to reach git',
      async () => (await gitAt(git.repoPath('deploy'), ['tag'])).trim() !== '',
      20_000,
    );
    expect(await server.stop('SIGKILL')).toBe(null);
    await Promise.all(approvals);

    server = await startLading({ dataDir, args: ['--repository-sync-interval', '1s'] });
    const tags = async () =>
      (await gitAt(git.repoPath('deploy'), ['tag'])).trim().split('\n').filter(Boolean).sort();
    const branches = async () =>
      (
        await gitAt(git.repoPath('deploy'), [
          'for-each-ref',
          '--format=%(refname:short)',
          'refs/heads/proposed',
        ])
      )
        .trim()
        .split('\n')
        .filter(Boolean)
        .sort();
    // The index converges on git within a sync or two.
    let api: Revision[] = [];
    await until('the index to agree with git', async () => {
      const list = (await (
        await request(server, 'GET', `${API}?fieldSelector=spec.workspaceName=ws`)
      ).json()) as { items: Revision[] };
      api = list.items;
      const published = api
        .filter((r) => r.spec.lifecycle === 'Published')
        .map((r) => `${r.spec.packageName}/v${r.spec.revision}`)
        .sort();
      const proposed = api
        .filter((r) => r.spec.lifecycle === 'Proposed')
        .map((r) => `proposed/${r.spec.packageName}/ws`)
        .sort();
      return (
        JSON.stringify(published) === JSON.stringify(await tags()) &&
        JSON.stringify(proposed) === JSON.stringify(await branches())
      );
    });
    expect(api).toHaveLength(PACKAGES);
    for (const r of api) {
      expect(['Published', 'Proposed']).toContain(r.spec.lifecycle);
      expect(r.spec.revision).toBe(r.spec.lifecycle === 'Published' ? 1 : 0);
    }
    expect((await tags()).length).toBeGreaterThan(0);
  });

  it('rebuilds a lost index from git: the same revisions after the index rows are gone', async () => {
    const summary = async () =>
      ((await (await request(server, 'GET', API)).json()) as { items: Revision[] }).items
        .map((r) => `${r.metadata.name} ${r.spec.lifecycle} ${r.spec.revision}`)
        .sort();
    // Every approved package also has its placeholder (branch head) once the sync caught up.
    const tagCount = (await gitAt(git.repoPath('deploy'), ['tag'])).trim().split('\n').filter(Boolean).length;
    let before: string[] = [];
    await until(
      'the placeholders of the approved packages',
      async () => (before = await summary()).filter((r) => r.includes('.main ')).length === tagCount,
    );
    expect(before).toHaveLength(PACKAGES + tagCount);
    expect(await server.stop()).toBe(0);
    const db = new Database(join(dataDir, 'lading.db'));
    const deleted = db
      .prepare(
        "DELETE FROM lading_objects WHERE resource LIKE '%packagerevisions%' OR resource LIKE '%packages%'",
      )
      .run().changes;
    db.close();
    expect(deleted).toBeGreaterThanOrEqual(before.length);
    server = await startLading({ dataDir, args: ['--repository-sync-interval', '1s'] });
    let after: string[] = [];
    await until('the index to be rebuilt', async () => (after = await summary()).length >= before.length);
    expect(after).toEqual(before);
  });
});
