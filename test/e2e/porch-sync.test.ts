/**
 * Repository sync against a real smart-HTTP git server with basic auth: registering a Repository
 * (with its credentials Secret) indexes the packages git holds as PackageRevisions and
 * PorchPackages; a package pushed with plain git appears after sync; a repository with wrong
 * credentials reports Ready=False on its own; deleting the Repository removes its rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { commitToBranch, gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping repository sync tests: ${missing}`);

const kptfile = (name: string) =>
  `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\n  annotations:\n    config.kubernetes.io/local-config: "true"\ninfo:\n  description: ${name} package\n`;

const repository = (name: string, url: string, secret: string) => `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: ${name}}
spec:
  type: git
  content: Package
  git: {repo: "${url}", branch: main, directory: /, secretRef: {name: ${secret}}}
`;

describe.skipIf(missing !== undefined)('repository sync', () => {
  let git: GitServer;
  let server: LadingServer;
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);

  beforeAll(async () => {
    git = await startGitServer({ auth: { username: 'porch', password: 's3cret' } });
    const commit = await git.createRepo('blueprints', {
      files: {
        'basens/Kptfile': kptfile('basens'),
        'basens/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n',
      },
    });
    await gitAt(git.repoPath('blueprints'), ['update-ref', 'refs/tags/basens/v1', commit ?? '']);
    server = await startLading({ args: ['--repository-sync-interval', '1s'] });
    for (const [name, password] of [
      ['good-auth', 's3cret'],
      ['bad-auth', 'wrong'],
    ] as const) {
      await k([
        'create',
        'secret',
        'generic',
        name,
        '--type=kubernetes.io/basic-auth',
        '--from-literal=username=porch',
        `--from-literal=password=${password}`,
      ]);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('indexes the packages of a registered repository', async () => {
    await k(['apply', '-f', '-'], repository('blueprints', git.url('blueprints'), 'good-auth'));
    await k(['wait', '--for=condition=Ready', 'repository/blueprints', '--timeout=30s']);
    const out = await k(['get', 'packagerevisions']);
    expect(out).toMatch(/^blueprints\.basens\.main\s+basens\s+main\s+-1\s+false\s+Published\s+blueprints/m);
    expect(out).toMatch(/^blueprints\.basens\.v1\s+basens\s+v1\s+1\s+true\s+Published\s+blueprints/m);
    const latest = await k(['get', 'packagerevisions', '-l', 'kpt.dev/latest-revision=true', '-o', 'name']);
    expect(latest.trim()).toBe('packagerevision.porch.kpt.dev/blueprints.basens.v1');
    const pkg = JSON.parse(await k(['get', 'packages', 'blueprints.basens', '-o', 'json'])) as {
      status: unknown;
    };
    expect(pkg.status).toEqual({ latestRevision: 1 });
    const repo = JSON.parse(await k(['get', 'repository', 'blueprints', '-o', 'json'])) as {
      status: { packageCount: number };
    };
    expect(repo.status.packageCount).toBe(1);
  });

  it("reads a revision's files as PackageRevisionResources, straight from git", async () => {
    const prr = JSON.parse(
      await k(['get', 'packagerevisionresources', 'blueprints.basens.v1', '-o', 'json']),
    ) as {
      spec: { packageName: string; revision: number; resources: Record<string, string> };
    };
    expect(prr.spec.packageName).toBe('basens');
    expect(prr.spec.revision).toBe(1);
    expect(prr.spec.resources).toEqual({
      Kptfile: kptfile('basens'),
      'namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: example\n',
    });
    // Content can be pushed to Drafts only.
    const push = await kubectl(server.kubeconfig, ['replace', '-f', '-'], JSON.stringify(prr));
    expect(push.code).not.toBe(0);
    expect(push.stderr).toContain('package must be Draft');
  });

  it('shows a package pushed with plain git after the next sync', async () => {
    await commitToBranch(
      git.repoPath('blueprints'),
      'main',
      { 'network/Kptfile': kptfile('network') },
      'Add network',
    );
    const deadline = Date.now() + 20_000;
    let names = '';
    while (!names.includes('blueprints.network.main') && Date.now() < deadline) {
      names = await k(['get', 'packagerevisions', '-o', 'name']);
      if (!names.includes('blueprints.network.main')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(names).toContain('packagerevision.porch.kpt.dev/blueprints.network.main');
  });

  it('marks only the repository with wrong credentials not ready', async () => {
    await k(['apply', '-f', '-'], repository('broken', git.url('blueprints'), 'bad-auth'));
    await k(['wait', '--for=condition=Ready=False', 'repository/broken', '--timeout=30s']);
    const broken = JSON.parse(await k(['get', 'repository', 'broken', '-o', 'json'])) as {
      status: { conditions: { type: string; message: string }[] };
    };
    const message = broken.status.conditions.find((c) => c.type === 'Ready')?.message ?? '';
    expect(message.length).toBeGreaterThan(10);
    expect(message).not.toContain('wrong');
    expect(
      await k([
        'get',
        'repository',
        'blueprints',
        '-o',
        "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
      ]),
    ).toBe('True');
    expect(
      await k(['get', 'packagerevisions', '--field-selector', 'spec.repository=broken', '-o', 'name']),
    ).toBe('');
  });

  it('removes the index rows of a deleted repository', async () => {
    await k(['delete', 'repository', 'blueprints', '--timeout=30s']);
    expect(
      await k(['get', 'packagerevisions', '--field-selector', 'spec.repository=blueprints', '-o', 'name']),
    ).toBe('');
    expect(await k(['get', 'packages', '-o', 'name'])).toBe('');
    const gone = await kubectl(server.kubeconfig, ['get', 'repository', 'blueprints']);
    expect(gone.stderr).toContain('not found');
  });
});

describe.skipIf(missing !== undefined)('repository sync schedule', () => {
  let git: GitServer;
  let server: LadingServer;
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);

  beforeAll(async () => {
    git = await startGitServer();
    await git.createRepo('scheduled', { files: { 'first/Kptfile': kptfile('first') } });
    // No periodic sync: only changes, spec.sync.runOnceAt and spec.sync.schedule trigger one.
    server = await startLading({ args: ['--repository-sync-interval', '1h'] });
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('refuses an invalid cron schedule', async () => {
    const result = await kubectl(
      server.kubeconfig,
      ['create', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: badcron}
spec: {type: git, git: {repo: "${git.url('scheduled')}"}, sync: {schedule: "every minute"}}
`,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.sync.schedule');
  });

  it('syncs again at spec.sync.runOnceAt', async () => {
    await k(
      ['apply', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: scheduled}
spec: {type: git, git: {repo: "${git.url('scheduled')}", branch: main}}
`,
    );
    await k(['wait', '--for=condition=Ready', 'repository/scheduled', '--timeout=30s']);
    const runOnceAt = new Date(Date.now() + 4_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await k([
      'patch',
      'repository',
      'scheduled',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { sync: { runOnceAt } } }),
    ]);
    const status = async () =>
      JSON.parse(await k(['get', 'repository', 'scheduled', '-o', 'jsonpath={.status}'])) as Record<
        string,
        unknown
      >;
    // The change itself syncs at once and arms the next sync for runOnceAt.
    await until(async () => (await status()).nextFullSyncTime === runOnceAt, 'the next sync to be armed');
    // Pushed after that sync: only the sync at runOnceAt can find it (the interval is 1 h).
    await commitToBranch(
      git.repoPath('scheduled'),
      'main',
      { 'second/Kptfile': kptfile('second') },
      'Add second',
    );
    await until(
      async () => (await k(['get', 'packagerevisions', '-o', 'name'])).includes('scheduled.second.main'),
      'the scheduled sync to index the new package',
    );
    expect((await status()).observedRunOnceAt).toBe(runOnceAt);
  });
});

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
