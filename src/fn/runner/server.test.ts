import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createPorchEvaluatorClient,
  type PorchEvaluatorClient,
} from '../../../test/support/porch-evaluator-client.js';
import { parseResourceList } from '../../krm/index.js';
import { FunctionRunError, type ResourceListData } from '../function-runtime.js';
import {
  RemoteFunctionNotFoundError,
  createFunctionRunnerServer,
  createRemoteRuntime,
  type FunctionRunnerServer,
  type FunctionRunnerServerOptions,
  type RemoteRuntime,
  type RemoteRuntimeOptions,
} from './index.js';
import { createTestRuntime, type TestRuntime } from './test-runtime.js';

const LIST = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: a
    annotations:
      internal.config.kubernetes.io/path: config/a.yaml
      internal.config.kubernetes.io/index: '1'
  data:
    key: value # kept
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: fn-config
  data:
    namespace: prod
`;

function input(): ResourceListData {
  const parsed = parseResourceList(LIST);
  return { items: parsed.items, functionConfig: parsed.functionConfig, results: [] };
}

let cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function start(
  options: Partial<FunctionRunnerServerOptions> = {},
): Promise<{ server: FunctionRunnerServer; runtime: TestRuntime; porch: PorchEvaluatorClient }> {
  const runtime = createTestRuntime();
  const server = await createFunctionRunnerServer({ runtime, listen: '127.0.0.1:0', ...options });
  const porch = createPorchEvaluatorClient(server.address);
  cleanups.push(
    () => server.close(),
    () => runtime.releaseBlocked(),
    () => porch.close(),
  );
  return { server, runtime, porch };
}

function remote(server: FunctionRunnerServer, options: Partial<RemoteRuntimeOptions> = {}): RemoteRuntime {
  const r = createRemoteRuntime({ address: server.address, ...options });
  cleanups.push(() => r.close());
  return r;
}

async function runRemote(r: RemoteRuntime, image: string, data = input(), signal?: AbortSignal) {
  const runner = await r.resolve({ image });
  if (!runner) throw new Error(`remote runtime did not resolve ${image}`);
  return runner(data, signal ? { signal } : {});
}

async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error('the call succeeded; an error was expected');
}

describe('function runner with the remote runtime (Lading to Lading)', () => {
  it('runs a function and returns items, file paths, results, stderr and exit code', async () => {
    const { server } = await start();
    const outcome = await runRemote(remote(server), 'test/set-namespace');
    expect(outcome.exitCode).toBe(0);
    expect(outcome.stderr).toBe('set 2 items\n');
    expect(outcome.output.results).toEqual([{ message: 'namespace set to prod', severity: 'info' }]);
    expect(
      outcome.output.items.map((i) => [i.path, i.index, i.document.doc.getIn(['metadata', 'namespace'])]),
    ).toEqual([
      ['config/a.yaml', 1, 'prod'],
      ['deployment_web.yaml', 0, 'prod'],
    ]);
    expect(String(outcome.output.items[0]?.document.doc)).toContain('value # kept');
    expect(outcome.output.functionConfig?.getIn(['data', 'namespace'])).toBe('prod');
  });

  it('returns a failed function as an outcome (exit code, error results, stderr), not a throw', async () => {
    const { server } = await start();
    const outcome = await runRemote(remote(server), 'test/fail');
    expect(outcome.exitCode).toBe(1);
    expect(outcome.stderr).toBe('validation failed\n');
    expect(outcome.output.results[0]).toMatchObject({
      severity: 'error',
      message: 'replicas must be positive',
    });
  });

  it('reports an unknown image as RemoteFunctionNotFoundError, then lets the chain fall through', async () => {
    const { server } = await start();
    const r = remote(server);
    const err = await runRemote(r, 'gcr.io/unknown/fn:v1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteFunctionNotFoundError);
    expect((err as Error).message).toMatch(/no runtime can run image "gcr.io\/unknown\/fn:v1"/);
    expect(await r.resolve({ image: 'gcr.io/unknown/fn:v1' })).toBeUndefined();
    expect(await r.resolve({ image: 'test/set-namespace' })).toBeTypeOf('function');
    expect(await r.resolve({ exec: '/bin/true' })).toBeUndefined();
  });

  it('forgets a NOT_FOUND image after the TTL', async () => {
    const { server } = await start();
    const r = remote(server, { notFoundTtlMs: 1 });
    await runRemote(r, 'gcr.io/unknown/fn:v1').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await r.resolve({ image: 'gcr.io/unknown/fn:v1' })).toBeTypeOf('function');
  });

  const errorCases: {
    name: string;
    image: string;
    server?: Partial<FunctionRunnerServerOptions>;
    client?: Partial<RemoteRuntimeOptions>;
    message: RegExp;
  }[] = [
    {
      name: 'request over the client limit',
      image: 'test/set-namespace',
      client: { maxMessageBytes: 100 },
      message:
        /ResourceList for function "test\/set-namespace" is .* larger than the message limit of 0.0 MiB \(100 bytes\)/,
    },
    {
      name: 'response over the client limit',
      image: 'test/grow',
      client: { maxMessageBytes: 4000 },
      message:
        /a message of 0.0 MiB \(\d+ bytes\) is over a limit of 0.0 MiB \(4000 bytes\) \(this client allows/,
    },
    {
      name: 'server call timeout',
      image: 'test/hang',
      server: { callTimeoutMs: 100 },
      message: /did not finish in time .*call timeout of 100 ms \(--timeout\)/,
    },
    {
      name: 'client deadline',
      image: 'test/hang',
      client: { timeoutMs: 100 },
      message: /did not finish in time on the function runner .*call timeout 100 ms/,
    },
    {
      name: 'function that cannot run',
      image: 'test/throw',
      message: /could not run: wrote 9 MiB, more than the 8 MiB output limit\nstderr:\npartial stderr/,
    },
    {
      name: 'request over the server limit',
      image: 'test/set-namespace',
      server: { maxMessageBytes: 200 },
      message:
        /"test\/set-namespace" on the function runner .*: a message of 0.0 MiB \(896 bytes\) is over a limit of 0.0 MiB \(200 bytes\).*--max-message-size/,
    },
    {
      name: 'response over the server limit',
      image: 'test/grow',
      server: { maxMessageBytes: 4000 },
      message:
        /output of function "test\/grow" is 0.0 MiB \(\d+ bytes\), larger than this function runner's message limit of 0.0 MiB \(4000 bytes\); raise --max-message-size/,
    },
  ];
  it.each(errorCases)('throws FunctionRunError for a $name', async (c) => {
    const { server, runtime } = await start(c.server);
    const started = performance.now();
    const err = await runRemote(remote(server, c.client), c.image).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FunctionRunError);
    expect((err as Error).message).toMatch(c.message);
    expect(performance.now() - started).toBeLessThan(5_000);
    if (c.image === 'test/hang') {
      await expect.poll(() => runtime.aborted).toEqual(['test/hang']);
    }
  });

  it('cancels the call when the caller aborts, and the function sees the abort', async () => {
    const { server, runtime } = await start();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('render cancelled')), 50);
    const err = await runRemote(remote(server), 'test/hang', input(), controller.signal).catch(
      (e: unknown) => e,
    );
    expect((err as Error).message).toMatch(/was cancelled/);
    await expect.poll(() => runtime.aborted).toEqual(['test/hang']);
  });

  it('says where the runner is when it is not reachable', async () => {
    const { server } = await start();
    const address = server.address;
    await server.close();
    const r = createRemoteRuntime({ address, timeoutMs: 2_000 });
    cleanups.push(() => r.close());
    const err = await runRemote(r, 'test/set-namespace').catch((e: unknown) => e);
    expect((err as Error).message).toMatch(
      new RegExp(`function runner ${address} is unavailable|did not finish in time`),
    );
  });
});

describe('function runner called as Porch calls it', () => {
  it('answers OK with the output ResourceList and the log', async () => {
    const { porch } = await start();
    const res = await porch.evaluate('test/set-namespace', LIST);
    const out = parseResourceList(res.resourceList.toString());
    expect(out.items.map((i) => i.document.doc.getIn(['metadata', 'namespace']))).toEqual(['prod', 'prod']);
    expect(res.log.toString()).toBe('set 2 items\n');
    expect(res.trailer.get('lading-exit-code')).toEqual([]);
  });

  const cases: {
    name: string;
    image: string;
    body?: string;
    server?: Partial<FunctionRunnerServerOptions>;
    code: GrpcStatus;
    details: RegExp;
  }[] = [
    {
      name: 'unknown image',
      image: 'gcr.io/kpt-fn/nope:v1',
      code: GrpcStatus.NOT_FOUND,
      details: /no runtime .* "gcr.io\/kpt-fn\/nope:v1"/,
    },
    { name: 'empty image', image: '', code: GrpcStatus.INVALID_ARGUMENT, details: /`image` must be set/ },
    {
      name: 'body that is not a ResourceList',
      image: 'test/set-namespace',
      body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      code: GrpcStatus.INVALID_ARGUMENT,
      details: /`resource_list`: .*not a ResourceList/,
    },
    {
      name: 'function that exits non-zero (results and stderr in the message, as Porch)',
      image: 'test/fail',
      code: GrpcStatus.INTERNAL,
      details:
        /failed to evaluate function "test\/fail" with structured results: \[error\] apps\/v1\/Deployment\/web spec.replicas replicas must be positive and stderr: validation failed/,
    },
    {
      name: 'message over the limit',
      image: 'test/set-namespace',
      body: LIST + '# ' + 'x'.repeat(2 << 20) + '\n',
      server: { maxMessageBytes: 1 << 20 },
      code: GrpcStatus.RESOURCE_EXHAUSTED,
      details: /Received message larger than max \(2097\d+ vs\.? 1048576\)/,
    },
    {
      name: 'call timeout',
      image: 'test/hang',
      server: { callTimeoutMs: 50 },
      code: GrpcStatus.DEADLINE_EXCEEDED,
      details: /"test\/hang" did not finish within .* 50 ms/,
    },
    {
      name: 'call timeout passed during synchronous work, before the function starts',
      image: 'test/busy-resolve',
      server: { callTimeoutMs: 50 },
      code: GrpcStatus.DEADLINE_EXCEEDED,
      details: /"test\/busy-resolve" did not finish within .* 50 ms/,
    },
  ];
  it.each(cases)('$name → $code', async (c) => {
    const { porch } = await start(c.server);
    const err = await grpcError(porch.evaluate(c.image, c.body ?? LIST));
    expect(err.code).toBe(c.code);
    expect(err.details).toMatch(c.details);
  });

  it('refuses a request that is not a valid protobuf message with INVALID_ARGUMENT', async () => {
    const { server } = await start();
    const { Client, credentials, Metadata } = await import('@grpc/grpc-js');
    const client = new Client(server.address, credentials.createInsecure());
    cleanups.push(() => client.close());
    const err = await new Promise<ServiceError | null>((resolve) => {
      client.makeUnaryRequest(
        '/evaluator.FunctionEvaluator/EvaluateFunction',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from('0a05616263', 'hex'),
        new Metadata(),
        {},
        (e) => resolve(e),
      );
    });
    expect(err?.code).toBe(GrpcStatus.INVALID_ARGUMENT);
    expect(err?.details).toMatch(/malformed protobuf message/);
  });
});

describe('concurrency limit', () => {
  it('runs at most `concurrency` calls, queues up to `maxQueue`, refuses the rest', async () => {
    const { server, runtime, porch } = await start({ concurrency: 2, maxQueue: 1 });
    const calls = [0, 1, 2].map(() => porch.evaluate('test/block', LIST));
    await expect.poll(() => [server.running, server.waiting]).toEqual([2, 1]);
    const refused = await grpcError(porch.evaluate('test/block', LIST));
    expect(refused.code).toBe(GrpcStatus.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/busy \(2 calls are running and 1 are waiting\).*--concurrency/);
    expect(runtime.inFlight).toBe(2);
    runtime.releaseBlocked();
    await expect.poll(() => runtime.inFlight).toBe(1);
    runtime.releaseBlocked();
    await Promise.all(calls);
    expect(runtime.maxInFlight).toBe(2);
    expect([server.running, server.waiting]).toEqual([0, 0]);
  });

  it('keeps the slot of a timed-out call until the function stops', async () => {
    const { server, runtime, porch } = await start({ concurrency: 1, maxQueue: 0, callTimeoutMs: 100 });
    const err = await grpcError(porch.evaluate('test/block', LIST));
    expect(err.code).toBe(GrpcStatus.DEADLINE_EXCEEDED);
    expect(server.running).toBe(1);
    expect((await grpcError(porch.evaluate('test/set-namespace', LIST))).code).toBe(
      GrpcStatus.RESOURCE_EXHAUSTED,
    );
    runtime.releaseBlocked();
    await expect.poll(() => server.running).toBe(0);
    await porch.evaluate('test/set-namespace', LIST);
  });
});

describe('health', () => {
  it('answers SERVING for the server and the evaluator, NOT_FOUND for other services', async () => {
    const { porch } = await start();
    expect(await porch.check('')).toBe('SERVING');
    expect(await porch.check('evaluator.FunctionEvaluator')).toBe('SERVING');
    const err = await grpcError(porch.check('some.Other'));
    expect(err.code).toBe(GrpcStatus.NOT_FOUND);
  });

  it('streams SERVING, then NOT_SERVING when the server shuts down', async () => {
    const { server, porch } = await start();
    const seen: string[] = [];
    const stream = porch.watch('');
    stream.on('data', (s: string) => seen.push(s));
    const ended = new Promise<void>((resolve) => stream.on('status', () => resolve()));
    stream.on('error', () => undefined);
    await expect.poll(() => seen).toEqual(['SERVING']);
    await server.close();
    await ended;
    expect(seen).toEqual(['SERVING', 'NOT_SERVING']);
  });

  it('closes when its signal is aborted', async () => {
    const controller = new AbortController();
    const { porch } = await start({ signal: controller.signal });
    expect(await porch.check()).toBe('SERVING');
    controller.abort();
    await expect
      .poll(() => porch.check().catch((e: ServiceError) => e.code), { timeout: 10_000 })
      .toBe(GrpcStatus.UNAVAILABLE);
  });
});
