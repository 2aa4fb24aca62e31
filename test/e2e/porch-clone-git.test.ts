/**
 * `clone` from a git URL through Porch's API: the Draft's files equal what `kpt pkg get` writes for
 * the same URL, directory and ref (fixture packages served by a real smart-HTTP git remote);
 * private upstreams are read with the task's `secretRef`; bad upstreams are refused with a reason
 * and nothing is created.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KPT_VERSION, fixturePackage, readTree } from '../../src/krm/test-kpt.js';
import { kubectl, kubectlMissing, kubectlOk } from '../support/kubectl.js';
import { lading } from '../support/lading-cli.js';
import { gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const PACKAGES: Record<string, string> = {
  nginx: 'kpt/package-examples/nginx',
  wordpress: 'kpt/package-examples/wordpress',
  guestbook: 'kpt/package-examples/guestbook',
  basens: 'kpt-samples/basens',
  'cert-manager-basic': 'kpt/package-examples/cert-manager-basic',
};

const AUTH = { name: 'private-auth' };
const missing = kubectlMissing();
if (missing) console.warn(`skipping clone-from-git tests: ${missing}`);
if (!KPT_VERSION) console.warn('kpt is not installed: clone output is not compared with `kpt pkg get`');

/** kpt, without blocking this process (the git server it fetches from runs in it). */
function kpt(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('kpt', args, { timeout: 60_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`kpt ${args.join(' ')} failed: ${stderr}`, { cause: err }));
      else resolve();
    });
  });
}

function catalogFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, fixture] of Object.entries(PACKAGES))
    for (const [path, text] of fixturePackage(fixture)) files[`${name}/${path}`] = text;
  return files;
}

function cloneRevision(name: string, repository: string, git: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'porch.kpt.dev/v1alpha1',
    kind: 'PackageRevision',
    metadata: { name: `${repository}.${name}.v1` },
    spec: {
      packageName: name,
      repository,
      workspaceName: 'v1',
      lifecycle: 'Draft',
      tasks: [{ type: 'clone', clone: { upstreamRef: { type: 'git', git } } }],
    },
  });
}

describe.skipIf(missing !== undefined)('clone from a git URL', () => {
  let publicGit: GitServer;
  let privateGit: GitServer;
  let server: LadingServer;
  let out = '';
  const k = (args: string[], input?: string) => kubectlOk(server.kubeconfig, args, input);
  const resources = async (name: string): Promise<Map<string, string>> => {
    const prr = JSON.parse(await k(['get', 'packagerevisionresources', name, '-o', 'json'])) as {
      spec: { resources: Record<string, string> };
    };
    return new Map(Object.entries(prr.spec.resources));
  };
  const register = (name: string, url: string, extra = '') =>
    k(
      ['apply', '-f', '-'],
      `apiVersion: config.porch.kpt.dev/v1alpha1
kind: Repository
metadata: {name: ${name}}
spec: {type: git, ${extra} git: {repo: "${url}", branch: main, createBranch: true}}
`,
    );

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'lading-kpt-get-'));
    publicGit = await startGitServer();
    privateGit = await startGitServer({ auth: { username: 'reader', password: 's3cret' } });
    // kpt strips `.git` from `…/catalog.git/<dir>`, so the repository is served as `catalog`.
    await publicGit.createRepo('catalog', { files: catalogFiles() });
    await privateGit.createRepo('private', { files: catalogFiles() });
    for (const name of Object.keys(PACKAGES)) {
      await gitAt(publicGit.repoPath('catalog'), ['tag', `${name}/v1`, 'main']);
      await gitAt(privateGit.repoPath('private'), ['tag', `${name}/v1`, 'main']);
    }
    await publicGit.createRepo('blueprints');
    await publicGit.createRepo('deploy');
    server = await startLading();
    await register('blueprints', publicGit.url('blueprints'));
    await register('deploy', publicGit.url('deploy'), 'deployment: true,');
    await k(['wait', '--for=condition=Ready', 'repository/blueprints', 'repository/deploy', '--timeout=30s']);
    await k([
      'create',
      'secret',
      'generic',
      'private-auth',
      '--type=kubernetes.io/basic-auth',
      '--from-literal=username=reader',
      '--from-literal=password=s3cret',
    ]);
  });
  afterAll(async () => {
    await server?.stop();
    await publicGit?.stop();
    await privateGit?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it.skipIf(!KPT_VERSION).each(Object.keys(PACKAGES))(
    'the Draft cloned from git is what `kpt pkg get` writes, rendered: %s',
    async (name) => {
      const repo = publicGit.url('catalog');
      const ref = `${name}/v1`;
      const dir = join(out, name);
      await kpt(['pkg', 'get', `${repo}.git/${name}@${ref}`, dir]);
      // The server renders every Draft it writes: expect what `lading fn render` (itself compared
      // with `kpt fn render` in fn-kpt-compare) makes of kpt's clone. Where the pipeline needs a
      // function nothing here can run, the Draft is kept unrendered on request and the Kptfile
      // gets a Rendered=False condition, which is left out of the comparison.
      const rendered = await lading(['fn', 'render', dir]);
      const body = JSON.parse(cloneRevision(name, 'blueprints', { repo, ref, directory: `/${name}` })) as {
        metadata: { annotations?: Record<string, string> };
      };
      if (rendered.code !== 0) body.metadata.annotations = { 'porch.kpt.dev/push-on-render-failure': 'true' };
      await k(['create', '-f', '-'], JSON.stringify(body));
      const expected = readTree(dir);
      const actual = await resources(`blueprints.${name}.v1`);
      if (rendered.code !== 0) {
        const kptfile = actual.get('Kptfile') ?? '';
        expect(kptfile).toMatch(
          /status:\n {2}conditions:\n\s+- type: Rendered\n\s+status: "False"\n\s+reason: RenderFailed\n/,
        );
        actual.set('Kptfile', kptfile.slice(0, kptfile.lastIndexOf('status:\n')));
      }
      expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [path, text] of expected) expect({ path, text: actual.get(path) }).toEqual({ path, text });
    },
  );

  it('`lading rpkg clone URL.git/DIR@REF` clones from git, with --secret-ref for a private upstream', async () => {
    const result = await lading([
      'rpkg',
      'clone',
      `${privateGit.url('private')}.git/basens@basens/v1`,
      'basens',
      '--repository=deploy',
      '--workspace=cli',
      '--secret-ref=private-auth',
      '--kubeconfig',
      server.kubeconfig,
    ]);
    expect(result).toMatchObject({ code: 0, stdout: 'deploy.basens.cli created\n' });
    const kptfile = (await resources('deploy.basens.cli')).get('Kptfile') ?? '';
    expect(kptfile).toContain(`repo: ${privateGit.url('private')}\n`);
    expect(kptfile).toContain('directory: /basens\n');
    expect(kptfile).toContain('ref: basens/v1\n');
  });

  it('reads a private upstream with the secret the task names, and records the resolved commit', async () => {
    const commit = (
      await gitAt(privateGit.repoPath('private'), ['rev-parse', 'cert-manager-basic/v1'])
    ).trim();
    await k(
      ['create', '-f', '-'],
      cloneRevision('cert-manager-basic', 'deploy', {
        repo: privateGit.url('private'),
        ref: 'cert-manager-basic/v1',
        directory: 'cert-manager-basic',
        secretRef: AUTH,
      }),
    );
    const files = await resources('deploy.cert-manager-basic.v1');
    const kptfile = files.get('Kptfile') ?? '';
    expect(kptfile).toContain(`repo: ${privateGit.url('private')}`);
    expect(kptfile).toContain(`commit: ${commit}`);
    expect(kptfile).not.toContain('s3cret');
    // A deployment repository's clone gets a package context.
    expect(files.get('package-context.yaml')).toContain('name: cert-manager-basic');
    expect(privateGit.stats.unauthorized).toBeGreaterThan(0);
  });

  it.each([
    [
      'a ref the upstream does not have',
      { ref: 'no-such-ref', directory: 'nginx', secretRef: AUTH },
      /ref "no-such-ref"/,
    ],
    [
      'a directory without a Kptfile',
      { ref: 'main', directory: 'nowhere', secretRef: AUTH },
      /no package at directory "nowhere"/,
    ],
    [
      'a secret that does not exist',
      { ref: 'main', directory: 'nginx', secretRef: { name: 'nope' } },
      /secrets "nope" not found/,
    ],
    [
      'no credentials for a private upstream',
      { ref: 'main', directory: 'nginx' },
      /needs credentials: name a Secret/,
    ],
  ])('refuses %s and creates nothing', async (_case, git, message) => {
    const body = cloneRevision('refused', 'blueprints', { repo: privateGit.url('private'), ...git });
    const { code, stderr } = await kubectl(server.kubeconfig, ['create', '-f', '-'], body);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(message);
    expect(await k(['get', 'packagerevisions', '-o', 'name'])).not.toContain('refused');
  });

  it('refuses an upstream whose credentials are wrong with git’s reason', async () => {
    await k([
      'create',
      'secret',
      'generic',
      'wrong-auth',
      '--type=kubernetes.io/basic-auth',
      '--from-literal=username=reader',
      '--from-literal=password=bad-pass-123',
    ]);
    const body = cloneRevision('refused', 'blueprints', {
      repo: privateGit.url('private'),
      ref: 'main',
      directory: 'nginx',
      secretRef: { name: 'wrong-auth' },
    });
    const { code, stderr } = await kubectl(server.kubeconfig, ['create', '-f', '-'], body);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /cannot clone from git repository .*private[\s\S]*check the credentials in secret "wrong-auth"/,
    );
    expect(stderr).not.toContain('bad-pass-123');
  });
});
