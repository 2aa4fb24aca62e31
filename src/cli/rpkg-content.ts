/**
 * `lading rpkg pull|push`: a revision's files through PackageRevisionResources. `pull` writes them
 * into a directory or prints a ResourceList; `push` sends a directory's files (or a ResourceList
 * from stdin) to a Draft.
 */
import { text } from 'node:stream/consumers';
import type { Command } from 'commander';
import {
  buildResourceList,
  parseResourceList,
  readPackageDir,
  readPackageResources,
  writePackageDir,
  writePackageResources,
} from '../krm/index.js';
import { createKubeClient, kubeOptions, type KubeFlags } from './kube-client.js';
import { resourcesPath, type PackageRevisionResourcesObject, type SetExit } from './rpkg-objects.js';

export function registerRpkgContent(rpkg: Command, setExit: SetExit): void {
  kubeOptions(
    rpkg
      .command('pull')
      .aliases(['source', 'read'])
      .argument('<name>', 'the PackageRevision to read')
      .argument('[dir]', 'directory to write the files into (default: a ResourceList on stdout)')
      .description("Read a package revision's files"),
  ).action((name: string, dir: string | undefined, flags: KubeFlags) => setExit(pull(name, dir, flags)));

  kubeOptions(
    rpkg
      .command('push')
      .aliases(['sink', 'write'])
      .argument('<name>', 'the Draft PackageRevision to update')
      .argument('[dir]', 'directory to read the files from (default: a ResourceList on stdin)')
      .description("Replace a Draft's files"),
  ).action((name: string, dir: string | undefined, flags: KubeFlags) => setExit(push(name, dir, flags)));
}

async function pull(name: string, dir: string | undefined, flags: KubeFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const prr = await client.request<PackageRevisionResourcesObject>('GET', resourcesPath(client, name));
  const files = prr.spec.resources ?? {};
  if (dir !== undefined) {
    await writePackageDir(dir, files);
  } else {
    process.stdout.write(buildResourceList(readPackageResources(files).resources));
  }
  return 0;
}

async function push(name: string, dir: string | undefined, flags: KubeFlags): Promise<number> {
  const client = await createKubeClient(flags);
  const path = resourcesPath(client, name);
  const prr = await client.request<PackageRevisionResourcesObject>('GET', path);
  let files: Map<string, string>;
  if (dir !== undefined) {
    files = await readPackageDir(dir);
  } else {
    const current = prr.spec.resources ?? {};
    const list = parseResourceList(await text(process.stdin));
    files = writePackageResources(current, readPackageResources(current), list.items);
  }
  await client.request('PUT', path, {
    body: { ...prr, spec: { ...prr.spec, resources: Object.fromEntries(files) } },
  });
  return 0;
}
