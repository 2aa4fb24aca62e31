/**
 * The `HOME` every git child runs with: a private directory of ours, so that no user or system
 * configuration (credential helpers, `url.insteadOf`, hooks paths, pagers) changes behaviour. It also
 * holds the askpass script (no secrets: they come from the child's environment). Mirrors keep theirs
 * inside the bare repository; `defaultGitHome` is for one-off commands without a mirror (a
 * per-process temp dir, removed on a normal exit).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Environment variables the askpass script reads; set only on the child that needs them. */
export const ASKPASS_USERNAME_VAR = 'LADING_GIT_USERNAME';
export const ASKPASS_PASSWORD_VAR = 'LADING_GIT_PASSWORD';

// `printf` is a shell builtin, so the secret never appears in any process's argv.
const ASKPASS_SCRIPT = `#!/bin/sh
# Written by Lading: answers git's credential prompts from this process's environment.
case "$1" in
  Username*) printf '%s\\n' "$${ASKPASS_USERNAME_VAR}" ;;
  *) printf '%s\\n' "$${ASKPASS_PASSWORD_VAR}" ;;
esac
`;

let processHome: Promise<string> | undefined;

/** The per-process default home, created on first use. */
export function defaultGitHome(): Promise<string> {
  processHome ??= createProcessHome();
  return processHome;
}

/** Makes `dir` usable as a git home (idempotent): exists, private, holds the askpass script. */
export async function prepareGitHome(dir: string): Promise<string> {
  await fs.promises.mkdir(dir, { recursive: true, mode: 0o700 });
  const script = askpassPath(dir);
  const current = await fs.promises.readFile(script, 'utf8').catch(() => undefined);
  if (current !== ASKPASS_SCRIPT) {
    const tmp = `${script}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, ASKPASS_SCRIPT, { mode: 0o700 });
    await fs.promises.rename(tmp, script);
  }
  return dir;
}

export function askpassPath(home: string): string {
  return path.join(home, 'askpass.sh');
}

async function createProcessHome(): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-git-home-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return prepareGitHome(dir);
}
