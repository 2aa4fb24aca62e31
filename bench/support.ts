/** Shared pieces of the benchmarks: timing, percentiles, HTTP helpers, output table. */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';

export { apiCall } from '../test/support/lading-server.js';

export interface Row {
  benchmark: string;
  figure: string;
  baseline?: string;
  ratio?: string;
  goal?: string;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? NaN;
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 2 : 1)} ms`;

/** Times `fn` `runs` times after `warmup` untimed runs; returns each run's milliseconds. */
export async function timeRuns(runs: number, warmup: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

export async function getText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return res.text();
}

/** A ConfigMap of about `bytes` bytes of JSON. */
export function configMap(name: string, bytes = 1024): Record<string, unknown> {
  const base = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'default', labels: { app: 'bench' } },
  };
  const filler = Math.max(0, bytes - JSON.stringify(base).length - 220);
  return { ...base, data: { 'config.yaml': 'x'.repeat(filler), owner: 'bench' } };
}

/** One POST over a keep-alive node:http agent (lighter on the shared CPU than fetch). */
function post(agent: Agent, url: URL, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** POSTs `count` objects with `concurrency` requests in flight; returns objects per second. */
export async function createMany(
  baseUrl: string,
  count: number,
  concurrency: number,
  prefix: string,
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const url = new URL(`${baseUrl}/api/v1/namespaces/default/configmaps`);
  const bodies = Array.from({ length: count }, (_, i) => JSON.stringify(configMap(`${prefix}-${i}`)));
  let next = 0;
  const start = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const res = await post(agent, url, bodies[i] ?? '');
      if (res.status !== 201) throw new Error(`create ${prefix}-${i}: ${res.status} ${res.body}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
    return count / ((performance.now() - start) / 1000);
  } finally {
    agent.destroy();
  }
}

/** Resident set size of a process (or its peak, `VmHWM`), from /proc. */
export function rssBytes(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
  return Number(kb ?? NaN) * 1024;
}

export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/**
 * CPU seconds a process has used (user + system), with those of its children that have exited and
 * been waited for (`/proc/<pid>/stat`, in clock ticks of 1/100 s).
 */
export function cpuSeconds(pid: number | 'self'): { own: number; children: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = (i: number): number => Number(fields[i] ?? NaN);
  return { own: (ticks(11) + ticks(12)) / 100, children: (ticks(13) + ticks(14)) / 100 };
}

export function printTable(rows: readonly Row[]): void {
  const headers = ['benchmark', 'figure', 'baseline', 'ratio', 'goal'] as const;
  const cells = rows.map((r) => headers.map((h) => r[h] ?? ''));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}
