/**
 * Render on write through Porch's API: pushing a Draft's resources renders them through the
 * package's pipeline (builtin functions, and images mapped to executables by FunctionConfig
 * objects); a failing render stores nothing unless the PackageRevision asks for
 * `porch.kpt.dev/push-on-render-failure`, and the outcome shows in `status.conditions`.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping render-on-write tests: ${missing}`);

const NAME = 'render.app.ws1';
const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings # kept
data:
  color: blue
`;

const kptfile = (mutators: string): string => `apiVersion: kpt.dev/v1
kind: Kptfile
metadata:
  name: app
  annotations:
    config.kubernetes.io/local-config: "true"
pipeline:
  mutators:
${mutators}`;

interface Resources {
  metadata: { resourceVersion: string };
  spec: { resources: Record<string, string> };
  status?: { renderStatus?: { error: string; result: { items?: unknown[] } } };
}

describe.skipIf(missing !== undefined)('render on write', () => {
  let git: GitServer;
  let server: LadingServer;
  let scripts = '';
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);
  const resources = async () =>
    JSON.parse(await k(['get', 'packagerevisionresources', NAME, '-o', 'json'])) as Resources;
  const draftHead = async () => (await gitAt(git.repoPath('render'), ['rev-parse', 'drafts/app/ws1'])).trim();
  const conditions = async () =>
    (
      JSON.parse(await k(['get', 'packagerevision', NAME, '-o', 'json'])) as {
        status: { conditions?: Array<{ type: string; status: string; message?: string }> };
      }
    ).status.conditions ?? [];
  /** PUT of new files; resolves kubectl's result (the server's answer). */
  const push = async (files: Record<string, string>) => {
    const current = await resources();
    const body = { ...current, spec: { ...current.spec, resources: files } };
    const result = await kubectl(
      server.kubeconfig,
      ['replace', '-f', '-', '-o', 'json'],
      JSON.stringify(body),
    );
    return { ...result, object: result.code === 0 ? (JSON.parse(result.stdout) as Resources) : undefined };
  };

  beforeAll(async () => {
    scripts = await mkdtemp(join(tmpdir(), 'lading-render-fn-'));
    // A function for an image no builtin knows: it stamps every item with a label.
    const stamp = join(scripts, 'stamp.sh');
    await writeFile(stamp, `#!/bin/sh\nsed 's/^  metadata:$/  metadata:\\n    labels: {stamped: "yes"}/'\n`);
    await chmod(stamp, 0o755);
    git = await startGitServer();
    await git.createRepo('render');
    server = await startLading();
    await k(
      ['apply', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: render}
spec: {type: git, git: {repo: "${git.url('render')}", branch: main, createBranch: true}}
---
apiVersion: config.porch.kpt.dev/v1alpha1
kind: FunctionConfig
metadata: {name: stamp}
spec: {image: example.com/fns/stamp, binaryExecutor: {tags: [v1], path: "${stamp}"}}
`,
    );
    await k(['wait', '--for=condition=Ready', 'repository/render', '--timeout=30s']);
    await k(
      ['create', '-f', '-'],
      `apiVersion: porch.kpt.dev/v1alpha1
kind: PackageRevision
metadata: {name: ${NAME}}
spec: {packageName: app, repository: render, workspaceName: ws1, tasks: [{type: init, init: {description: app}}]}
`,
    );
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
    await rm(scripts, { recursive: true, force: true });
  });

  it('renders pushed resources through the pipeline (builtin functions) and records Rendered=True', async () => {
    const result = await push({
      Kptfile: kptfile(`  - image: gcr.io/kpt-fn/set-namespace:v0.4.1
    configMap: {namespace: shop}
  - image: ghcr.io/kptdev/krm-functions-catalog/set-labels:v0.2
    configMap: {tier: web}
`),
      'cm.yaml': CONFIGMAP,
    });
    expect(result.stderr).toBe('');
    expect(result.object?.status?.renderStatus?.error).toBe('');
    expect(result.object?.status?.renderStatus?.result.items).toHaveLength(2);
    const files = (await resources()).spec.resources;
    expect(files['cm.yaml']).toContain('name: settings # kept\n  namespace: shop\n');
    expect(files['cm.yaml']).toContain('tier: web');
    expect(await conditions()).toContainEqual(expect.objectContaining({ type: 'Rendered', status: 'True' }));
  });

  it('runs an image that a FunctionConfig maps to an executable', async () => {
    const result = await push({
      Kptfile: kptfile('  - image: example.com/fns/stamp:v1\n'),
      'cm.yaml': CONFIGMAP,
    });
    expect(result.code, result.stderr).toBe(0);
    expect((await resources()).spec.resources['cm.yaml']).toContain('stamped: "yes"');
  });

  it('refuses a push whose render fails and stores nothing', async () => {
    const before = await draftHead();
    const result = await push({
      Kptfile: kptfile('  - image: example.com/fns/unknown:v1\n'),
      'cm.yaml': CONFIGMAP,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('rendering the package failed, nothing was stored');
    expect(result.stderr).toContain('example.com/fns/unknown:v1');
    expect(await draftHead()).toBe(before);
  });

  it('stores the unrendered resources when the revision asks for push-on-render-failure', async () => {
    await k(['annotate', 'packagerevision', NAME, 'porch.kpt.dev/push-on-render-failure=true']);
    const before = await draftHead();
    const result = await push({
      Kptfile: kptfile('  - image: example.com/fns/unknown:v1\n'),
      'cm.yaml': CONFIGMAP,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.object?.status?.renderStatus?.error).toContain('example.com/fns/unknown:v1');
    expect(await draftHead()).not.toBe(before);
    expect((await resources()).spec.resources['cm.yaml']).toBe(CONFIGMAP);
    expect(await conditions()).toContainEqual(
      expect.objectContaining({ type: 'Rendered', status: 'False', reason: 'RenderFailed' }),
    );
  });
});
