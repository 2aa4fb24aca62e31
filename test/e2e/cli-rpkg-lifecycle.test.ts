/**
 * porchctl's package revision verbs as users run them: the built `bin/lading.js` against a real
 * `lading serve` and a real smart-HTTP git server with basic auth — init, pull, push, propose,
 * approve, copy, clone, propose-delete and del.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lading } from '../support/lading-cli.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { startLading, type LadingServer } from '../support/lading-server.js';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('porchctl-compatible rpkg lifecycle verbs', () => {
  let git: GitServer;
  let server: LadingServer;
  let dir: string;
  let lastGet = '';
  const run = (args: string[]) => lading([...args, '--kubeconfig', server.kubeconfig]);
  const cli = async (args: string[]): Promise<string> => {
    const result = await run(args);
    expect(result.stderr, `lading ${args.join(' ')}`).toBe('');
    expect(result.code).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    git = await startGitServer({ auth: { username: 'porch', password: 'pw' } });
    await git.createRepo('deploy.git');
    server = await startLading({ args: ['--repository-sync-interval', '1s'] });
    dir = await mkdtemp(join(tmpdir(), 'lading-rpkg-'));
    await cli([
      'repo',
      'reg',
      git.url('deploy.git'),
      '--create-branch',
      '--repo-basic-username',
      'porch',
      '--repo-basic-password',
      'pw',
    ]);
    await until(
      async () => /^deploy\s+git\s+Package\s+True\s/m.test(await cli(['repo', 'get'])),
      'the repository to be Ready',
    );
  });
  afterAll(async () => {
    await server?.stop();
    await git?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes a package from init to deletion', async () => {
    expect(
      await cli([
        'rpkg',
        'init',
        'web',
        '--repository',
        'deploy',
        '--workspace',
        'ws1',
        '--description',
        'web server',
        '--keywords',
        'demo,web',
      ]),
    ).toBe('deploy.web.ws1 created\n');

    const list = await cli(['rpkg', 'pull', 'deploy.web.ws1']);
    expect(list).toMatch(/^apiVersion: config\.kubernetes\.io\/v1\nkind: ResourceList\n/);
    expect(list).toContain('description: web server');

    const pkg = join(dir, 'web');
    expect(await cli(['rpkg', 'pull', 'deploy.web.ws1', pkg])).toBe('');
    expect(await readFile(join(pkg, 'Kptfile'), 'utf8')).toContain('- demo');
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n';
    await writeFile(join(pkg, 'deployment.yaml'), deployment);
    await cli(['rpkg', 'push', 'deploy.web.ws1', pkg]);
    const pulled = join(dir, 'web-again');
    await cli(['rpkg', 'source', 'deploy.web.ws1', pulled]);
    expect(await readFile(join(pulled, 'deployment.yaml'), 'utf8')).toBe(deployment);

    expect(await cli(['rpkg', 'propose', 'deploy.web.ws1'])).toBe('deploy.web.ws1 proposed\n');
    expect(await cli(['rpkg', 'approve', 'deploy.web.ws1'])).toBe('deploy.web.ws1 approved\n');
    await until(
      async () =>
        /^deploy\.web\.ws1\s+web\s+ws1\s+1\s+true\s+Published\s+deploy$/m.test(
          (lastGet = await cli(['rpkg', 'get'])),
        ),
      'rpkg get to show web v1 as the latest revision',
    );
    expect(lastGet).toContain('deploy.web.ws1');
    const v1 = 'deploy.web.ws1';

    expect(await cli(['rpkg', 'copy', v1, '--workspace', 'ws2'])).toBe('deploy.web.ws2 created\n');
    expect(await cli(['rpkg', 'clone', v1, 'web-copy', '--repository', 'deploy', '--workspace', 'ws1'])).toBe(
      'deploy.web-copy.ws1 created\n',
    );
    const copies = await cli(['rpkg', 'get', '--name', 'web']);
    expect(copies).toMatch(/^deploy\.web\.ws2\s+web\s+ws2\s+0\s+false\s+Draft\s+deploy$/m);
    expect(copies).toMatch(/^deploy\.web-copy\.ws1\s+web-copy\s+ws1\s+0\s+false\s+Draft\s+deploy$/m);
    const edited = join(dir, 'web-ws2');
    await cli(['rpkg', 'pull', 'deploy.web.ws2', edited]);
    expect(await readFile(join(edited, 'deployment.yaml'), 'utf8')).toBe(deployment);

    expect(await cli(['rpkg', 'propose', 'deploy.web.ws2'])).toBe('deploy.web.ws2 proposed\n');
    expect(await cli(['rpkg', 'reject', 'deploy.web.ws2'])).toBe('deploy.web.ws2 rejected\n');
    expect(await cli(['rpkg', 'get', 'deploy.web.ws2'])).toMatch(/\sDraft\s/);

    expect(await cli(['rpkg', 'propose-delete', v1])).toBe(`${v1} proposed for deletion\n`);
    expect(await cli(['rpkg', 'reject', v1])).toBe(`${v1} rejected\n`);
    expect(await cli(['rpkg', 'get', v1])).toMatch(/\sPublished\s/);
    expect(await cli(['rpkg', 'propose-del', v1])).toBe(`${v1} proposed for deletion\n`);
    expect(await cli(['rpkg', 'del', v1])).toBe(`${v1} deleted\n`);
    await until(async () => (await run(['rpkg', 'get', v1])).code === 1, 'web v1 to be gone');
    expect(await cli(['rpkg', 'delete', 'deploy.web.ws2', 'deploy.web-copy.ws1'])).toBe(
      'deploy.web.ws2 deleted\ndeploy.web-copy.ws1 deleted\n',
    );
  });

  it.each([
    [
      'approving a Draft',
      ['approve', 'deploy.draft.ws1'],
      /^lading: cannot approve deploy\.draft\.ws1: it is Draft/,
    ],
    [
      'cloning from an unreachable git URL',
      ['clone', 'http://127.0.0.1:1/x.git/pkg@v1', 'x', '--repository', 'deploy'],
      /^lading: cannot clone from git repository http:\/\/127\.0\.0\.1:1\/x: git fetch failed/,
    ],
    [
      'init without --workspace',
      ['init', 'x', '--repository', 'deploy'],
      /^lading: --workspace is required$/,
    ],
    ['deleting an unknown revision', ['del', 'deploy.nope.ws1'], /^lading: .*not found/],
  ])('%s fails with one line and exit 1', async (_name, args, message) => {
    if (args[0] === 'approve') {
      await cli(['rpkg', 'init', 'draft', '--repository', 'deploy', '--workspace', 'ws1']);
    }
    const result = await run(['rpkg', ...args]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
