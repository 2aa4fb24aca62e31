/**
 * The porchctl-compatible CLI (`lading repo reg|get|sync|unreg`, `lading rpkg get`) as users run
 * it: the built `bin/lading.js` against a real `lading serve` and a real smart-HTTP git server
 * with basic auth; also a token-protected HTTPS server reached through the kubeconfig it wrote.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lading } from '../support/lading-cli.js';
import { gitAt, startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

const kptfile = (name: string) =>
  `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: ${name}\ninfo:\n  description: ${name} package\n`;

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('porchctl-compatible CLI', () => {
  let git: GitServer;
  let server: LadingServer;
  const cli = async (args: string[]): Promise<string> => {
    const result = await lading([...args, '--kubeconfig', server.kubeconfig]);
    expect(result.stderr, `lading ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    git = await startGitServer({ auth: { username: 'porch', password: 's3cret' } });
    const commit = await git.createRepo('blueprints.git', {
      files: { 'basens/Kptfile': kptfile('basens'), 'network/Kptfile': kptfile('network') },
    });
    await gitAt(git.repoPath('blueprints.git'), ['update-ref', 'refs/tags/basens/v1', commit ?? '']);
    server = await startLading({ args: ['--repository-sync-interval', '1s'] });
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
  });

  it('registers a repository with basic auth, lists it and its package revisions, syncs and unregisters it', async () => {
    const url = git.url('blueprints.git');
    expect(
      await cli([
        'repo',
        'reg',
        url,
        '--description',
        'Blueprints',
        '--repo-basic-username',
        'porch',
        '--repo-basic-password',
        's3cret',
      ]),
    ).toBe('repository.config.porch.kpt.dev/blueprints created\n');

    let listing = '';
    await until(async () => {
      listing = await cli(['repo', 'get']);
      return /^blueprints\s+git\s+Package\s+True\s/m.test(listing);
    }, 'repo get to show blueprints Ready');
    expect(listing.split('\n')[0]).toMatch(
      /^NAME\s+TYPE\s+CONTENT\s+SYNC SCHEDULE\s+DEPLOYMENT\s+READY\s+ADDRESS\s+BRANCH\s+AGE$/,
    );
    expect(listing).toContain(url);
    expect(await cli(['repo', 'ls', 'blueprints'])).toMatch(/^blueprints\s+git/m);
    expect(await cli(['repo', 'list', '-A'])).toMatch(
      /^NAMESPACE\s+NAME\s+TYPE[^\n]*\ndefault\s+blueprints\s+git/,
    );

    const revisions = await cli(['rpkg', 'get']);
    expect(revisions.split('\n')[0]).toMatch(
      /^NAME\s+PACKAGE\s+WORKSPACENAME\s+REVISION\s+LATEST\s+LIFECYCLE\s+REPOSITORY$/,
    );
    expect(revisions).toMatch(
      /^blueprints\.basens\.main\s+basens\s+main\s+-1\s+false\s+Published\s+blueprints$/m,
    );
    expect(revisions).toMatch(/^blueprints\.basens\.v1\s+basens\s+v1\s+1\s+true\s+Published\s+blueprints$/m);
    expect(revisions).toMatch(/^blueprints\.network\.main\s/m);

    const byName = await cli(['rpkg', 'list', '--name', 'asen']);
    expect(byName).toContain('blueprints.basens.v1');
    expect(byName).not.toContain('network');
    const byRevision = await cli(['rpkg', 'get', '--revision', '1']);
    expect(byRevision.trim().split('\n')).toHaveLength(2);
    expect(byRevision).toContain('blueprints.basens.v1');
    const byWorkspace = await cli(['rpkg', 'get', '--workspace', 'main', '--name', 'network']);
    expect(byWorkspace.trim().split('\n').slice(1)).toEqual([
      expect.stringMatching(/^blueprints\.network\.main\s/),
    ]);
    expect(await cli(['rpkg', 'get', 'blueprints.basens.v1'])).toMatch(
      /^blueprints\.basens\.v1\s+basens\s+v1\s+1/m,
    );
    expect(await cli(['rpkg', 'get', '-A'])).toMatch(/^default\s+blueprints\.basens\.v1\s/m);

    const secretPath = '/api/v1/namespaces/default/secrets/blueprints-auth';
    const created = (await fetchJson(server, secretPath)) as { type?: string; data?: Record<string, string> };
    expect(created.type).toBe('kubernetes.io/basic-auth');
    expect(Buffer.from(created.data?.['username'] ?? '', 'base64').toString()).toBe('porch');

    const synced = await cli(['repo', 'sync', 'blueprints']);
    expect(synced).toMatch(
      /^repository\.config\.porch\.kpt\.dev\/blueprints sync scheduled at \d{4}-\d\d-\d\dT[\d:]+Z$/m,
    );
    const at = /at (\S+)$/m.exec(synced)?.[1];
    const repo = await fetchJson(
      server,
      '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories/blueprints',
    );
    expect((repo as { spec: { sync?: { runOnceAt?: string } } }).spec.sync?.runOnceAt).toBe(at);
    expect(await cli(['repo', 'sync', '--all', '--run-once', '10m'])).toContain('blueprints sync scheduled');

    expect(await cli(['repo', 'unreg', 'blueprints'])).toBe(
      'repository.config.porch.kpt.dev/blueprints deleted\nsecret/blueprints-auth deleted\n',
    );
    await until(async () => {
      const gone = await lading(['repo', 'get', 'blueprints', '--kubeconfig', server.kubeconfig]);
      return gone.code === 1;
    }, 'the Repository to be deleted');
    expect(((await fetchJson(server, secretPath)) as { reason?: string }).reason).toBe('NotFound');
    const again = await lading(['repo', 'unreg', 'blueprints', '--kubeconfig', server.kubeconfig]);
    expect(again.code).toBe(1);
    const empty = await lading(['rpkg', 'get', '--kubeconfig', server.kubeconfig]);
    expect(empty).toEqual({ code: 0, stdout: '', stderr: 'No resources found in default namespace.\n' });
  });

  it.each([
    ['unreg of an unknown repository', ['repo', 'unreg', 'nope'], /^lading: .*not found$/],
    ['get of an unknown repository', ['repo', 'get', 'nope'], /^lading: .*"nope" not found$/],
    ['sync without names or --all', ['repo', 'sync'], /^lading: pass repository names or --all$/],
    ['a bad --revision', ['rpkg', 'get', '--revision', 'x'], /^lading: --revision must be an integer/],
    ['a bad --run-once', ['repo', 'sync', 'x', '--run-once', 'soon'], /^lading: --run-once must be/],
  ])('%s fails with one line and exit 1', async (_name, args, message) => {
    const result = await lading([...args, '--kubeconfig', server.kubeconfig]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('fails with one line when there is no kubeconfig', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-cli-'));
    try {
      const result = await lading(['repo', 'get', '--kubeconfig', join(dir, 'missing')]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^lading: cannot read kubeconfig "[^"]+missing": .*\n$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reaches a token-protected HTTPS server through the kubeconfig it wrote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-cli-tls-'));
    const tokens = join(dir, 'tokens.csv');
    await writeFile(tokens, 'tok3n,admin,1,"system:masters"\n');
    const secure = await startLading({ args: ['--token-file', tokens] });
    try {
      expect(secure.url).toMatch(/^https:/);
      const ok = await lading([
        'repo',
        'reg',
        git.url('other.git'),
        '-n',
        'default',
        '--kubeconfig',
        secure.kubeconfig,
      ]);
      expect(ok).toMatchObject({ code: 0, stdout: 'repository.config.porch.kpt.dev/other created\n' });
      const env = { KUBECONFIG: secure.kubeconfig };
      expect((await lading(['repo', 'get'], env)).stdout).toMatch(/^other\s+git\s/m);
      const badToken = join(dir, 'kubeconfig-bad');
      await writeFile(badToken, (await readFile(secure.kubeconfig, 'utf8')).replace('tok3n', 'wrong'));
      const denied = await lading(['repo', 'get', '--kubeconfig', badToken]);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/^lading: .*\n$/);
      expect(denied.stderr.toLowerCase()).toContain('unauthorized');
    } finally {
      await secure.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

async function fetchJson(server: LadingServer, path: string): Promise<unknown> {
  const response = await fetch(server.url + path);
  return response.json();
}
