import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseChallenge } from './challenge.js';
import {
  chainCredentials,
  CredentialsError,
  dockerConfigCredentials,
  loadDockerConfig,
  secretCredentials,
  staticCredentials,
} from './credentials.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('docker config credentials', () => {
  const config = {
    auths: {
      'https://index.docker.io/v1/': { auth: b64('hub:hubpass') },
      'http://127.0.0.1:5000/v2/': { auth: b64('local:pa:ss') },
      'ghcr.io': { username: 'gh', password: 'ghp' },
      'registry.example': { identitytoken: 'refresh-me' },
      'tok.example': { registrytoken: 'bearer-me' },
      'empty.example': {},
    },
  };
  const cases: Array<{ registry: string; want: unknown }> = [
    { registry: 'docker.io', want: { username: 'hub', password: 'hubpass' } },
    { registry: '127.0.0.1:5000', want: { username: 'local', password: 'pa:ss' } },
    { registry: 'ghcr.io', want: { username: 'gh', password: 'ghp' } },
    { registry: 'registry.example', want: { identityToken: 'refresh-me' } },
    { registry: 'tok.example', want: { registryToken: 'bearer-me' } },
    { registry: 'empty.example', want: undefined },
    { registry: 'unknown.example', want: undefined },
  ];
  it.each(cases)('$registry', async ({ registry, want }) => {
    expect(await dockerConfigCredentials(config).get(registry)).toEqual(want);
    expect(await dockerConfigCredentials(JSON.stringify(config)).get(registry)).toEqual(want);
  });

  it('refuses a malformed auth without echoing it', () => {
    const run = (): unknown =>
      dockerConfigCredentials({ auths: { x: { auth: b64('no-colon-secret') } } }, 'cfg');
    expect(run).toThrow(CredentialsError);
    expect(run).toThrow(/`auths\["x"\].auth` must be base64/);
    expect(run).not.toThrow(/no-colon-secret/);
  });

  it('reads DOCKER_CONFIG and skips missing files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-dockercfg-'));
    try {
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({ auths: { 'r.example': { auth: b64('u:p') } } }),
      );
      const provider = await loadDockerConfig({ env: { DOCKER_CONFIG: dir } });
      expect(await provider.get('r.example')).toEqual({ username: 'u', password: 'p' });
      const none = await loadDockerConfig({ env: { DOCKER_CONFIG: join(dir, 'missing') } });
      expect(await none.get('r.example')).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes secret credentials', () => {
  it('reads kubernetes.io/dockerconfigjson', async () => {
    const secret = {
      metadata: { name: 'pull', namespace: 'ns' },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(JSON.stringify({ auths: { 'quay.io': { auth: b64('q:w') } } })) },
    };
    expect(await secretCredentials(secret).get('quay.io')).toEqual({ username: 'q', password: 'w' });
  });
  it('reads legacy kubernetes.io/dockercfg', async () => {
    const secret = { data: { '.dockercfg': b64(JSON.stringify({ 'quay.io': { auth: b64('a:b') } })) } };
    expect(await secretCredentials(secret).get('quay.io')).toEqual({ username: 'a', password: 'b' });
  });
  it('names the secret when it holds nothing', () => {
    expect(() => secretCredentials({ metadata: { name: 's', namespace: 'n' }, data: {} })).toThrow(
      /Secret "n\/s" holds no registry credentials/,
    );
  });
  it('chains providers, first hit wins', async () => {
    const chain = chainCredentials(
      staticCredentials({ a: { username: '1' } }),
      staticCredentials({ a: { username: '2' }, b: { username: '3' } }),
    );
    expect(await chain.get('a')).toEqual({ username: '1' });
    expect(await chain.get('b')).toEqual({ username: '3' });
  });
});

describe('parseChallenge', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull,push"',
      {
        scheme: 'bearer',
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull,push',
      },
    ],
    ['Basic realm="Registry Realm"', { scheme: 'basic', realm: 'Registry Realm' }],
    ['bearer realm=https://x/t, service=svc', { scheme: 'bearer', realm: 'https://x/t', service: 'svc' }],
    ['Negotiate abc', undefined],
  ])('%s', (header, want) => {
    expect(parseChallenge(header)).toEqual(want);
  });
});
