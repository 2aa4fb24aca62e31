/** The `lading` command: parses arguments, runs a sub-command, turns errors into one line + exit code. */
import { Command, CommanderError } from 'commander';
import { ApiError } from '../apimachinery/index.js';

type Register = (program: Command, setExit: (run: Promise<number>) => void) => void;

/**
 * Sub-commands by name, loaded on demand: `lading fn render` need not load the API server, so a
 * command starts in a fraction of the time. Help and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./serve.js')).registerServe,
  repo: async () => (await import('./repo.js')).registerRepo,
  rpkg: async () => (await import('./rpkg.js')).registerRpkg,
  pkg: async () => (await import('./pkg.js')).registerPkg,
  fn: async () => (await import('./fn.js')).registerFn,
  'fn-runner': async () => (await import('./fn-runner.js')).registerFnRunner,
};

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('lading')
    .description('Lading: a control plane for Kubernetes configuration packages')
    .exitOverride()
    .showHelpAfterError();
  let run: Promise<number> = Promise.resolve(0);
  const setExit = (p: Promise<number>): void => {
    run = p;
  };
  const first = argv[0] ?? '';
  const wanted = Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
  for (const name of wanted) (await (COMMANDS[name] as () => Promise<Register>)())(program, setExit);
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
