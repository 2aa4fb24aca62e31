/**
 * Readiness gates and package metadata through Porch's API: `spec.readinessGates`,
 * `spec.packageMetadata` and `status.conditions` live in the package's Kptfile; the server refuses
 * to propose or approve a revision whose gates are not all `True`; a Kptfile pushed with plain git
 * shows its gates and conditions after sync.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { commitToBranch, gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { lading } from '../support/lading-cli.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping readiness gate tests: ${missing}`);

const NAME = 'gates.web.ws1';

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the sync');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Revision {
  metadata: { resourceVersion: string };
  spec: { lifecycle: string; readinessGates?: unknown; packageMetadata?: unknown };
  status: { conditions?: unknown; upstreamLock?: unknown };
}

describe.skipIf(missing !== undefined)('readiness gates', () => {
  let git: GitServer;
  let server: LadingServer;
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);
  const revision = async (name = NAME) =>
    JSON.parse(await k(['get', 'packagerevision', name, '-o', 'json'])) as Revision;
  const kptfile = async (name = NAME) =>
    (
      JSON.parse(await k(['get', 'packagerevisionresources', name, '-o', 'json'])) as {
        spec: { resources: Record<string, string> };
      }
    ).spec.resources.Kptfile ?? '';
  const patch = (body: unknown) =>
    kubectl(server.kubeconfig, [
      'patch',
      'packagerevision',
      NAME,
      '--type=merge',
      '-p',
      JSON.stringify(body),
    ]);

  beforeAll(async () => {
    git = await startGitServer();
    await git.createRepo('gates');
    server = await startLading({ args: ['--repository-sync-interval', '1s'] });
    await k(
      ['apply', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: gates}
spec: {type: git, git: {repo: "${git.url('gates')}", branch: main, createBranch: true}}
`,
    );
    await k(['wait', '--for=condition=Ready', 'repository/gates', '--timeout=30s']);
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('records the gates and package metadata of the create request in the Kptfile', async () => {
    await k(
      ['create', '-f', '-'],
      `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: ${NAME}}
spec:
  packageName: web
  repository: gates
  workspaceName: ws1
  tasks: [{type: init, init: {description: web}}]
  readinessGates: [{conditionType: Tested}]
  packageMetadata: {labels: {tier: frontend}}
`,
    );
    expect((await revision()).spec).toMatchObject({
      readinessGates: [{ conditionType: 'Tested' }],
      packageMetadata: { labels: { tier: 'frontend' } },
    });
    const text = await kptfile();
    expect(text).toContain('readinessGates:\n  - conditionType: Tested');
    expect(text).toContain('tier: frontend');
  });

  it('refuses to propose while a gate is not True, and says which', async () => {
    const result = await patch({ spec: { lifecycle: 'Proposed' } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('readiness conditions not met: condition "Tested" is not True');
    expect((await revision()).spec.lifecycle).toBe('Draft');
    const cli = await lading(['rpkg', 'propose', NAME, '--kubeconfig', server.kubeconfig]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('readiness conditions not met');
  });

  it('takes conditions on the Draft into the Kptfile, then proposes and approves', async () => {
    expect(
      (await patch({ status: { conditions: [{ type: 'Tested', status: 'True', reason: 'Passed' }] } })).code,
    ).toBe(0);
    // Rendering the Draft after the change adds its own `Rendered` condition.
    expect((await revision()).status.conditions).toEqual([
      { type: 'Tested', status: 'True', reason: 'Passed' },
      { type: 'Rendered', status: 'True', reason: 'RenderSuccess' },
    ]);
    expect(await kptfile()).toMatch(
      /status:\n {2}conditions:\n {2}- type: Tested\n {4}status: "True"\n {4}reason: Passed\n/,
    );
    const proposed = await lading(['rpkg', 'propose', NAME, '--kubeconfig', server.kubeconfig]);
    expect(proposed).toMatchObject({ code: 0, stdout: `${NAME} proposed\n` });
    const approved = await lading(['rpkg', 'approve', NAME, '--kubeconfig', server.kubeconfig]);
    expect(approved).toMatchObject({ code: 0, stdout: `${NAME} approved\n` });
    expect((await revision()).spec).toMatchObject({
      lifecycle: 'Published',
      readinessGates: [{ conditionType: 'Tested' }],
    });
  });

  it('refuses gate changes once the revision is no longer a Draft', async () => {
    const result = await patch({ spec: { readinessGates: [] } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('package must be Draft');
  });

  it('refuses to approve when a gate was added and not met, and shows Kptfile fields pushed with plain git', async () => {
    // A draft pushed by someone with git: a gate that is False.
    await commitToBranch(git.repoPath('gates'), 'drafts/api/ws1', {
      'api/Kptfile': `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: api
info:
  readinessGates:
  - conditionType: Reviewed
status:
  conditions:
  - type: Reviewed
    status: "False"
`,
    });
    await until(
      async () => (await kubectl(server.kubeconfig, ['get', 'packagerevision', 'gates.api.ws1'])).code === 0,
    );
    await k([
      'wait',
      '--for=jsonpath={.status.conditions[0].status}=False',
      'packagerevision/gates.api.ws1',
      '--timeout=30s',
    ]);
    expect((await revision('gates.api.ws1')).spec.readinessGates).toEqual([{ conditionType: 'Reviewed' }]);
    // Proposed by git too (the branch moves): approving must still be refused.
    const head = (await gitAt(git.repoPath('gates'), ['rev-parse', 'drafts/api/ws1'])).trim();
    await gitAt(git.repoPath('gates'), ['update-ref', 'refs/heads/proposed/api/ws1', head]);
    await gitAt(git.repoPath('gates'), ['update-ref', '-d', 'refs/heads/drafts/api/ws1']);
    await k([
      'wait',
      '--for=jsonpath={.spec.lifecycle}=Proposed',
      'packagerevision/gates.api.ws1',
      '--timeout=30s',
    ]);
    const approve = await lading(['rpkg', 'approve', 'gates.api.ws1', '--kubeconfig', server.kubeconfig]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toContain(
      'cannot approve package revision gates.api.ws1: readiness conditions not met',
    );
    expect(await gitAt(git.repoPath('gates'), ['tag', '--list', 'api/*'])).toBe('');
  });
});
