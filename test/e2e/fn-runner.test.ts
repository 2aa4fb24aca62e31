/**
 * `lading fn-runner` as a real process, called the way a Porch server calls its function runner:
 * a grpc-js client built from Porch's `evaluator.proto` by protobufjs (no Lading code on the wire),
 * and Lading's own remote runtime. The function is the builtin `gcr.io/kpt-fn/set-namespace`.
 */
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

  it(
    'refuses calls past --concurrency and --max-queue with RESOURCE_EXHAUSTED',
    { timeout: 120_000 },
    async () => {
      const runner = await startFnRunner(['--concurrency', '1', '--max-queue', '0']);
      const porch = createPorchEvaluatorClient(runner.address);
      try {
        let done = false;
        const long = porch.evaluate(IMAGE, MEDIUM.text).finally(() => (done = true));
        // Once the long call holds the only slot, small calls are refused until it is done.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const small: Promise<ServiceError | 'ok'>[] = [];
        while (!done && small.length < 200) {
          small.push(
            porch.evaluate(IMAGE, SMALL.text).then(
              () => 'ok' as const,
              (e: ServiceError) => e,
            ),
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await long;
        const refused = (await Promise.all(small)).filter((r) => r !== 'ok');
        expect(refused.length).toBeGreaterThan(0);
        for (const err of refused) {
          expect(err.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
          expect(err.details).toMatch(/busy \(1 calls are running and 0 are waiting\)/);
        }
        expect((await porch.evaluate(IMAGE, SMALL.text)).resourceList.length).toBeGreaterThan(0);
      } finally {
        porch.close();
        await runner.stop();
      }
    },
  );

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
