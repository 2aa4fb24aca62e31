import { describe, expect, it } from 'vitest';
import {
  formatReference,
  isLoopbackRegistry,
  parseReference,
  ReferenceError,
  withDefaultTag,
} from './reference.js';

const digest = `sha256:${'a'.repeat(64)}` as const;

describe('parseReference', () => {
  const cases: Array<{ input: string; want: ReturnType<typeof parseReference> }> = [
    { input: 'nginx', want: { registry: 'docker.io', repository: 'library/nginx' } },
    { input: 'nginx:1.25', want: { registry: 'docker.io', repository: 'library/nginx', tag: '1.25' } },
    { input: 'bitnami/redis:7', want: { registry: 'docker.io', repository: 'bitnami/redis', tag: '7' } },
    { input: 'docker.io/nginx', want: { registry: 'docker.io', repository: 'library/nginx' } },
    { input: 'index.docker.io/library/nginx', want: { registry: 'docker.io', repository: 'library/nginx' } },
    { input: 'quay.io/pko/pkg:v1', want: { registry: 'quay.io', repository: 'pko/pkg', tag: 'v1' } },
    { input: 'localhost/app', want: { registry: 'localhost', repository: 'app' } },
    { input: 'localhost:5000/a/b/c:t', want: { registry: 'localhost:5000', repository: 'a/b/c', tag: 't' } },
    {
      input: '127.0.0.1:5000/app@' + digest,
      want: { registry: '127.0.0.1:5000', repository: 'app', digest },
    },
    {
      input: 'ghcr.io/o/app:v1@' + digest,
      want: { registry: 'ghcr.io', repository: 'o/app', tag: 'v1', digest },
    },
    { input: '[::1]:5000/app:x', want: { registry: '[::1]:5000', repository: 'app', tag: 'x' } },
    { input: 'reg.example:443/a__b/c-d.e', want: { registry: 'reg.example:443', repository: 'a__b/c-d.e' } },
  ];
  it.each(cases)('$input', ({ input, want }) => {
    const got = parseReference(input);
    expect(got).toEqual(want);
    // Formatting and parsing again gives the same reference.
    expect(parseReference(formatReference(got))).toEqual(want);
  });

  const bad: Array<{ input: string; error: RegExp }> = [
    { input: '', error: /empty/ },
    { input: 'Nginx', error: /invalid repository "library\/Nginx"/ },
    { input: 'app@sha256:abc', error: /malformed digest/ },
    { input: 'app:-bad', error: /invalid tag "-bad"/ },
    { input: 'reg.example/a//b', error: /invalid repository/ },
    { input: 'exa_mple.com/a', error: /invalid registry host/ },
  ];
  it.each(bad)('refuses $input', ({ input, error }) => {
    expect(() => parseReference(input)).toThrow(ReferenceError);
    expect(() => parseReference(input)).toThrow(error);
  });

  it('defaults to latest only when asked', () => {
    expect(withDefaultTag(parseReference('nginx')).tag).toBe('latest');
    expect(withDefaultTag(parseReference('nginx@' + digest)).tag).toBeUndefined();
  });
});

describe('isLoopbackRegistry', () => {
  it.each([
    ['localhost', true],
    ['localhost:5000', true],
    ['127.0.0.1:5000', true],
    ['127.1.2.3', true],
    ['[::1]:5000', true],
    ['::1', true],
    ['10.0.0.1:5000', false],
    ['localhost.example.com', false],
    ['docker.io', false],
  ])('%s → %s', (registry, want) => {
    expect(isLoopbackRegistry(registry)).toBe(want);
  });
});
