/**
 * A package revision's life through Porch's API against a real smart-HTTP git remote: init a
 * Draft with kubectl, read its files, propose, approve through the `approval` subresource,
 * propose deletion and delete — then check the remote with git itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping package lifecycle tests: ${missing}`);

const NAME = 'deploy.web.ws1';
const PATH = `/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions/${NAME}`;

describe.skipIf(missing !== undefined)('package revision lifecycle', () => {
  let git: GitServer;
  let server: LadingServer;
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);
  const revision = async () =>
    JSON.parse(await k(['get', 'packagerevision', NAME, '-o', 'json'])) as {
      metadata: { resourceVersion: string; labels?: Record<string, string> };
      spec: { lifecycle: string; revision: number };
    };
  const remote = (args: string[]) => gitAt(git.repoPath('deploy'), args);

  beforeAll(async () => {
    git = await startGitServer({ auth: { username: 'porch', password: 'pw' } });
    await git.createRepo('deploy');
    server = await startLading({ args: ['--repository-sync-interval', '2s'] });
    await k([
      'create',
      'secret',
      'generic',
      'deploy-auth',
      '--type=kubernetes.io/basic-auth',
      '--from-literal=username=porch',
      '--from-literal=password=pw',
    ]);
    await k(
      ['apply', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: deploy}
spec: {type: git, deployment: true, git: {repo: "${git.url('deploy')}", branch: main, createBranch: true, secretRef: {name: deploy-auth}}}
`,
    );
    await k(['wait', '--for=condition=Ready', 'repository/deploy', '--timeout=30s']);
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('creates a Draft with an init task and serves its files', async () => {
    await k(
      ['create', '-f', '-'],
      `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: ${NAME}, labels: {team: web}}
spec:
  packageName: web
  repository: deploy
  workspaceName: ws1
  lifecycle: Draft
  tasks: [{type: init, init: {description: web server, keywords: [demo]}}]
`,
    );
    const out = await k(['get', 'packagerevisions']);
    expect(out).toMatch(/^deploy\.web\.ws1\s+web\s+ws1\s+0\s+false\s+Draft\s+deploy/m);
    expect((await revision()).metadata.labels).toEqual({ team: 'web' });
    const prr = JSON.parse(await k(['get', 'packagerevisionresources', NAME, '-o', 'json'])) as {
      spec: { resources: Record<string, string> };
    };
    expect(prr.spec.resources.Kptfile).toContain('description: web server');
    expect(Object.keys(prr.spec.resources).sort()).toEqual(['Kptfile', 'README.md', 'package-context.yaml']);
    expect(await remote(['for-each-ref', '--format=%(refname)'])).toContain('refs/heads/drafts/web/ws1');
  });

  it('pushes new content to the Draft through PackageRevisionResources', async () => {
    const prr = JSON.parse(await k(['get', 'packagerevisionresources', NAME, '-o', 'json'])) as {
      metadata: Record<string, unknown>;
      spec: { resources: Record<string, string> };
    };
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';
    const bad = {
      ...prr,
      spec: { ...prr.spec, resources: { ...prr.spec.resources, '../escape.yaml': 'x: 1\n' } },
    };
    const refused = await kubectl(server.kubeconfig, ['replace', '-f', '-'], JSON.stringify(bad));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('spec.resources[../escape.yaml]');
    const draftBefore = await remote(['rev-parse', 'refs/heads/drafts/web/ws1']);
    const pushed = {
      ...prr,
      spec: { ...prr.spec, resources: { ...prr.spec.resources, 'deployment.yaml': deployment } },
    };
    await k(['replace', '-f', '-'], JSON.stringify(pushed));
    const after = JSON.parse(await k(['get', 'packagerevisionresources', NAME, '-o', 'json'])) as {
      spec: { resources: Record<string, string> };
    };
    expect(after.spec.resources['deployment.yaml']).toBe(deployment);
    const draftAfter = await remote(['rev-parse', 'refs/heads/drafts/web/ws1']);
    expect(draftAfter).not.toBe(draftBefore);
    expect((await remote(['rev-parse', `${draftAfter.trim()}^`])).trim()).toBe(draftBefore.trim());
    expect(await remote(['show', `${draftAfter.trim()}:web/deployment.yaml`])).toBe(deployment);
  });

  it('refuses to create anything but a Draft, and tasks it cannot run yet', async () => {
    const proposed = await kubectl(
      server.kubeconfig,
      ['create', '-f', '-'],
      `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: deploy.other.ws1}
spec: {packageName: other, repository: deploy, workspaceName: ws1, lifecycle: Proposed}
`,
    );
    expect(proposed.stderr).toContain('value can be only created as Draft');
  });

  it('refuses a server-side dry run of any package write, and writes nothing', async () => {
    const refsBefore = await remote(['for-each-ref']);
    const rvBefore = (await revision()).metadata.resourceVersion;
    const dryCreate = await kubectl(
      server.kubeconfig,
      ['create', '--dry-run=server', '-f', '-'],
      `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: deploy.dry.ws1}
spec: {packageName: dry, repository: deploy, workspaceName: ws1, tasks: [{type: init, init: {description: dry}}]}
`,
    );
    const dryPatch = await kubectl(server.kubeconfig, [
      'patch',
      'packagerevision',
      NAME,
      '--dry-run=server',
      '--type=merge',
      '-p',
      '{"spec":{"lifecycle":"Proposed"}}',
    ]);
    const dryResources = await kubectl(server.kubeconfig, [
      'patch',
      'packagerevisionresources',
      NAME,
      '--dry-run=server',
      '--type=merge',
      '-p',
      '{"spec":{"resources":{"extra.yaml":"a: 1\\n"}}}',
    ]);
    const dryDelete = await kubectl(server.kubeconfig, [
      'delete',
      'packagerevision',
      NAME,
      '--dry-run=server',
    ]);
    for (const result of [dryCreate, dryPatch, dryResources, dryDelete]) {
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('dryRun is not supported for packagerevision');
    }
    expect(await remote(['for-each-ref'])).toBe(refsBefore);
    expect((await revision()).metadata.resourceVersion).toBe(rvBefore);
    expect((await kubectl(server.kubeconfig, ['get', 'packagerevision', 'deploy.dry.ws1'])).code).not.toBe(0);
  });

  it('proposes, then approves through the approval subresource', async () => {
    await k(['patch', 'packagerevision', NAME, '--type=merge', '-p', '{"spec":{"lifecycle":"Proposed"}}']);
    expect((await revision()).spec.lifecycle).toBe('Proposed');
    const direct = await kubectl(server.kubeconfig, [
      'patch',
      'packagerevision',
      NAME,
      '--type=merge',
      '-p',
      '{"spec":{"lifecycle":"Published"}}',
    ]);
    expect(direct.code).not.toBe(0);
    expect(direct.stderr).toContain('approval subresource');
    const current = await revision();
    const res = await fetch(`${server.url}${PATH}/approval`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...current, spec: { ...current.spec, lifecycle: 'Published' } }),
    });
    expect(res.status).toBe(200);
    const published = await revision();
    expect(published.spec).toMatchObject({ lifecycle: 'Published', revision: 1 });
    expect(published.metadata.labels).toMatchObject({ team: 'web', 'kpt.dev/latest-revision': 'true' });
    // git: tag web/v1 at the approval commit on main, no draft or proposed branch left.
    const refs = await remote(['for-each-ref', '--format=%(refname) %(objectname)']);
    const main = /refs\/heads\/main (\w+)/.exec(refs)?.[1];
    expect(refs).toContain(`refs/tags/web/v1 ${main}`);
    expect(refs).not.toContain('drafts/');
    expect(refs).not.toContain('proposed/');
    const frozen = await kubectl(server.kubeconfig, ['get', 'packagerevisionresources', NAME, '-o', 'json']);
    const push = await kubectl(server.kubeconfig, ['replace', '-f', '-'], frozen.stdout);
    expect(push.stderr).toContain('package must be Draft');
    expect(await remote(['log', '-1', '--format=%B', 'main'])).toMatch(
      /^Approving package revision web\/1\n\nkpt:\{/,
    );
  });

  it('creates new revisions by edit (same package) and clone (another package) from the published one', async () => {
    const create = (name: string, spec: string) =>
      kubectl(
        server.kubeconfig,
        ['create', '-f', '-'],
        `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: ${name}}
spec: ${spec}
`,
      );
    const edit = await create(
      'deploy.web.ws2',
      `{packageName: web, repository: deploy, workspaceName: ws2, tasks: [{type: edit, edit: {sourceRef: {name: ${NAME}}}}]}`,
    );
    expect(edit.stderr).toBe('');
    const prr = (name: string) =>
      k(['get', 'packagerevisionresources', name, '-o', 'json']).then(
        (json) => (JSON.parse(json) as { spec: { resources: Record<string, string> } }).spec.resources,
      );
    const published = await prr(NAME);
    expect(await prr('deploy.web.ws2')).toEqual(published);

    const clone = await create(
      'deploy.web-copy.ws1',
      `{packageName: web-copy, repository: deploy, workspaceName: ws1, tasks: [{type: clone, clone: {upstreamRef: {upstreamRef: {name: ${NAME}}}}}]}`,
    );
    expect(clone.stderr).toBe('');
    const cloned = await prr('deploy.web-copy.ws1');
    expect(cloned.Kptfile).toContain('name: web-copy');
    expect(cloned.Kptfile).toMatch(
      /upstream:\n\s+type: git\n\s+git:\n\s+repo: \S+deploy\n\s+directory: web\n\s+ref: web\/v1/,
    );
    expect(cloned.Kptfile).toMatch(/upstreamLock:[\s\S]*commit: [0-9a-f]{40}/);
    expect(cloned['deployment.yaml']).toContain('metadata: # kpt-merge: /web');
    expect(cloned['deployment.yaml']).toContain(
      "internal.kpt.dev/upstream-identifier: 'apps|Deployment|default|web'",
    );
    expect(cloned['package-context.yaml']).toContain('package-path: web/web-copy');

    const again = await create(
      'deploy.web-copy.ws2',
      `{packageName: web-copy, repository: deploy, workspaceName: ws2, tasks: [{type: clone, clone: {upstreamRef: {upstreamRef: {name: ${NAME}}}}}]}`,
    );
    expect(again.stderr).toContain('make subsequent revisions using `copy`');
    const fromDraft = await create(
      'deploy.other.ws1',
      `{packageName: other, repository: deploy, workspaceName: ws1, tasks: [{type: clone, clone: {upstreamRef: {upstreamRef: {name: deploy.web.ws2}}}}]}`,
    );
    expect(fromDraft.stderr).toContain('source revision must be published');
    await k(['delete', 'packagerevision', 'deploy.web.ws2', 'deploy.web-copy.ws1']);
  });

  it('deletes a published revision only after it was proposed for deletion', async () => {
    const refused = await kubectl(server.kubeconfig, ['delete', 'packagerevision', NAME]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('must be proposed for deletion');
    await k([
      'patch',
      'packagerevision',
      NAME,
      '--type=merge',
      '-p',
      '{"spec":{"lifecycle":"DeletionProposed"}}',
    ]);
    expect(await remote(['for-each-ref', '--format=%(refname)'])).toContain(
      'refs/heads/deletionProposed/web/v1',
    );
    await k(['delete', 'packagerevision', NAME, '--timeout=20s']);
    expect((await kubectl(server.kubeconfig, ['get', 'packagerevision', NAME])).stderr).toContain(
      'not found',
    );
    expect(await remote(['for-each-ref', '--format=%(refname)'])).not.toContain('refs/tags/web/v1');
  });
});
