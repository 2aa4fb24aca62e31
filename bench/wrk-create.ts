/**
 * Create throughput measured with wrk (C, one thread): on a 2-core machine a Node client would
 * take a core of its own and become the bottleneck. Each request creates a ConfigMap of ~1 KB with
 * a unique name. Returns undefined when wrk is not installed.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `
local counter = 0
local filler = string.rep("x", 800)
function setup(thread) thread:set("prefix", "wrk-" .. math.random(1, 1000000000)) end
function request()
  counter = counter + 1
  local body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"' .. prefix .. '-' .. counter ..
    '","labels":{"app":"bench"}},"data":{"config.yaml":"' .. filler .. '","owner":"bench"}}'
  return wrk.format("POST", "/api/v1/namespaces/default/configmaps", {["Content-Type"] = "application/json"}, body)
end
`;

export interface WrkResult {
  rate: number;
  requests: number;
  failed: number;
}

export function wrkAvailable(): boolean {
  return !spawnSync('wrk', ['--version']).error;
}

export function createWithWrk(baseUrl: string, seconds: number, connections: number): WrkResult | undefined {
  if (!wrkAvailable()) return undefined;
  const script = join(tmpdir(), `lading-wrk-${process.pid}.lua`);
  writeFileSync(script, SCRIPT);
  const run = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, baseUrl], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`wrk failed: ${run.stderr}`);
  const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(run.stdout)?.[1] ?? NaN);
  const failed = Number(/Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1] ?? 0);
  return { rate, requests, failed };
}
