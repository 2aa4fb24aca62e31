/**
 * The container runtime: runs an image with `docker` or `podman`, as kpt does (`run --rm -i
 * --network none --user nobody --security-opt no-new-privileges`), but only when an engine
 * actually answers (`<engine> info`, asked once and cached). Without one, `resolve` answers
 * undefined and `explainMiss` says "no container runtime", which the chain's error carries.
 */
import { spawn } from 'node:child_process';
import type { FunctionRuntime } from './function-runtime.js';
import { runProcessFunction, type ProcessLimits } from './process-function.js';

export interface ContainerRuntimeOptions extends ProcessLimits {
  /** Engines to probe, in order; `docker` then `podman` by default. */
  engines?: readonly string[];
  /** Let functions use the network (kpt's `--network`); off by default. */
  network?: boolean;
  /** How long the `info` probe may take, in ms; 10 s by default. */
  probeTimeoutMs?: number;
}

const ENGINE_ENV = [
  'HOME',
  'DOCKER_HOST',
  'DOCKER_CONFIG',
  'DOCKER_CONTEXT',
  'XDG_RUNTIME_DIR',
  'CONTAINER_HOST',
];

interface Probe {
  engine: string | undefined;
  why: string;
}

function probeEngine(engine: string, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(engine, ['info', '--format', '{{.ServerVersion}}'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' },
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 2000) stderr += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(`${engine} is not installed (${err.message})`);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve(
        code === 0
          ? undefined
          : `${engine} does not answer (${stderr.trim().split('\n')[0] ?? `exit ${code}`})`,
      );
    });
  });
}

export function createContainerRuntime(options: ContainerRuntimeOptions = {}): FunctionRuntime {
  const engines = options.engines ?? ['docker', 'podman'];
  let probe: Promise<Probe> | undefined;
  let known: Probe | undefined;
  const detect = (): Promise<Probe> => {
    probe ??= (async () => {
      const reasons: string[] = [];
      for (const engine of engines) {
        const problem = await probeEngine(engine, options.probeTimeoutMs ?? 10_000);
        if (problem === undefined) return (known = { engine, why: '' });
        reasons.push(problem);
      }
      return (known = { engine: undefined, why: reasons.join(', ') });
    })();
    return probe;
  };
  return {
    name: 'container',
    async resolve(target) {
      if (target.image === undefined) return undefined;
      const { engine } = await detect();
      if (engine === undefined) return undefined;
      const argv = [
        engine,
        'run',
        '--rm',
        '-i',
        '--network',
        options.network ? 'host' : 'none',
        '--user',
        'nobody',
        '--security-opt',
        'no-new-privileges',
        target.image,
      ];
      // The engine's client needs its own settings; the function itself sees only the image's env.
      const env: Record<string, string> = {};
      for (const key of ENGINE_ENV) {
        const value = process.env[key];
        if (value !== undefined) env[key] = value;
      }
      return (input, run = {}) =>
        runProcessFunction(target, argv, input, { ...options, env: { ...env, ...options.env }, ...run });
    },
    explainMiss(target) {
      if (target.image === undefined || !known || known.engine) return undefined;
      return `no container runtime: cannot run image "${target.image}" (${known.why})`;
    },
  };
}
