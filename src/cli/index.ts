/** The `lading` command: parses arguments, runs a sub-command, turns errors into one line + exit code. */
import { Command, CommanderError } from 'commander';
import { ApiError } from '../apimachinery/index.js';
import { registerFnRunner } from './fn-runner.js';
import { registerFn } from './fn.js';
import { registerRepo } from './repo.js';
import { registerPkg } from './pkg.js';
import { registerRpkg } from './rpkg.js';
import { registerServe } from './serve.js';

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('lading')
    .description('Lading: a control plane for Kubernetes configuration packages')
    .exitOverride()
    .showHelpAfterError();
  let run: Promise<number> = Promise.resolve(0);
  const setExit = (p: Promise<number>): void => {
    run = p;
  };
  registerServe(program, setExit);
  registerRepo(program, setExit);
  registerRpkg(program, setExit);
  registerPkg(program, setExit);
  registerFn(program, setExit);
  registerFnRunner(program, setExit);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return await run;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const message = err instanceof ApiError ? err.message : err instanceof Error ? err.message : String(err);
    process.stderr.write(`lading: ${message}\n`);
    return 1;
  }
}
