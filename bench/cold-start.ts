/**
 * Cold start: from spawning `lading serve` to its first `/readyz` OK, on a data dir that already
 * holds 100,000 objects; baseline: a bare node:http process answering its first request.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/lading-server.js';
import { configMap, median, ms, type Row } from './support.js';

interface DistStore {
  create(key: { resource: string; namespace: string; name: string }, object: unknown): Promise<unknown>;
  close(): Promise<void>;
}

async function populate(dataDir: string, count: number): Promise<void> {
  const db = (await import(join(REPO_ROOT, 'dist/db/index.js'))) as {
    openStore(options: { url: string }): Promise<DistStore>;
  };
  const store = await db.openStore({ url: `sqlite:${join(dataDir, 'lading.db')}` });
  try {
    for (let i = 0; i < count; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, count - i) }, (_, j) => {
          const name = `cold-${i + j}`;
          return store.create({ resource: 'configmaps', namespace: 'default', name }, configMap(name));
        }),
      );
    }
  } finally {
    await store.close();
  }
}

/** Milliseconds from spawn to the first 200 from `url`. */
async function timeToReady(args: string[], port: number, path: string): Promise<number> {
  const start = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore' });
  try {
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        if (res.ok) return performance.now() - start;
      } catch {
        // not listening yet
      }
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited with ${child.exitCode}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
}

export async function coldStart(dataDir: string, count: number): Promise<Row[]> {
  await populate(dataDir, count);
  const port = 17_000 + Math.floor(Math.random() * 1000);
  const lading = [
    join(REPO_ROOT, 'bin/lading.js'),
    'serve',
    '--listen',
    `127.0.0.1:${port}`,
    '--data-dir',
    dataDir,
    '--log-level',
    'warn',
  ];
  const bare = [
    '-e',
    `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`,
  ];
  const runs: number[] = [];
  const baseRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    runs.push(await timeToReady(lading, port, '/readyz'));
    baseRuns.push(await timeToReady(bare, port, '/'));
  }
  const figure = median(runs);
  const baseline = median(baseRuns);
  return [
    {
      benchmark: `(d) cold start to /readyz, ${count.toLocaleString('en')} stored objects`,
      figure: ms(figure),
      baseline: `${ms(baseline)} (bare node:http)`,
      ratio: `${(figure / baseline).toFixed(2)}×`,
      goal: '≤ 1 s',
    },
  ];
}
