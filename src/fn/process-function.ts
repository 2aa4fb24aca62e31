/**
 * Running a function as a process: the ResourceList goes to stdin, the output ResourceList comes
 * from stdout, stderr is the log. The process gets a clean environment (only `PATH` and what the
 * caller passes, never the server's variables), a timeout (then SIGKILL), and an output limit
 * (exceeding it kills the process). A non-zero exit is an outcome (with the results the function
 * printed, if any); a process that cannot start, times out, writes too much or prints something
 * that is not a ResourceList is a FunctionRunError carrying the function's stderr.
 */
import { spawn } from 'node:child_process';
import { buildResourceList, parseResourceList, type YamlLimits } from '../krm/index.js';
import { toFunctionResults } from './function-results.js';
import {
  FunctionRunError,
  type FunctionOutcome,
  type FunctionTarget,
  type ResourceListData,
  type RunOptions,
} from './function-runtime.js';

export interface ProcessLimits {
  /** Milliseconds before the process is killed; 120 s by default. */
  timeoutMs?: number;
  /** Largest stdout accepted, in bytes; 64 MiB by default. */
  maxOutputBytes?: number;
  /** stderr kept for messages, in bytes (the rest is dropped); 1 MiB by default. */
  maxStderrBytes?: number;
  /** Extra environment variables (the process inherits none of the server's). */
  env?: Readonly<Record<string, string>>;
  /** Working directory of the process. */
  cwd?: string;
  limits?: YamlLimits;
}

export const DEFAULT_TIMEOUT_MS = 120_000;
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024 * 1024;
const DEFAULT_MAX_STDERR_BYTES = 1024 * 1024;

/** Splits a command line the way a POSIX shell splits words (quotes and backslashes; no expansion). */
export function splitCommand(command: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < command.length && '"\\$`'.includes(command[i + 1] ?? ''))
        word += command[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated ${quote} quote in "${command}"`);
  if (inWord) words.push(word);
  return words;
}

function cleanEnv(extra: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...extra };
}

/** Runs `argv` as a function on `input`. */
export async function runProcessFunction(
  target: FunctionTarget,
  argv: readonly string[],
  input: ResourceListData,
  options: RunOptions & ProcessLimits,
): Promise<FunctionOutcome> {
  const [command, ...args] = argv;
  const what = target.image ?? target.exec ?? command ?? '';
  if (!command) throw new FunctionRunError(`function "${what}" has an empty command`, { target });
  options.signal?.throwIfAborted();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const maxStderr = options.maxStderrBytes ?? DEFAULT_MAX_STDERR_BYTES;
  const stdin = buildResourceList(
    input.items,
    input.functionConfig ? { functionConfig: input.functionConfig } : {},
  );

  const child = spawn(command, args, {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
    // Its own process group, so that a kill also reaches the processes it started.
    detached: true,
  });
  const stdout: Buffer[] = [];
  let stdoutBytes = 0;
  let stderr = '';
  let stderrBytes = 0;
  let failure: 'timeout' | 'output' | 'abort' | undefined;
  const kill = (why: typeof failure): void => {
    failure ??= why;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer = setTimeout(() => kill('timeout'), timeoutMs);
  const onAbort = (): void => kill('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > maxOutput) kill('output');
    else stdout.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderrBytes < maxStderr)
      stderr += chunk.toString('utf8', 0, Math.min(chunk.length, maxStderr - stderrBytes));
    stderrBytes += chunk.length;
  });
  // A function that exits without reading its input makes writes fail with EPIPE: not our error.
  child.stdin.on('error', () => undefined);
  child.stdin.end(stdin);

  let exit: { code: number | null; signal: NodeJS.Signals | null };
  try {
    exit = await new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
  } catch (err) {
    throw new FunctionRunError(`cannot run function "${what}": ${(err as Error).message}`, {
      target,
      stderr,
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (failure === 'abort') options.signal?.throwIfAborted();
  if (failure === 'timeout') {
    throw new FunctionRunError(
      `function "${what}" did not finish within ${timeoutMs / 1000}s and was killed; make it faster or raise the timeout`,
      { target, stderr },
    );
  }
  if (failure === 'output') {
    throw new FunctionRunError(
      `function "${what}" wrote more than ${maxOutput} bytes to stdout and was killed`,
      { target, stderr },
    );
  }
  const exitCode = exit.code ?? 1;
  const text = Buffer.concat(stdout).toString('utf8');
  if (exitCode !== 0) {
    // kpt shows the results of a failed function when its output is still a ResourceList.
    let results = input.results;
    try {
      results = text.trim() === '' ? [] : toFunctionResults(parseResourceList(text, options.limits).results);
    } catch {
      results = [];
    }
    const signalNote = exit.signal ? ` (killed by ${exit.signal})` : '';
    return { output: { ...input, results }, stderr: stderr + signalNote, exitCode };
  }
  try {
    const parsed = parseResourceList(text, options.limits, { text: stdin, items: input.items });
    return {
      output: {
        items: parsed.items,
        functionConfig: input.functionConfig,
        results: toFunctionResults(parsed.results),
      },
      stderr,
      exitCode: 0,
    };
  } catch (err) {
    throw new FunctionRunError(
      `function "${what}" wrote an invalid ResourceList: ${(err as Error).message}`,
      { target, stderr, exitCode: 1, cause: err },
    );
  }
}
