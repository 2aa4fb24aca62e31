import { describe, expect, it } from 'vitest';
import { evaluateJsonPath } from './jsonpath.js';

const obj = {
  metadata: { name: 'a', labels: { 'app.kubernetes.io/name': 'x' } },
  spec: { replicas: 3, ports: [{ port: 80 }, { port: 443 }] },
  status: {
    conditions: [
      { type: 'Ready', status: 'True' },
      { type: 'Synced', status: 'False' },
    ],
  },
};

describe('evaluateJsonPath', () => {
  it.each([
    ['field', '.spec.replicas', [3]],
    ['braces', '{.metadata.name}', ['a']],
    ['index', '.spec.ports[1].port', [443]],
    ['negative index', '.spec.ports[-1].port', [443]],
    ['wildcard', '.spec.ports[*].port', [80, 443]],
    ['quoted key', ".metadata.labels['app.kubernetes.io/name']", ['x']],
    ['filter', '.status.conditions[?(@.type=="Ready")].status', ['True']],
    ['filter !=', '.status.conditions[?(@.type!="Ready")].type', ['Synced']],
    ['missing', '.spec.missing.deeper', []],
  ])('%s: %s', (_name, path, expected) => {
    expect(evaluateJsonPath(obj, path)).toEqual(expected);
  });

  it('rejects unsupported syntax with the path in the message', () => {
    expect(() => evaluateJsonPath(obj, '.spec..x')).toThrow(/invalid JSONPath "\.spec\.\.x"/);
  });
});
