/**
 * `upsert-resource` (catalog v0.2): the function config is a resource (or a `List` of them); each
 * replaces every item with the same group, kind, name and namespace (and, with the
 * `config.kubernetes.io/target-path` annotation, the same file), keeping that item's file and
 * position; one without a match is added, in the target path's file or in kpt's default file.
 */
import { Document, isMap, isSeq, type Node } from 'yaml';
import { cloneNode, defaultResourcePath, newYamlDocument, type KrmResource } from '../../krm/index.js';
import type { ResourceListData } from '../function-runtime.js';
import { configObject, result, type BuiltinFunction, type BuiltinOutcome } from './builtin-function.js';
import { apiGroupOf, deleteField, field, objectInfo, type ObjectInfo } from './kube-object.js';

const TARGET_PATH = 'config.kubernetes.io/target-path';
const FUNCTION_ANNOTATIONS = ['config.kubernetes.io/function', 'config.k8s.io/function'];

function documentOf(node: Node): Document {
  const doc = new Document();
  doc.contents = cloneNode(node);
  return doc;
}

/** The resources to upsert: a `List`'s items, or the config itself. */
function unwrap(list: ResourceListData): Node[] {
  const config = configObject(list.functionConfig);
  if (!config.root) throw new Error('missing functionConfig: provide the resource to upsert');
  if (config.kind !== 'List') return [config.root];
  const items = field(config.root, 'items');
  return isSeq(items) ? (items.items as Node[]) : [];
}

/** Drops the annotations that only steer the function, and an `annotations` left empty. */
function cleanAnnotations(doc: Document, extra: readonly string[]): void {
  const metadata = field(doc.contents, 'metadata');
  const annotations = field(metadata, 'annotations');
  if (!isMap(metadata) || !isMap(annotations)) return;
  for (const key of [...FUNCTION_ANNOTATIONS, TARGET_PATH, ...extra]) deleteField(annotations, key);
  if (annotations.items.length === 0) deleteField(metadata, 'annotations');
}

function sameResource(input: ObjectInfo, target: ObjectInfo, targetPath: string): boolean {
  return (
    apiGroupOf(input.apiVersion) === apiGroupOf(target.apiVersion) &&
    input.kind === target.kind &&
    input.name === target.name &&
    input.namespace === target.namespace &&
    (targetPath === '' || targetPath === target.resource.path)
  );
}

export const upsertResource: BuiltinFunction = {
  name: 'upsert-resource',
  run(list: ResourceListData): BuiltinOutcome {
    let inputs: Node[];
    try {
      inputs = unwrap(list);
    } catch (err) {
      const message = `failed to upsert resource: ${(err as Error).message}`;
      list.results.push(result(message, { severity: 'error' }));
      return { exitCode: 1, stderr: message };
    }
    for (const node of inputs) {
      const probe: KrmResource = { path: '', index: 0, document: newYamlDocument(documentOf(node)) };
      const input = objectInfo(probe);
      if (!input) continue;
      const targetPath = input.annotations.get(TARGET_PATH) ?? '';
      let found = false;
      list.items = list.items.map((item) => {
        const info = objectInfo(item);
        if (!info || FUNCTION_ANNOTATIONS.some((a) => info.annotations.get(a))) return item;
        if (!sameResource(input, info, targetPath)) return item;
        found = true;
        const doc = documentOf(node);
        cleanAnnotations(doc, []);
        return { path: item.path, index: item.index, document: newYamlDocument(doc, 'compact') };
      });
      if (found) continue;
      const doc = documentOf(node);
      cleanAnnotations(doc, []);
      const path =
        targetPath !== ''
          ? targetPath
          : defaultResourcePath({ kind: input.kind, name: input.name, namespace: input.namespace });
      const index = list.items.filter((i) => i.path === path).length;
      list.items.push({ path, index, document: newYamlDocument(doc, 'compact') });
    }
    return { exitCode: 0 };
  },
};
