import { describe, expect, it } from 'vitest';
import { kubeconfigPath, resourcePath, toApiError } from './kube-client.js';
import { defaultRepoName, runOnceAt } from './repo-porch.js';
import { isUrlSource, parseGitSource } from './rpkg-create.js';
import { fieldSelector } from './rpkg-get.js';
import { formatTable } from './table-printer.js';

describe('defaultRepoName', () => {
  it.each([
    ['https://github.com/kptdev/blueprints.git', 'blueprints'],
    ['https://github.com/kptdev/blueprints', 'blueprints'],
    ['http://127.0.0.1:7007/git/deploy.git/', 'deploy'],
    ['oci://us-docker.pkg.dev/proj/catalog', 'catalog'],
  ])('%s → %s', (url, name) => expect(defaultRepoName(url)).toBe(name));
});

describe('parseGitSource', () => {
  it.each([
    [
      'https://github.com/platkrm/test-blueprints.git/basens@basens/v1',
      { repo: 'https://github.com/platkrm/test-blueprints', directory: '/basens', ref: 'basens/v1' },
    ],
    ['https://example.com/catalog.git', { repo: 'https://example.com/catalog', directory: '/' }],
    [
      'https://example.com/catalog.git@v2',
      { repo: 'https://example.com/catalog', directory: '/', ref: 'v2' },
    ],
    [
      'https://user@example.com/a/catalog.git/x/y@main',
      { repo: 'https://user@example.com/a/catalog', directory: '/x/y', ref: 'main' },
    ],
    ['git@github.com:org/repo.git/pkg@v1', { repo: 'git@github.com:org/repo', directory: '/pkg', ref: 'v1' }],
    ['https://example.com/plain', { repo: 'https://example.com/plain', directory: '/' }],
  ])('%s', (source, expected) => {
    expect(isUrlSource(source)).toBe(true);
    expect(parseGitSource(source)).toEqual(expected);
  });
  it('treats a revision name as no URL', () => expect(isUrlSource('blueprints.web.v1')).toBe(false));
});

describe('runOnceAt', () => {
  const now = Date.parse('2026-01-02T03:04:05.678Z');
  it.each([
    ['now', undefined, '2026-01-02T03:04:05Z'],
    ['a delay', '10m', '2026-01-02T03:14:05Z'],
    ['an RFC 3339 time', '2026-02-01T00:00:00+01:00', '2026-01-31T23:00:00Z'],
  ])('%s', (_name, when, expected) => expect(runOnceAt(when, now)).toBe(expected));
  it('rejects anything else', () => {
    expect(() => runOnceAt('soon', now)).toThrow(/--run-once must be/);
    expect(() => runOnceAt('2026-13-45Tnope', now)).toThrow(/RFC 3339/);
  });
});

describe('fieldSelector', () => {
  it.each([
    [{}, undefined],
    [{ revision: '1' }, 'spec.revision=1'],
    [{ revision: '-2' }, undefined],
    [{ revision: '-1', workspace: 'main' }, 'spec.revision=-1,spec.workspaceName=main'],
  ])('%j → %s', (flags, expected) => expect(fieldSelector(flags)).toBe(expected));
  it('rejects a non-integer revision', () =>
    expect(() => fieldSelector({ revision: 'v1' })).toThrow(/integer/));
});

describe('formatTable', () => {
  const table = {
    columnDefinitions: [
      { name: 'Name' },
      { name: 'Sync schedule' },
      { name: 'Hidden', priority: 1 },
      { name: 'Ready' },
    ],
    rows: [
      { cells: ['a', null, 'x', 'True'], object: { metadata: { namespace: 'default' } } },
      { cells: ['longer-name', '*/5 * * * *', 'y', false], object: { metadata: { namespace: 'ns2' } } },
    ],
  };
  it('aligns uppercase columns like kubectl, hiding priority columns', () => {
    expect(formatTable(table)).toBe(
      'NAME          SYNC SCHEDULE   READY\n' +
        'a                             True\n' +
        'longer-name   */5 * * * *     false\n',
    );
  });
  it('prefixes a NAMESPACE column', () => {
    expect(formatTable(table, { withNamespace: true }).split('\n')[2]).toBe(
      'ns2         longer-name   */5 * * * *     false',
    );
  });
  it('prints nothing for no rows', () => expect(formatTable({ ...table, rows: [] })).toBe(''));
});

describe('kube client helpers', () => {
  it.each([
    ['v1', 'secrets', 'default', false, 'x', '/api/v1/namespaces/default/secrets/x'],
    [
      'porch.kpt.dev/v1alpha1',
      'packagerevisions',
      'ns',
      true,
      undefined,
      '/apis/porch.kpt.dev/v1alpha1/packagerevisions',
    ],
  ] as const)('resourcePath(%s, %s)', (gv, plural, ns, all, name, path) =>
    expect(resourcePath(gv, plural, ns, all, name)).toBe(path),
  );
  it('prefers --kubeconfig over $KUBECONFIG', () => {
    expect(kubeconfigPath('/a')).toBe('/a');
  });
  it('keeps the Status message and reason of a failed request', () => {
    const err = toApiError(
      404,
      { kind: 'Status', message: 'x "y" not found', reason: 'NotFound' },
      '',
      'GET /p',
    );
    expect([err.code, err.reason, err.message]).toEqual([404, 'NotFound', 'x "y" not found']);
    expect(toApiError(502, undefined, 'bad gateway\nmore', 'GET /p').message).toBe(
      'GET /p: HTTP 502: bad gateway',
    );
  });
});
