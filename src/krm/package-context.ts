/**
 * `package-context.yaml`: the ConfigMap `kptfile.kpt.dev` next to the root Kptfile that tells
 * functions (e.g. set-namespace) the package's name and, in deployment repositories, its path.
 * Written as kpt's and Porch's `gen-pkg-context` builtin writes it; an upsert drops every existing
 * `kptfile.kpt.dev` ConfigMap of the package first, as that builtin does.
 */
import { Document, Pair, Scalar, YAMLMap, type Node } from 'yaml';
import { emitDocument } from './kyaml-emitter.js';
import { parseKptfileDocument } from './kptfile.js';
import { LOCAL_CONFIG_ANNOTATION } from './kptfile-format.js';
import { KPTFILE, toFileMap, type PackageFiles } from './package-files.js';
import { readPackageResources, writePackageResources, type KrmResource } from './package-resources.js';
import { objectMeta } from './resource-meta.js';
import { newYamlDocument } from './yaml-file.js';

export const PACKAGE_CONTEXT_FILE = 'package-context.yaml';
export const PACKAGE_CONTEXT_NAME = 'kptfile.kpt.dev';

export interface PackageContext {
  /** The package name (`data.name`). */
  name: string;
  /** `data.package-path`, set for packages in deployment repositories. */
  packagePath?: string;
}

function mapNode(entries: [string, Node][]): YAMLMap {
  const map = new YAMLMap();
  for (const [key, value] of entries) map.items.push(new Pair(new Scalar(key), value));
  return map;
}

function contextDocument(context: PackageContext): Document {
  // kyaml writes the data map with sorted keys (`name` < `package-path`).
  const data: [string, Node][] = [['name', new Scalar(context.name)]];
  if (context.packagePath) data.push(['package-path', new Scalar(context.packagePath)]);
  const doc = new Document();
  doc.contents = mapNode([
    ['apiVersion', new Scalar('v1')],
    ['kind', new Scalar('ConfigMap')],
    [
      'metadata',
      mapNode([
        ['name', new Scalar(PACKAGE_CONTEXT_NAME)],
        ['annotations', mapNode([[LOCAL_CONFIG_ANNOTATION, new Scalar('true')]])],
      ]),
    ],
    ['data', mapNode(data)],
  ]);
  return doc;
}

/** The text of `package-context.yaml`. */
export function packageContextFile(context: PackageContext): string {
  return emitDocument(contextDocument(context), 'compact');
}

/**
 * `data.package-path` of a package cloned into a deployment repository: the clone source's path
 * followed by the source's name and this package's name (`[<parent path>/]<parent>/<own>`), or just
 * the own name without a source.
 */
export function deploymentPackagePath(options: {
  packageName: string;
  parentPackageName?: string;
  parentPackagePath?: string;
}): string {
  const parts = [options.parentPackagePath, options.parentPackageName, options.packageName];
  return parts.filter((p): p is string => p !== undefined && p !== '').join('/');
}

function isContextConfigMap(r: KrmResource): boolean {
  const meta = objectMeta(r.document.doc);
  return meta.apiVersion === 'v1' && meta.kind === 'ConfigMap' && meta.name === PACKAGE_CONTEXT_NAME;
}

/**
 * Writes the package context into a package: existing `kptfile.kpt.dev` ConfigMaps are removed
 * (files left empty are deleted), and `package-context.yaml` next to the root Kptfile holds the new
 * one as its first document. The name defaults to the root Kptfile's `metadata.name`.
 */
export function upsertPackageContext(
  files: PackageFiles,
  context: Partial<PackageContext> = {},
): Map<string, string> {
  const map = toFileMap(files);
  let name = context.name;
  if (name === undefined) {
    const kptfile = map.get(KPTFILE);
    if (kptfile === undefined) throw new Error('the package has no root Kptfile to take its name from');
    name = parseKptfileDocument(kptfile, { validate: false }).kptfile.metadata.name ?? '';
  }
  const pkg = readPackageResources(map);
  const kept = pkg.resources.filter((r) => !isContextConfigMap(r));
  const shifted = kept.map((r) => (r.path === PACKAGE_CONTEXT_FILE ? { ...r, index: r.index + 1 } : r));
  const document = newYamlDocument(
    contextDocument({ name, ...(context.packagePath ? { packagePath: context.packagePath } : {}) }),
  );
  return writePackageResources(map, pkg, [{ path: PACKAGE_CONTEXT_FILE, index: 0, document }, ...shifted]);
}
