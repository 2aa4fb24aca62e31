/**
 * Porch's Repository kind (`config.porch.kpt.dev/v1alpha1`) with kubectl: real Nephio Repository
 * YAML applies unchanged and prints Porch's columns; invalid or immutable changes are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const missing = kubectlMissing();
if (missing) console.warn(`skipping Repository kubectl tests: ${missing}`);
const fixture = new URL(
  '../../../shared/fixtures/kpt/nephio-example-packages/nephio-stock-repos/',
  import.meta.url,
).pathname;

describe.skipIf(missing !== undefined)('Repository (config.porch.kpt.dev/v1alpha1)', () => {
  let server: LadingServer;
  beforeAll(async () => {
    server = await startLading();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('applies Nephio repository YAML unchanged and lists it with Porch columns', async () => {
    await kubectlOk(server.kubeconfig, ['apply', '-f', `${fixture}repo-free5gc-packages.yaml`]);
    // The controller reports on the repository (github.com may or may not be reachable from here).
    await kubectlOk(server.kubeconfig, [
      'wait',
      '--for=jsonpath={.status.conditions[0].type}=Ready',
      'repository/free5gc-packages',
      '--timeout=30s',
    ]);
    const out = await kubectlOk(server.kubeconfig, ['get', 'repo']);
    expect(out).toMatch(
      /^NAME\s+TYPE\s+CONTENT\s+SYNC SCHEDULE\s+DEPLOYMENT\s+READY\s+ADDRESS\s+BRANCH\s+AGE/m,
    );
    expect(out).toMatch(
      /^free5gc-packages\s+git\s+Package\s+false\s+(True|False)\s+https:\/\/github\.com\/nephio-project\/free5gc-packages\.git\s+main\s+/m,
    );
    const repo = JSON.parse(
      await kubectlOk(server.kubeconfig, ['get', 'repository', 'free5gc-packages', '-o', 'json']),
    ) as {
      spec: unknown;
    };
    expect(repo.spec).toEqual({
      content: 'Package',
      deployment: false,
      git: { branch: 'main', directory: '/', repo: 'https://github.com/nephio-project/free5gc-packages.git' },
      type: 'git',
    });
  });

  it.each([
    [
      'a git repository without spec.git',
      'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: Repository\nmetadata: {name: nogit}\nspec: {type: git}\n',
      'spec.git',
    ],
    [
      'a name that is not a DNS label',
      'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: Repository\nmetadata: {name: a.b}\nspec: {type: git, git: {repo: "https://example.com/x.git"}}\n',
      'metadata.name',
    ],
  ])('refuses %s', async (_name, yaml, field) => {
    const result = await kubectl(server.kubeconfig, ['create', '-f', '-'], yaml);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(field);
  });

  it('refuses to change the repository address', async () => {
    const result = await kubectl(server.kubeconfig, [
      'patch',
      'repository',
      'free5gc-packages',
      '--type=merge',
      '-p',
      '{"spec":{"git":{"repo":"https://example.com/other.git"}}}',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.git.repo');
    expect(result.stderr).toContain('field is immutable');
  });
});
