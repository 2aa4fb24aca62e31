/**
 * Issue 4 bench (c): throughput of `lading fn-runner` for small calls — the builtin
 * `set-namespace` on a 3-resource ResourceList, called over loopback gRPC the way Porch calls it,
 * with N clients (each its own connection) keeping one call in flight each. Baseline: the same
 * work (parse, run, serialize) in-process, without gRPC, in this process.
 * Client and runner share the machine's cores, so the figure is a floor.
 */
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { createBuiltinRuntime } from '../src/fn/builtin/index.js';
import { buildResourceList, parseResourceList } from '../src/krm/index.js';
import { startFnRunner } from '../test/support/fn-runner-process.js';
import { percentile, type Row } from './support.js';

const IMAGE = 'gcr.io/kpt-fn/set-namespace:v0.4.1';
const CLIENTS = [1, 4, 16];
const SECONDS = 3;
const LIST = `apiVersion: config.kubernetes.io/v1
kind: ResourceList
items:
- apiVersion: v1
  kind: ConfigMap
  metadata:
    name: settings
  data:
    mode: production
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
  spec:
    replicas: 3
    template:
      spec:
        containers:
        - name: web
          image: nginx:1.27
- apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    ports:
    - port: 80
functionConfig:
  apiVersion: v1
  kind: ConfigMap
  metadata:
    name: fn
  data:
    namespace: prod
`;

/** `EvaluateFunctionRequest { resource_list = 1; image = 2 }`, encoded once. */
function request(): Buffer {
  const field = (n: number, value: Buffer): Buffer => {
    const len: number[] = [];
    let l = value.length;
    while (l >= 128) {
      len.push((l % 128) | 128);
      l = Math.floor(l / 128);
    }
    len.push(l);
    return Buffer.concat([Buffer.from([n * 8 + 2, ...len]), value]);
  };
  return Buffer.concat([field(1, Buffer.from(LIST)), field(2, Buffer.from(IMAGE))]);
}

function call(client: Client, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      '/evaluator.FunctionEvaluator/EvaluateFunction',
      (b: Buffer) => b,
      (b: Buffer) => b,
      body,
      new Metadata(),
      { deadline: Date.now() + 30_000 },
      (err: ServiceError | null, res?: Buffer) => {
        if (err) reject(err);
        else if (!res?.includes('namespace: prod')) reject(new Error('the runner did not set the namespace'));
        else resolve();
      },
    );
  });
}

/** Calls/s and latencies with `n` clients for `seconds` (after a short warm-up). */
async function measure(
  address: string,
  n: number,
  seconds: number,
): Promise<{ rate: number; p50: number; p99: number }> {
  const body = request();
  const clients = Array.from(
    { length: n },
    // A local subchannel pool gives every client its own HTTP/2 connection, as separate servers have.
    () => new Client(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }),
  );
  try {
    await Promise.all(clients.map((c) => call(c, body)));
    const latencies: number[] = [];
    const start = performance.now();
    const end = start + seconds * 1000;
    await Promise.all(
      clients.map(async (c) => {
        while (performance.now() < end) {
          const t = performance.now();
          await call(c, body);
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rate: latencies.length / elapsed,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
    };
  } finally {
    for (const c of clients) c.close();
  }
}

/** The same work without gRPC: parse the list, run the builtin, serialize the output. */
async function inProcessRate(seconds: number): Promise<number> {
  const runner = await createBuiltinRuntime().resolve({ image: IMAGE });
  if (!runner) throw new Error(`the builtin runtime has no ${IMAGE}`);
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    const parsed = parseResourceList(LIST);
    const out = await runner({ items: parsed.items, functionConfig: parsed.functionConfig, results: [] });
    buildResourceList(out.output.items, {
      ...(out.output.functionConfig ? { functionConfig: out.output.functionConfig } : {}),
      results: out.output.results,
    });
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

export async function fnRunnerBenchmarks(): Promise<Row[]> {
  const baseline = await inProcessRate(SECONDS);
  const runner = await startFnRunner(['--concurrency', '16', '--max-queue', '64']);
  const rows: Row[] = [];
  try {
    for (const n of CLIENTS) {
      const { rate, p50, p99 } = await measure(runner.address, n, SECONDS);
      rows.push({
        benchmark: `(c) fn-runner small calls (set-namespace, 3 resources), ${n} client${n > 1 ? 's' : ''}`,
        figure: `${Math.round(rate)} calls/s (p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms)`,
        baseline: `${Math.round(baseline)} calls/s in-process`,
        ratio: `${(rate / baseline).toFixed(2)}×`,
      });
    }
  } finally {
    await runner.stop();
  }
  return rows;
}
