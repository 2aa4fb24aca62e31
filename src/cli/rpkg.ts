/** `lading rpkg …` (alias `rpackage`): porchctl's package revision verbs. */
import type { Command } from 'commander';
import { registerRpkgContent } from './rpkg-content.js';
import { registerRpkgCreate } from './rpkg-create.js';
import { registerRpkgGet } from './rpkg-get.js';
import { registerRpkgLifecycle } from './rpkg-lifecycle.js';

export function registerRpkg(program: Command, setExit: (run: Promise<number>) => void): Command {
  const rpkg = program.command('rpkg').alias('rpackage').description('Manage package revisions');
  registerRpkgGet(rpkg, setExit);
  registerRpkgCreate(rpkg, setExit);
  registerRpkgContent(rpkg, setExit);
  registerRpkgLifecycle(rpkg, setExit);
  return rpkg;
}
