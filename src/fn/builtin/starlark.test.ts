import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { createStarlark } from './starlark.js';
import { resourceOf, runFunction } from './test-examples.js';
import { formatDocument } from '../../krm/index.js';
import type { ResourceListData } from '../function-runtime.js';

/** A StarlarkRun config with `source` (indented into the block scalar) and optional params YAML. */
function run(source: string, params = ''): string {
  const body = source
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return `apiVersion: fn.kpt.dev/v1alpha1\nkind: StarlarkRun\nmetadata:\n  name: prog\n${params}source: |\n${body}\n`;
}

const CM =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # the map\ndata:\n  b: "1"\n  a: x # keep\n';
const DEPLOY =
  'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: c\n          image: nginx\n';

describe('starlark function', () => {
  it.each([
    {
      name: 'changes a value in place, keeping comments, order and quoting',
      resources: CM,
      config: run('for r in ctx.resource_list["items"]:\n  r["data"]["a"] = "new"'),
      output:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # the map\ndata:\n  b: "1"\n  a: new # keep\n',
    },
    {
      name: 'adds keys at the end of their mapping and removes deleted ones',
      resources: CM,
      config: run(
        'r = ctx.resource_list["items"][0]\nr["metadata"]["namespace"] = "prod"\nr["data"].pop("b")\nr["data"]["count"] = 3',
      ),
      output:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # the map\n  namespace: prod\ndata:\n  a: x # keep\n  count: 3\n',
    },
    {
      name: 'writes new dicts with sorted keys, as go-yaml marshals them',
      resources: DEPLOY,
      config: run(
        'd = ctx.resource_list["items"][0]\nd["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "busybox", "args": ["a", 1, None, True, 1.5]})',
      ),
      output: `${DEPLOY}        - args:\n            - a\n            - 1\n            - null\n            - true\n            - 1.5\n          image: busybox\n          name: side\n`,
    },
    {
      name: "adds a resource in kyaml's default file and deletes another",
      resources: `${CM}---\n${DEPLOY}`,
      config: run(
        'items = ctx.resource_list["items"]\nitems.pop(0)\nitems.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "ns"}})',
      ),
      output: `${DEPLOY}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n  namespace: ns\n`,
      paths: ['resources.yaml', 'ns/service_s.yaml'],
    },
    {
      name: 'gives every item metadata.annotations, as kpt does, and leaves no trace of it',
      resources: CM,
      config: run(
        'r = ctx.resource_list["items"][0]\nprint(sorted(r["metadata"]["annotations"].keys()))\nr["metadata"]["annotations"]["x"] = "1"',
      ),
      output:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm # the map\n  annotations:\n    x: "1"\ndata:\n  b: "1"\n  a: x # keep\n',
      stderr:
        '["config.kubernetes.io/index", "config.kubernetes.io/path", "internal.config.kubernetes.io/index", "internal.config.kubernetes.io/path", "internal.config.kubernetes.io/seqindent"]',
    },
    {
      name: 'moves a resource whose path annotation the program changed',
      resources: CM,
      config: run(
        'ctx.resource_list["items"][0]["metadata"]["annotations"]["internal.config.kubernetes.io/path"] = "moved.yaml"',
      ),
      output: CM,
      paths: ['moved.yaml'],
    },
    {
      name: 'reads params of a StarlarkRun',
      resources: DEPLOY,
      config: run(
        'n = ctx.resource_list["functionConfig"]["params"]["replicas"]\nctx.resource_list["items"][0]["spec"]["replicas"] = n',
        'params:\n  replicas: 5\n',
      ),
      output: DEPLOY.replace('replicas: 1', 'replicas: 5'),
    },
    {
      name: 'runs a ConfigMap config with data.source and its data as parameters',
      resources: DEPLOY,
      config:
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: set-replicas\ndata:\n  replicas: "5"\n  source: |\n    r = ctx.resource_list["functionConfig"]["data"]["replicas"]\n    ctx.resource_list["items"][0]["spec"]["replicas"] = int(r)\n',
      output: DEPLOY.replace('replicas: 1', 'replicas: 5'),
    },
    {
      name: 'reads the reduced OpenAPI document',
      resources: CM,
      config: run(
        'print(ctx.open_api["definitions"]["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"][0]["kind"], ctx.environment)',
      ),
      output: CM,
      stderr: 'Deployment {}',
    },
  ])('$name', async ({ resources, config, output, stderr, paths }) => {
    const result = await runFunction('starlark', resources, config);
    expect(result.results).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.output).toBe(output);
    expect(result.stderr).toBe(stderr ?? '');
    if (paths) expect(result.items.map((r) => r.path)).toEqual(paths);
  });

  it.each([
    {
      name: 'fail() becomes the catalog error result',
      config: run('print("checking")\nfail("no", 1)'),
      message: 'fail: no 1',
      stderr: 'checking\nfailed to evaluate function: error: function failure',
    },
    {
      name: 'a runtime error names the program, line and column',
      config: run('x = 1\ny = ctx.resource_list["items"][0]["nope"]'),
      message: 'prog:2:34: key "nope" not in dict',
      stderr: 'failed to evaluate function: error: function failure',
    },
    {
      name: 'a syntax error names the program, line and column',
      config: run('if True\n  pass'),
      message: 'prog:1:8: got newline, want :',
      stderr: 'failed to evaluate function: error: function failure',
    },
    {
      name: 'an empty source is refused',
      config: run('').replace('source: |\n  \n', 'source: ""\n'),
      message: '`source` must not be empty',
      stderr: 'failed to evaluate function: error: function failure',
    },
    {
      name: 'another kind of config is refused',
      config: 'apiVersion: example.com/v1\nkind: Other\nmetadata:\n  name: x\n',
      message:
        '`functionConfig` must be either /v1, Kind=ConfigMap or fn.kpt.dev/v1alpha1, Kind=StarlarkRun, but we got: example.com/v1, Kind=Other',
      stderr: 'failed to evaluate function: error: function failure',
    },
    {
      name: 'items that are not dicts are refused',
      config: run('ctx.resource_list["items"].append(1)'),
      message: 'prog: ctx.resource_list["items"][1] must be a dict, not int',
      stderr: 'failed to evaluate function: error: function failure',
    },
  ])('$name', async ({ config, message, stderr }) => {
    const result = await runFunction('starlark', CM, config);
    expect(result.exitCode).toBe(1);
    expect(result.results).toEqual([{ message, severity: 'error' }]);
    expect(result.stderr).toBe(stderr);
    expect(result.output).toBe(CM);
  });

  it('refuses a missing config', async () => {
    const result = await runFunction('starlark', CM);
    expect(result.results[0]?.message).toBe(
      '`functionConfig` must be either /v1, Kind=ConfigMap or fn.kpt.dev/v1alpha1, Kind=StarlarkRun, but we got: /, Kind=',
    );
  });

  it('stops a runaway program with its step budget and changes nothing', () => {
    const fn = createStarlark({ limits: { maxSteps: 1000 } });
    const items = [resourceOf(CM)];
    const list: ResourceListData = {
      items,
      functionConfig: parseDocument(
        run('ctx.resource_list["items"][0]["data"]["a"] = "z"\nwhile True:\n  pass'),
      ),
      results: [],
    };
    const outcome = fn.run(list);
    expect(outcome.exitCode).toBe(1);
    expect(list.results[0]?.message).toMatch(/^prog:\d+:\d+: the program exceeded 1000 execution steps/);
    expect(formatDocument(items[0]!.document)).toBe(CM);
  });

  it('loops over 5,000 resources well under a second', () => {
    const items = Array.from({ length: 5000 }, (_, i) =>
      resourceOf(DEPLOY.replace('name: d', `name: d${i}`), 'resources.yaml', i),
    );
    const source = [
      'def fix(r):',
      '  if r["kind"] == "Deployment" and r["spec"]["replicas"] < 3:',
      '    r["spec"]["replicas"] = 3',
      '    r["metadata"].setdefault("labels", {})["app"] = r["metadata"]["name"]',
      '  for c in r["spec"]["template"]["spec"]["containers"]:',
      '    if ":" not in c["image"]:',
      '      c["image"] = c["image"] + ":latest"',
      'for r in ctx.resource_list["items"]:',
      '  fix(r)',
    ].join('\n');
    // A small run first: the figure is the steady state a long-running server sees, not JIT warm-up.
    createStarlark().run({
      items: items.slice(0, 50).map((r) => resourceOf(formatDocument(r.document))),
      functionConfig: parseDocument(run(source)),
      results: [],
    });
    const list: ResourceListData = { items, functionConfig: parseDocument(run(source)), results: [] };
    const started = performance.now();
    const outcome = createStarlark().run(list);
    const elapsed = performance.now() - started;
    expect(outcome.exitCode).toBe(0);
    expect(formatDocument(list.items[4999]!.document)).toContain('image: nginx:latest');
    expect(formatDocument(list.items[4999]!.document)).toContain('app: d4999');
    console.log(`starlark: 5,000 resources in ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1000);
  });
});
