/**
 * Test support: kpt-fn-examples cases whose upstream driver (a script with the `kpt fn eval`
 * arguments) was not copied with the fixtures; their eval configuration, as the catalog runs them.
 */
export const SCRIPTED_CASES: Record<string, Record<string, unknown>> = {
  'search-replace/search-replace-create-setters': {
    testType: 'eval',
    image: 'gcr.io/kpt-fn/search-replace:unstable',
    args: {
      'by-path': 'data.**',
      'by-value-regex': '(.*)nginx.com(.*)',
      'put-comment': 'kpt-set: ${1}${host}${2}',
    },
  },
  'search-replace/tests/file-path-match': {
    testType: 'eval',
    image: 'gcr.io/kpt-fn/search-replace:unstable',
    args: { 'by-value': 'project-id', 'by-file-path': '**/setters.yaml', 'put-value': 'new-project' },
  },
};
