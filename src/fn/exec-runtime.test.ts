import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createContainerRuntime } from './container-runtime.js';
import { createExecRuntime } from './exec-runtime.js';
import { renderPackage } from './render.js';
import { createRuntimeChain } from './runtime-chain.js';
import { splitCommand } from './process-function.js';

const dir = mkdtempSync(join(tmpdir(), 'lading-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const passthrough = script('cat.sh', 'cat');
const scripts = {
  exitNonZero: script('exit3.sh', 'cat >/dev/null; echo "broken input" >&2; exit 3'),
  hang: script('hang.sh', 'echo "sleeping" >&2; sleep 30'),
  tooMuch: script('flood.sh', 'cat >/dev/null; echo "flooding" >&2; head -c 200000 /dev/zero | tr "\\0" "x"'),
  invalidYaml: script(
    'invalid.sh',
    'cat >/dev/null; echo "bad yaml coming" >&2; printf "items: [\\n  - {a: b\\n"',
  ),
  escape: script(
    'escape.sh',
    `cat >/dev/null; echo "moving out" >&2; cat <<'EOF'
apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: x
    annotations:
      internal.config.kubernetes.io/path: '../outside.yaml'
EOF`,
  ),
  env: script('env.sh', 'cat >/dev/null; env >&2; exit 1'),
};

const files = (exec: string): Record<string, string> => ({
  Kptfile: `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\npipeline:\n  mutators:\n    - exec: ${exec}\n`,
  'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: "1"\n',
});

const runtime = createExecRuntime({ timeoutMs: 1000, maxOutputBytes: 100_000 });

describe('exec runtime', () => {
  it('runs an executable on the ResourceList and writes its output', async () => {
    const result = await renderPackage(files(passthrough), { runtime, kptfileStatus: false });
    expect(result.error).toBeUndefined();
    expect(result.files.get('cm.yaml')).toBe(files(passthrough)['cm.yaml']);
  });

  it.each([
    ['a non-zero exit', scripts.exitNonZero, 'exit code 3', 'broken input'],
    ['a hang past the timeout', scripts.hang, 'did not finish within 1s', 'sleeping'],
    ['output over the limit', scripts.tooMuch, 'more than 100000 bytes', 'flooding'],
    ['invalid YAML', scripts.invalidYaml, 'invalid ResourceList', 'bad yaml coming'],
    ['a path outside the package', scripts.escape, 'resource has path ../outside.yaml', 'moving out'],
  ])('fails on %s with the stderr and the package unchanged', async (_name, exec, message, stderr) => {
    const input = files(exec);
    const result = await renderPackage(input, { runtime });
    expect(result.ok).toBe(false);
    expect(result.error?.message).toContain(message);
    expect(result.results.items[0]?.stderr).toContain(stderr);
    expect(result.files).toEqual(new Map(Object.entries(input)));
  });

  it('gives the function a clean environment', async () => {
    process.env.LADING_SECRET_FOR_TEST = 'hunter2';
    try {
      const result = await renderPackage(files(scripts.env), { runtime });
      expect(result.results.items[0]?.stderr).toContain('PATH=');
      expect(result.results.items[0]?.stderr).not.toContain('hunter2');
    } finally {
      delete process.env.LADING_SECRET_FOR_TEST;
    }
  });

  it('maps an image to an executable with a FunctionConfig binaryExecutor', async () => {
    const mapped = createExecRuntime({
      functionConfigs: [
        {
          apiVersion: 'config.porch.kpt.dev/v1alpha1',
          kind: 'FunctionConfig',
          metadata: { name: 'noop' },
          spec: { image: 'no-op', binaryExecutor: { tags: ['v1'], path: passthrough } },
        },
      ],
    });
    expect(await mapped.resolve({ image: 'ghcr.io/kptdev/krm-functions-catalog/no-op:v1' })).toBeDefined();
    expect(await mapped.resolve({ image: 'gcr.io/kpt-fn/no-op:v1' })).toBeDefined();
    expect(await mapped.resolve({ image: 'no-op:v1' })).toBeDefined();
    expect(await mapped.resolve({ image: 'no-op:v2' })).toBeUndefined();
    expect(await mapped.resolve({ image: 'example.com/no-op:v1' })).toBeUndefined();
  });
});

describe('container runtime', () => {
  it('says "no container runtime" with the image when no engine answers', async () => {
    const chain = createRuntimeChain([
      createExecRuntime(),
      createContainerRuntime({ engines: ['lading-no-such-engine'] }),
    ]);
    const result = await renderPackage(
      {
        Kptfile:
          'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: app\npipeline:\n  mutators:\n    - image: example.com/fn:v1\n',
      },
      { runtime: chain },
    );
    expect(result.error?.message).toContain('no container runtime: cannot run image "example.com/fn:v1"');
  });
});

describe('splitCommand', () => {
  it.each([
    ["sed -e 's/foo/bar/'", ['sed', '-e', 's/foo/bar/']],
    ['a "b c" d\\ e', ['a', 'b c', 'd e']],
    ["x ''", ['x', '']],
  ])('%s', (line, words) => expect(splitCommand(line)).toEqual(words));
});
