/** `lading rpkg …` (alias `rpackage`): porchctl's package revision verbs. */
import type { Command } from 'commander';
import { registerRpkgGet } from './rpkg-get.js';

export function registerRpkg(program: Command, setExit: (run: Promise<number>) => void): Command {
  const rpkg = program.command('rpkg').alias('rpackage').description('Manage package revisions');
  registerRpkgGet(rpkg, setExit);
  return rpkg;
}
