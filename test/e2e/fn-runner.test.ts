/**
 * `lading fn-runner` as a real process, called the way a Porch server calls its function runner:
 * a grpc-js client built from Porch's `evaluator.proto` by protobufjs (no Lading code on the wire),
 * and Lading's own remote runtime. Functions: the builtin `gcr.io/kpt-fn/set-namespace`, and
 * shell scripts mapped to images by a FunctionConfig file (exec runtime).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteRuntime } from '../../src/fn/index.js';
import { parseResourceList } from '../../src/krm/index.js';
import { createPorchEvaluatorClient, type PorchEvaluatorClient } from '../support/porch-evaluator-client.js';
import { startFnRunner, type FnRunner } from '../support/fn-runner-process.js';

const IMAGE = 'gcr.io/kpt-fn/set-namespace:v0.4.1';
const MiB = 1024 * 1024;

/** A ResourceList of ConfigMaps of about `bytes`, with a set-namespace functionConfig. */
function resourceList(bytes: number): { text: string; items: number } {
  const filler = 'x'.repeat(900);
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const i = parts.length;
    const item =
      `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-${i}\n    annotations:\n` +
      `      config.kubernetes.io/path: cm/cm-${i}.yaml\n  data:\n    payload: ${filler}\n    n: "${i}"\n`;
    parts.push(item);
    size += item.length;
  }
  const text =
    'apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n' +
    parts.join('') +
    'functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: fn\n  data:\n    namespace: prod\n';
  return { text, items: parts.length };
}

async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded; an error was expected');
}

const SMALL = resourceList(1);
const MEDIUM = resourceList(5 * MiB);

describe('lading fn-runner with default limits', () => {
  let runner: FnRunner;
  let porch: PorchEvaluatorClient;
  beforeAll(async () => {
    runner = await startFnRunner([]);
    porch = createPorchEvaluatorClient(runner.address);
  });
  afterAll(async () => {
    porch.close();
    expect(await runner.stop()).toBe(0);
  });

  it('answers gRPC health checks', async () => {
    expect(await porch.check('')).toBe('SERVING');
    expect(await porch.check('evaluator.FunctionEvaluator')).toBe('SERVING');
    expect((await grpcError(porch.check('not.a.Service'))).code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('evaluates a builtin function for a Porch client', async () => {
    const res = await porch.evaluate(IMAGE, SMALL.text);
    const out = parseResourceList(res.resourceList.toString());
    expect(out.items.map((i) => [i.path, i.document.doc.getIn(['metadata', 'namespace'])])).toEqual([
      ['cm/cm-0.yaml', 'prod'],
    ]);
  });

  it('evaluates a 20 MiB ResourceList', { timeout: 180_000 }, async () => {
    const big = resourceList(20 * MiB);
    expect(Buffer.byteLength(big.text)).toBeGreaterThanOrEqual(20 * MiB);
    const started = performance.now();
    const res = await porch.evaluate(IMAGE, big.text, { deadlineMs: 170_000 });
    console.log(
      `fn-runner: 20 MiB ResourceList (${big.items} items) evaluated in ${Math.round(performance.now() - started)} ms, output ${(res.resourceList.length / MiB).toFixed(1)} MiB`,
    );
    const out = res.resourceList.toString();
    expect(out.split('\n    namespace: prod\n').length - 1).toBe(big.items + 1); // items + functionConfig
    expect(out).toContain(`name: cm-${big.items - 1}\n`);
  });

  it('refuses a message over the 64 MiB limit with RESOURCE_EXHAUSTED', { timeout: 60_000 }, async () => {
    const err = await grpcError(porch.evaluate(IMAGE, Buffer.alloc(64 * MiB + 1, 0x20)));
    expect(err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(err.details).toMatch(/larger than max \(\d+ vs\.? 67108864\)/);
  });

  it('answers NOT_FOUND for an image no runtime has', async () => {
    const err = await grpcError(porch.evaluate('gcr.io/example/no-such-fn:v1', SMALL.text));
    expect(err.code).toBe(GrpcStatus.NOT_FOUND);
    expect(err.details).toContain('"gcr.io/example/no-such-fn:v1"');
  });

  it("serves Lading's remote runtime with the whole outcome", async () => {
    const remote = createRemoteRuntime({ address: runner.address });
    try {
      const parsed = parseResourceList(SMALL.text);
      const run = await remote.resolve({ image: IMAGE });
      const outcome = await run!({ items: parsed.items, functionConfig: parsed.functionConfig, results: [] });
      expect(outcome.exitCode).toBe(0);
      expect(outcome.output.items[0]?.document.doc.getIn(['metadata', 'namespace'])).toBe('prod');
      await expect(
        (await remote.resolve({ image: 'gcr.io/example/no-such-fn:v1' }))!({ items: [], results: [] }),
      ).rejects.toThrow(/no runtime can run image "gcr.io\/example\/no-such-fn:v1"/);
      expect(await remote.resolve({ image: 'gcr.io/example/no-such-fn:v1' })).toBeUndefined();
    } finally {
      remote.close();
    }
  });
});

describe('lading fn-runner limits', () => {
  it('answers DEADLINE_EXCEEDED past --timeout', async () => {
    const runner = await startFnRunner(['--timeout', '100ms']);
    const porch = createPorchEvaluatorClient(runner.address);
    try {
      // Reading 5 MiB of YAML alone takes longer than 100 ms.
      const err = await grpcError(porch.evaluate(IMAGE, MEDIUM.text));
      expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(err.details).toMatch(
        /did not finish within the function runner's call timeout of 100 ms \(--timeout\)/,
      );
      expect((await porch.evaluate(IMAGE, SMALL.text)).resourceList.length).toBeGreaterThan(0);
    } finally {
      porch.close();
      await runner.stop();
    }
  });

  it('stops on SIGTERM and is no longer served', async () => {
    const runner = await startFnRunner([]);
    const porch = createPorchEvaluatorClient(runner.address);
    try {
      expect(await porch.check()).toBe('SERVING');
      expect(await runner.stop()).toBe(0);
      expect(runner.logs.some((l) => l.includes('function runner stopped'))).toBe(true);
      expect((await grpcError(porch.check())).code).toBe(GrpcStatus.UNAVAILABLE);
    } finally {
      porch.close();
    }
  });
});

/** Shell scripts as functions, mapped to images by a FunctionConfig file. */
async function execFunctions(): Promise<{ dir: string; configFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'lading-fn-runner-'));
  const scripts: Record<string, string> = {
    'slow-echo': '#!/bin/sh\n/bin/sleep 1\nexec /bin/cat\n',
    fail: '#!/bin/sh\n/bin/cat >/dev/null\necho "bad input: replicas must be positive" >&2\nexit 3\n',
  };
  const configs: string[] = [];
  for (const [name, text] of Object.entries(scripts)) {
    await writeFile(join(dir, name), text);
    await chmod(join(dir, name), 0o755);
    configs.push(
      `apiVersion: config.porch.kpt.dev/v1alpha1\nkind: FunctionConfig\nmetadata:\n  name: ${name}\n` +
        `spec:\n  image: example.com/fns/${name}\n  binaryExecutor:\n    path: ./${name}\n`,
    );
  }
  const configFile = join(dir, 'functions.yaml');
  await writeFile(configFile, configs.join('---\n'));
  return { dir, configFile };
}

describe('lading fn-runner with exec functions from a FunctionConfig file', () => {
  let fns: { dir: string; configFile: string };
  beforeAll(async () => {
    fns = await execFunctions();
  });
  afterAll(async () => {
    await rm(fns.dir, { recursive: true, force: true });
  });

  it('runs a mapped executable; a failing one is INTERNAL for Porch and an outcome for Lading', async () => {
    const runner = await startFnRunner(['--function-config', fns.configFile]);
    const porch = createPorchEvaluatorClient(runner.address);
    const remote = createRemoteRuntime({ address: runner.address });
    try {
      const res = await porch.evaluate('example.com/fns/slow-echo:v1', SMALL.text);
      expect(parseResourceList(res.resourceList.toString()).items.map((i) => i.path)).toEqual([
        'cm/cm-0.yaml',
      ]);

      const err = await grpcError(porch.evaluate('example.com/fns/fail:v1', SMALL.text));
      expect(err.code).toBe(GrpcStatus.INTERNAL);
      expect(err.details).toMatch(
        /failed to evaluate function "example.com\/fns\/fail:v1".*bad input: replicas must be positive/s,
      );

      const parsed = parseResourceList(SMALL.text);
      const run = await remote.resolve({ image: 'example.com/fns/fail:v1' });
      const outcome = await run!({ items: parsed.items, functionConfig: parsed.functionConfig, results: [] });
      expect(outcome.exitCode).toBe(3);
      expect(outcome.stderr).toContain('bad input: replicas must be positive');
    } finally {
      remote.close();
      porch.close();
      await runner.stop();
    }
  });

  it('runs at most --concurrency calls, queues --max-queue, refuses the rest with RESOURCE_EXHAUSTED', async () => {
    const runner = await startFnRunner([
      '--function-config',
      fns.configFile,
      '--concurrency',
      '2',
      '--max-queue',
      '1',
    ]);
    const porch = createPorchEvaluatorClient(runner.address);
    try {
      const started = performance.now();
      const results = await Promise.all(
        [0, 1, 2, 3].map(() =>
          porch.evaluate('example.com/fns/slow-echo:v1', SMALL.text).then(
            () => 'ok' as const,
            (e: ServiceError) => e,
          ),
        ),
      );
      const refused = results.filter((r) => r !== 'ok');
      expect(results.filter((r) => r === 'ok')).toHaveLength(3);
      expect(refused).toHaveLength(1);
      expect(refused[0]?.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
      expect(refused[0]?.details).toMatch(/busy \(2 calls are running and 1 are waiting\)/);
      // Two rounds of a 1 s function: the third call waited for a slot.
      expect(performance.now() - started).toBeGreaterThan(1900);
    } finally {
      porch.close();
      await runner.stop();
    }
  });

  it('answers DEADLINE_EXCEEDED when a function runs past --timeout', async () => {
    const runner = await startFnRunner(['--function-config', fns.configFile, '--timeout', '300ms']);
    const porch = createPorchEvaluatorClient(runner.address);
    try {
      const started = performance.now();
      const err = await grpcError(porch.evaluate('example.com/fns/slow-echo:v1', SMALL.text));
      expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
      expect(err.details).toMatch(
        /"example.com\/fns\/slow-echo:v1" did not finish within .* 300 ms \(--timeout\)/,
      );
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      porch.close();
      await runner.stop();
    }
  });

  it('refuses a FunctionConfig without an executable path', async () => {
    const bad = join(fns.dir, 'bad.yaml');
    await writeFile(
      bad,
      'apiVersion: config.porch.kpt.dev/v1alpha1\nkind: FunctionConfig\nmetadata:\n  name: x\nspec:\n  image: x\n  binaryExecutor:\n    tags: [v1]\n',
    );
    await expect(startFnRunner(['--function-config', bad])).rejects.toThrow(
      /document 0 \(x\): `spec.binaryExecutor.path` must name an executable/,
    );
  });
});
