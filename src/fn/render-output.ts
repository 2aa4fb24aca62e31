/**
 * Writing a rendered package back into its file map the way kpt's package writer does: every file
 * holding resources is rewritten in kpt's format (documents ordered by their index), files whose
 * resources all went are deleted, other files are left alone. The orchestration annotations are
 * removed first.
 */
import { posix } from 'node:path';
import { isMap, type Document } from 'yaml';
import {
  TRACKING_ANNOTATIONS,
  clearEmptyMetadata,
  formatYamlFile,
  removeAnnotation,
  rootMap,
  scalarString,
  type KrmResource,
  type PackageResources,
  type YamlDocument,
} from '../krm/index.js';
import { joinPackagePath } from './package-tree.js';

/** The package a resource belongs to during a render (kpt's annotation; an absolute dir in kpt). */
export const PACKAGE_PATH_ANNOTATION = 'internal.config.kubernetes.io/package-path';
/** kpt's id for resources a selector picked (removed from output). */
export const RESOURCE_ID_ANNOTATION = 'internal.config.k8s.io/kpt-resource-id';

function firstValue(map: unknown, key: string): unknown {
  if (!isMap(map)) return undefined;
  for (const pair of map.items) if (scalarString(pair.key) === key) return pair.value;
  return undefined;
}

/**
 * `metadata.annotations[key]` of a document, read exactly as `objectMeta` reads it (the first
 * `metadata` and `annotations` fields; the last pair of that key with a scalar value) without
 * building the rest of the object's metadata: this runs for every resource after every step.
 */
export function annotationValue(doc: Document, key: string): string | undefined {
  const annotations = firstValue(firstValue(rootMap(doc), 'metadata'), 'annotations');
  if (!isMap(annotations)) return undefined;
  let value: string | undefined;
  for (const pair of annotations.items) {
    if (scalarString(pair.key) !== key) continue;
    const v = scalarString(pair.value);
    if (v !== undefined) value = v;
  }
  return value;
}

export function annotationOf(resource: KrmResource, key: string): string | undefined {
  return annotationValue(resource.document.doc, key);
}

/** Documents whose resource id annotations a function reconciled and which keep them. */
const keepsIds = new WeakSet<Document>();
const ID_ANNOTATIONS: ReadonlySet<string> = new Set(['config.k8s.io/id', 'internal.config.kubernetes.io/id']);

/**
 * Keeps `config.k8s.io/id` and `internal.config.kubernetes.io/id` of `doc` when it is written: the
 * starlark builtin reproduces kpt 1.0's id reconciliation, which the catalog's fixtures expect.
 */
export function keepIdAnnotations(doc: Document): void {
  keepsIds.add(doc);
}

/** Removes the annotations that only live during a function run. */
export function stripRunAnnotations(resource: KrmResource): void {
  const doc = resource.document.doc;
  removeAnnotation(doc, PACKAGE_PATH_ANNOTATION);
  removeAnnotation(doc, RESOURCE_ID_ANNOTATION);
  const keepIds = keepsIds.has(doc);
  for (const a of TRACKING_ANNOTATIONS) if (!keepIds || !ID_ANNOTATIONS.has(a)) removeAnnotation(doc, a);
  clearEmptyMetadata(doc);
}

/**
 * The new file map: `original` with every resource file rewritten from `output`. `read` holds what
 * each package read (to find files whose resources were all deleted); `annotationToDir` maps a
 * package-path annotation to its package directory.
 */
export function writeRenderedFiles(
  original: ReadonlyMap<string, string>,
  read: ReadonlyMap<string, PackageResources>,
  output: readonly KrmResource[],
  annotationToDir: ReadonlyMap<string, string>,
): Map<string, string> {
  const byFile = new Map<string, { index: number; order: number; document: YamlDocument }[]>();
  for (const r of output) {
    const owner = annotationOf(r, PACKAGE_PATH_ANNOTATION);
    const dir = owner === undefined ? '' : (annotationToDir.get(owner) ?? '');
    stripRunAnnotations(r);
    const path = joinPackagePath(dir, posix.normalize(r.path));
    const list = byFile.get(path) ?? [];
    list.push({ index: r.index, order: list.length, document: r.document });
    byFile.set(path, list);
  }
  const out = new Map(original);
  for (const [dir, pkg] of read) {
    const held = new Set(pkg.resources.map((r) => r.path));
    for (const path of held) {
      const full = joinPackagePath(dir, path);
      if (!byFile.has(full)) out.delete(full);
    }
  }
  for (const [path, list] of byFile) {
    list.sort((a, b) => a.index - b.index || a.order - b.order);
    out.set(path, formatYamlFile(list.map((e) => e.document)));
  }
  return out;
}
