import { describe, expect, it } from 'vitest';
import { parseResourcePath } from './request-path.js';

describe('parseResourcePath', () => {
  it.each([
    ['/api/v1/namespaces', { group: '', version: 'v1', plural: 'namespaces', watch: false }],
    [
      '/api/v1/namespaces/default',
      { group: '', version: 'v1', plural: 'namespaces', name: 'default', watch: false },
    ],
    [
      '/api/v1/namespaces/default/status',
      {
        group: '',
        version: 'v1',
        plural: 'namespaces',
        name: 'default',
        subresource: 'status',
        watch: false,
      },
    ],
    [
      '/api/v1/namespaces/default/configmaps',
      { group: '', version: 'v1', namespace: 'default', plural: 'configmaps', watch: false },
    ],
    [
      '/api/v1/namespaces/default/configmaps/a',
      { group: '', version: 'v1', namespace: 'default', plural: 'configmaps', name: 'a', watch: false },
    ],
    ['/api/v1/configmaps', { group: '', version: 'v1', plural: 'configmaps', watch: false }],
    [
      '/apis/example.com/v1/namespaces/ns/widgets/w/status',
      {
        group: 'example.com',
        version: 'v1',
        namespace: 'ns',
        plural: 'widgets',
        name: 'w',
        subresource: 'status',
        watch: false,
      },
    ],
    [
      '/apis/example.com/v1/clusterwidgets/c',
      { group: 'example.com', version: 'v1', plural: 'clusterwidgets', name: 'c', watch: false },
    ],
    [
      '/api/v1/watch/namespaces/default/configmaps',
      { group: '', version: 'v1', namespace: 'default', plural: 'configmaps', watch: true },
    ],
  ])('%s', (path, expected) => {
    expect(parseResourcePath(path)).toEqual(expected);
  });

  it.each(['/api', '/api/v1', '/apis/example.com', '/apis/example.com/v1', '/healthz', '/api/v1/a/b/c/d'])(
    'is not a resource path: %s',
    (path) => {
      expect(parseResourcePath(path)).toBeUndefined();
    },
  );
});
