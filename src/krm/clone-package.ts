/**
 * Cloning a package the way `kpt pkg get` does it, on a file map: every resource of the package
 * (subpackages included) gets its merge key, and the root Kptfile records where the package came
 * from (`upstream`, `upstreamLock`) under its new name.
 *
 * kpt's resource step reads all `*.yaml` / `*.yml` files (case-sensitive; not the Kptfile; the root
 * `.krmignore` applies, subpackages' do not) and rewrites each of them in its own format. It is all
 * or nothing: when any file cannot be processed (invalid YAML, a document that is a plain scalar, a
 * non-mapping `metadata`, conflicting path annotations), kpt leaves every resource file untouched.
 * Lading does the same and reports why in `warnings`.
 */
import { isMap, type Document } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import { parseKptfileDocument, type Kptfile, type UpdateStrategy } from './kptfile.js';
import { formatKptfile } from './kptfile-format.js';
import { KRMIGNORE, parseKrmIgnore } from './krmignore.js';
import { addMergeKey, mergeKeyBlocker } from './merge-key.js';
import { KPTFILE, toFileMap, type PackageFiles } from './package-files.js';
import {
  clearEmptyMetadata,
  getField,
  objectMeta,
  removeAnnotation,
  rootMap,
  setAnnotation,
} from './resource-meta.js';
import { formatYamlFile, parseYamlFile, type YamlFile } from './yaml-file.js';

/** Annotations kpt's reader adds and its writer removes again. */
const READER_ANNOTATIONS = [
  'config.kubernetes.io/path',
  'config.kubernetes.io/index',
  'internal.config.kubernetes.io/path',
  'internal.config.kubernetes.io/index',
  'internal.config.kubernetes.io/seqindent',
];

/** Legacy and current names of the same tracking annotation; kpt refuses different values. */
const ANNOTATION_TWINS: readonly (readonly [string, string])[] = [
  ['config.kubernetes.io/path', 'internal.config.kubernetes.io/path'],
  ['config.kubernetes.io/index', 'internal.config.kubernetes.io/index'],
  ['config.k8s.io/id', 'internal.config.kubernetes.io/id'],
];

export interface PackageEditResult {
  files: Map<string, string>;
  /** Why a step was skipped, as kpt would have skipped it. */
  warnings: string[];
}

function hasMetadata(doc: Document): boolean {
  const metadata = getField(rootMap(doc), 'metadata');
  return isMap(metadata) && metadata.items.length > 0;
}

function isResourceFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.endsWith('.yaml') || base.endsWith('.yml');
}

export const BLUEPRINT_ANNOTATION = 'cnrm.cloud.google.com/blueprint';

/**
 * kpt's usage attribution on Config Connector resources (apiVersion containing `.cnrm.`): the
 * annotation `cnrm.cloud.google.com/blueprint` gets `kpt-<group>` added to its comma list.
 */
export function recordKptAction(current: string, group: 'pkg' | 'fn' | 'live'): string {
  if (current === '') return `kpt-${group}`;
  if (!current.includes('kpt-')) return `${current},kpt-${group}`;
  return current
    .split(',')
    .map((part) => {
      if (!part.includes('kpt')) return part;
      const kinds = ['pkg', 'fn', 'live'].filter((k) => part.includes(k) || k === group);
      return ['kpt', ...kinds].join('-');
    })
    .join(',');
}

export interface MergeKeyOptions {
  /** Add kpt's `cnrm.cloud.google.com/blueprint` attribution (kpt does unless KPT_DISABLE_ATTRIBUTION). */
  attribution?: boolean;
}

/** Adds merge keys to all resources of a package (kpt pkg get's resource step; see the module comment). */
export function addMergeKeys(files: PackageFiles, options: MergeKeyOptions = {}): PackageEditResult {
  const out = toFileMap(files);
  const ignore = out.has(KRMIGNORE) ? parseKrmIgnore(out.get(KRMIGNORE) ?? '') : undefined;
  const parsed: YamlFile[] = [];
  try {
    for (const [path, text] of out) {
      if (!isResourceFile(path) || ignore?.ignores(path, false)) continue;
      // kpt's reader reads Windows line breaks as plain ones.
      const file = parseYamlFile(path, text.replaceAll('\r\n', '\n'));
      for (const d of file.documents) {
        const blocker = mergeKeyBlocker(d.doc);
        if (blocker) throw new BadRequestError(`${path}: ${blocker}`);
        const annotations = objectMeta(d.doc).annotations;
        for (const [legacy, current] of ANNOTATION_TWINS) {
          if (
            legacy in annotations &&
            current in annotations &&
            annotations[legacy] !== annotations[current]
          ) {
            throw new BadRequestError(`${path}: annotations \`${legacy}\` and \`${current}\` differ`);
          }
        }
      }
      parsed.push(file);
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { files: toFileMap(files), warnings: [`merge keys were not added (as kpt): ${reason}`] };
  }
  for (const file of parsed) {
    if (file.documents.length === 0) continue;
    for (const d of file.documents) {
      addMergeKey(d.doc);
      const meta = objectMeta(d.doc);
      if ((options.attribution ?? true) && meta.apiVersion.includes('.cnrm.') && hasMetadata(d.doc)) {
        setAnnotation(
          d.doc,
          BLUEPRINT_ANNOTATION,
          recordKptAction(meta.annotations[BLUEPRINT_ANNOTATION] ?? '', 'pkg'),
        );
      }
      for (const a of READER_ANNOTATIONS) removeAnnotation(d.doc, a);
      clearEmptyMetadata(d.doc);
    }
    out.set(file.path, formatYamlFile(file.documents));
  }
  return { files: out, warnings: [] };
}

export interface GitOrigin {
  /** Repository URL as recorded (kpt's CLI drops a trailing `.git`, Porch keeps or adds it). */
  repo: string;
  /** Package directory in the repository (kpt's CLI writes `/dir`, Porch `dir`). */
  directory: string;
  ref: string;
  commit: string;
}

export interface ClonePackageOptions extends MergeKeyOptions {
  /** Name of the new package (the root Kptfile's `metadata.name`). */
  name: string;
  upstream: GitOrigin;
  updateStrategy?: UpdateStrategy;
}

/** The root Kptfile of a clone: new name, no namespace, `upstream` and `upstreamLock` from `origin`. */
export function clonedKptfile(kptfileText: string | undefined, options: ClonePackageOptions): Kptfile {
  const base: Kptfile =
    kptfileText === undefined
      ? { apiVersion: 'kpt.dev/v1', kind: 'Kptfile', metadata: {} }
      : parseKptfileDocument(kptfileText, { validate: false }).kptfile;
  const { namespace: _dropped, ...metadata } = base.metadata;
  const { repo, directory, ref, commit } = options.upstream;
  return {
    ...base,
    metadata: { ...metadata, name: options.name },
    upstream: {
      type: 'git',
      git: { repo, directory, ref },
      updateStrategy: options.updateStrategy ?? 'resource-merge',
    },
    upstreamLock: { type: 'git', git: { repo, directory, ref, commit } },
  };
}

/**
 * Clones a package as `kpt pkg get` does: merge keys on all resources, the root Kptfile rewritten
 * (kpt writes it from its struct, so comments in the root Kptfile are not kept), subpackage Kptfiles
 * untouched. Throws (BadRequestError / InvalidError) when a Kptfile cannot be read, as kpt fails.
 */
export function clonePackage(files: PackageFiles, options: ClonePackageOptions): PackageEditResult {
  const source = toFileMap(files);
  const kptfile = clonedKptfile(source.get(KPTFILE), options);
  // kpt reads every subpackage's Kptfile too, and fails on one it cannot read.
  for (const [path, text] of source) {
    if (path.endsWith(`/${KPTFILE}`)) parseKptfileDocument(text, { path, validate: false });
  }
  const result = addMergeKeys(
    source,
    options.attribution === undefined ? {} : { attribution: options.attribution },
  );
  result.files.set(KPTFILE, formatKptfile(kptfile, 'wide'));
  return result;
}
