import { describe, expect, it } from 'vitest';
import { auth, dataDir, git, gitServer, kptfile, newRemote, useGitServer } from './git-repository.fixture.js';
import { UpstreamMirrors } from './index.js';

useGitServer();
const credentials = { type: 'basic' as const, ...auth };

describe('UpstreamMirrors', () => {
  it('resolves tags (annotated too), branches and commit ids, and reads the package at that commit', async () => {
    const name = await newRemote({ 'pkgs/web/Kptfile': kptfile('web'), 'pkgs/web/a.yaml': 'v: 1\n' });
    const remote = gitServer().repoPath(name);
    const first = await git(remote, 'rev-parse', 'main');
    await git(remote, 'tag', 'web/v1', 'main');
    await git(
      remote,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'tag',
      '-a',
      '-m',
      'x',
      'annotated',
      'main',
    );
    await git(remote, 'branch', 'stable', 'main');
    const mirrors = new UpstreamMirrors(dataDir());
    const read = (ref: string) =>
      mirrors.read({ repo: gitServer().url(name), ref, directory: '/pkgs/web/', credentials });
    for (const ref of ['web/v1', 'annotated', 'stable', 'main', first, first.slice(0, 10)]) {
      const pkg = await read(ref);
      expect({ ref, commit: pkg.commit }).toEqual({ ref, commit: first });
      expect([...pkg.files.keys()].sort()).toEqual(['Kptfile', 'a.yaml']);
      expect(pkg.files.get('a.yaml')).toBe('v: 1\n');
    }
  });

  it.each([
    ['an unknown ref', { ref: 'v9' }, /ref "v9" is neither a tag, a branch nor a commit/],
    ['a directory without a Kptfile', { ref: 'main', directory: 'nope' }, /no package at directory "nope"/],
    ['an option-like ref', { ref: '--output=x' }, /ref "--output=x"/],
  ])('refuses %s', async (_name, request, message) => {
    const name = await newRemote({ Kptfile: kptfile('root') });
    const mirrors = new UpstreamMirrors(dataDir());
    await expect(mirrors.read({ repo: gitServer().url(name), credentials, ...request })).rejects.toThrow(
      message,
    );
  });
});
