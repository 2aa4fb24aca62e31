/**
 * The resource id annotations as the catalog's fixtures expect them after a starlark run: a resource
 * that carries the legacy `config.k8s.io/id` comes out with it and with
 * `internal.config.kubernetes.io/id` of the same value, both re-added at the end of
 * `metadata.annotations` (re-creating `annotations` at the end of `metadata` when they were its only
 * entries). That is what kpt 1.0's id reconciliation did around the catalog function (its
 * `preserve-id-annotations` test); the orchestrator is told to keep the pair when writing files.
 */
import { Pair, Scalar, YAMLMap, isMap } from 'yaml';
import { removeAnnotation, rootMap, type KrmResource } from '../../../krm/index.js';
import { annotationValue, keepIdAnnotations } from '../../render-output.js';
import { ID, LEGACY_ID } from './resource-list.js';

function annotationsMap(root: YAMLMap): YAMLMap {
  let metadata = root.items.find((p) => (p.key as Scalar | null)?.value === 'metadata')?.value;
  if (!isMap(metadata)) {
    metadata = new YAMLMap();
    root.items.push(new Pair(new Scalar('metadata'), metadata));
  }
  const meta = metadata as YAMLMap;
  let annotations = meta.items.find((p) => (p.key as Scalar | null)?.value === 'annotations')?.value;
  if (!isMap(annotations)) {
    annotations = new YAMLMap();
    meta.items.push(new Pair(new Scalar('annotations'), annotations));
  }
  return annotations as YAMLMap;
}

export function reconcileIdAnnotations(items: readonly KrmResource[]): void {
  for (const r of items) {
    const doc = r.document.doc;
    const id = annotationValue(doc, LEGACY_ID);
    const root = rootMap(doc);
    if (id === undefined || !root) continue;
    removeAnnotation(doc, LEGACY_ID);
    removeAnnotation(doc, ID);
    const annotations = annotationsMap(root);
    annotations.items.push(
      new Pair(new Scalar(LEGACY_ID), new Scalar(id)),
      new Pair(new Scalar(ID), new Scalar(id)),
    );
    keepIdAnnotations(doc);
  }
}
