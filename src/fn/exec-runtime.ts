/**
 * The exec runtime: a pipeline step's `exec` (a command line, split like a shell would, relative
 * paths resolved against `cwd`), or an image that a FunctionConfig `binaryExecutor` maps to an
 * executable. Runs through `runProcessFunction` (clean environment, timeout, output limit).
 */
import { isAbsolute, resolve } from 'node:path';
import type { FunctionConfig } from '../apis/index.js';
import type { FunctionRunner, FunctionRuntime, FunctionTarget } from './function-runtime.js';
import { executableForImage } from './image-mapping.js';
import { runProcessFunction, splitCommand, type ProcessLimits } from './process-function.js';

export interface ExecRuntimeOptions extends ProcessLimits {
  /** Run `exec` steps (kpt's `--allow-exec`); true by default. Mapped images run either way. */
  allowExec?: boolean;
  /** Image → executable mappings (Porch FunctionConfig objects with a `binaryExecutor`). */
  functionConfigs?: readonly FunctionConfig[] | (() => readonly FunctionConfig[]);
}

export function createExecRuntime(options: ExecRuntimeOptions = {}): FunctionRuntime {
  const cwd = options.cwd ?? process.cwd();
  const runner =
    (target: FunctionTarget, argv: string[]): FunctionRunner =>
    (input, run = {}) =>
      runProcessFunction(target, argv, input, { ...options, cwd, ...run });
  const argvOf = (command: string): string[] => {
    const argv = splitCommand(command);
    const [first, ...rest] = argv;
    // A path with a slash is relative to cwd; a bare name is looked up on PATH.
    if (first !== undefined && first.includes('/') && !isAbsolute(first))
      return [resolve(cwd, first), ...rest];
    return argv;
  };
  return {
    name: 'exec',
    resolve(target) {
      if (target.exec !== undefined) {
        return Promise.resolve(options.allowExec === false ? undefined : runner(target, argvOf(target.exec)));
      }
      if (target.image === undefined) return Promise.resolve(undefined);
      const configs =
        typeof options.functionConfigs === 'function'
          ? options.functionConfigs()
          : (options.functionConfigs ?? []);
      const path = executableForImage(target.image, configs);
      return Promise.resolve(path === undefined ? undefined : runner(target, argvOf(path)));
    },
  };
}
