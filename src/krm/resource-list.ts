/**
 * The KRM function protocol's `ResourceList` (`config.kubernetes.io/v1`). Building one tags each
 * item with where it came from, as kpt does: `internal.config.kubernetes.io/path|index` and the legacy
 * `config.kubernetes.io/path|index`, plus `internal.config.kubernetes.io/seqindent`. Parsing one
 * reads those tags back (a resource without a path gets kyaml's default file name) and removes them.
 */
import { Document, isMap, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import type { Node } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import { getComments, setComments } from './kyaml-comments.js';
import { emitDocument } from './kyaml-emitter.js';
import { defaultResourcePath, type KrmResource } from './package-resources.js';
import { findPair, objectMeta, removeAnnotation, rootMap, setAnnotation } from './resource-meta.js';
import { cloneNode } from './yaml-clone.js';
import { splitItemTexts, type ItemText } from './resource-list-items.js';
import {
  DEFAULT_MAX_DOCUMENT_LENGTH,
  newYamlDocument,
  parseYamlDocument,
  type YamlDocument,
  type YamlLimits,
} from './yaml-file.js';
import { buildNode } from './yaml-object.js';

export const RESOURCE_LIST_API_VERSION = 'config.kubernetes.io/v1';
export const RESOURCE_LIST_KIND = 'ResourceList';
const LEGACY_API_VERSION = 'config.kubernetes.io/v1beta1';

export const PATH_ANNOTATION = 'internal.config.kubernetes.io/path';
export const INDEX_ANNOTATION = 'internal.config.kubernetes.io/index';
export const LEGACY_PATH_ANNOTATION = 'config.kubernetes.io/path';
export const LEGACY_INDEX_ANNOTATION = 'config.kubernetes.io/index';
export const SEQ_INDENT_ANNOTATION = 'internal.config.kubernetes.io/seqindent';
export const ID_ANNOTATION = 'internal.config.kubernetes.io/id';
export const LEGACY_ID_ANNOTATION = 'config.k8s.io/id';
const MIGRATION_ID_ANNOTATION = 'internal.config.kubernetes.io/annotations-migration-resource-id';

/** All tracking annotations the orchestrator sets and strips again before writing files. */
export const TRACKING_ANNOTATIONS = [
  LEGACY_INDEX_ANNOTATION,
  LEGACY_PATH_ANNOTATION,
  INDEX_ANNOTATION,
  PATH_ANNOTATION,
  SEQ_INDENT_ANNOTATION,
  ID_ANNOTATION,
  LEGACY_ID_ANNOTATION,
  MIGRATION_ID_ANNOTATION,
] as const;

export interface BuildResourceListOptions {
  /** The function's configuration (a document or plain data). */
  functionConfig?: Document | Record<string, unknown>;
  results?: unknown[];
  /** Add `internal.config.kubernetes.io/seqindent` (kpt does); true by default. */
  seqIndentAnnotation?: boolean;
}

/**
 * A new mapping holding the same keys and values (new pairs): what setAnnotation changes on the copy
 * (its item list and pair values) leaves the original alone.
 */
function shallowMap(map: YAMLMap): YAMLMap {
  const copy = new YAMLMap();
  copy.flow = map.flow ?? false;
  if (map.tag !== undefined) copy.tag = map.tag;
  if (map.anchor !== undefined) copy.anchor = map.anchor;
  const c = getComments(map);
  if (c) {
    setComments(copy, {
      ...c,
      ...(c.head ? { head: [...c.head] } : {}),
      ...(c.foot ? { foot: [...c.foot] } : {}),
    });
  }
  copy.items = map.items.map((p) => new Pair(p.key, p.value));
  return copy;
}

/**
 * The resource's root mapping with copies along `metadata.annotations` only (the rest is shared
 * with the resource's document and only read while the list is written).
 */
function annotatableCopy(contents: unknown): unknown {
  if (!isMap(contents)) return cloneNode(contents);
  const root = shallowMap(contents);
  const metadata = findPair(root, 'metadata');
  if (metadata && isMap(metadata.value)) {
    const meta = shallowMap(metadata.value);
    metadata.value = meta;
    const annotations = findPair(meta, 'annotations');
    if (annotations && isMap(annotations.value)) annotations.value = shallowMap(annotations.value);
  }
  return root;
}

function itemNode(resource: KrmResource, seqIndentAnnotation: boolean): Node {
  const source = resource.document.doc;
  const doc = new Document();
  doc.contents = annotatableCopy(source.contents) as Document['contents'];
  setAnnotation(doc, LEGACY_INDEX_ANNOTATION, String(resource.index));
  setAnnotation(doc, LEGACY_PATH_ANNOTATION, resource.path);
  setAnnotation(doc, INDEX_ANNOTATION, String(resource.index));
  setAnnotation(doc, PATH_ANNOTATION, resource.path);
  if (seqIndentAnnotation) setAnnotation(doc, SEQ_INDENT_ANNOTATION, resource.document.seqIndent);
  // Like kpt, the document's own head comment (separated by a blank line) is not carried over.
  return doc.contents as Node;
}

/** A ResourceList in kpt's format (items in the order given). */
export function buildResourceList(
  items: readonly KrmResource[],
  options: BuildResourceListOptions = {},
): string {
  const list = new YAMLMap();
  const add = (key: string, value: Node): void => {
    list.items.push(new Pair(new Scalar(key), value));
  };
  add('apiVersion', new Scalar(RESOURCE_LIST_API_VERSION));
  add('kind', new Scalar(RESOURCE_LIST_KIND));
  const seq = new YAMLSeq();
  for (const item of items) seq.items.push(itemNode(item, options.seqIndentAnnotation ?? true));
  if (seq.items.length === 0) seq.flow = true;
  add('items', seq);
  if (options.functionConfig !== undefined) {
    const fc = options.functionConfig;
    add(
      'functionConfig',
      fc instanceof Document ? (cloneNode(fc.contents) as Node) : buildNode(fc, { type: 'any' }),
    );
  }
  if (options.results !== undefined) add('results', buildNode(options.results, { type: 'any' }));
  const doc = new Document();
  doc.contents = list;
  return emitDocument(doc, 'compact');
}

export interface ParsedResourceList {
  apiVersion: string;
  /** Items with their file and index (annotations removed from the documents). */
  items: KrmResource[];
  functionConfig: Document | undefined;
  results: unknown[];
}

function annotationPair(
  annotations: Record<string, string>,
  current: string,
  legacy: string,
): string | undefined {
  const a = annotations[current];
  const b = annotations[legacy];
  if (a !== undefined && b !== undefined && a !== b) {
    throw new BadRequestError(
      `resource has mismatched annotations \`${legacy}\` (${b}) and \`${current}\` (${a})`,
    );
  }
  return a ?? b;
}

/**
 * `- # comment` before an item's first key is how go-yaml writes that key's head comment; once the
 * item is a document of its own the comment belongs to the key again.
 */
function liftDashComment(item: YAMLMap): void {
  const c = getComments(item);
  const firstKey = item.items[0]?.key;
  if (!c?.keyLine || !firstKey || typeof firstKey !== 'object') return;
  const { keyLine, ...rest } = c;
  setComments(item, rest);
  const kc = getComments(firstKey) ?? {};
  setComments(firstKey, { ...kc, head: [keyLine, ...(kc.head ?? [])] });
}

interface ItemFields {
  document: YamlDocument;
  path: string;
  indexText: string | undefined;
}

function itemFields(node: YAMLMap): ItemFields {
  liftDashComment(node);
  const itemDoc = new Document();
  itemDoc.contents = node;
  const meta = objectMeta(itemDoc);
  const path = annotationPair(meta.annotations, PATH_ANNOTATION, LEGACY_PATH_ANNOTATION);
  const indexText = annotationPair(meta.annotations, INDEX_ANNOTATION, LEGACY_INDEX_ANNOTATION);
  const seqIndent = meta.annotations[SEQ_INDENT_ANNOTATION] === 'wide' ? 'wide' : 'compact';
  for (const a of TRACKING_ANNOTATIONS) removeAnnotation(itemDoc, a);
  return {
    document: newYamlDocument(itemDoc, seqIndent),
    path: path ?? defaultResourcePath(meta),
    indexText,
  };
}

/** kpt's indexes: an item without an index annotation follows the last one seen in its file. */
function assignIndexes(fields: readonly ItemFields[]): KrmResource[] {
  const counts = new Map<string, number>();
  return fields.map(({ document, path, indexText }) => {
    const next = counts.get(path) ?? 0;
    const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : next;
    counts.set(path, Math.max(next, index + 1));
    return { path, index, document };
  });
}

interface ParsedList {
  apiVersion: string;
  items: ItemFields[];
  functionConfig: Document | undefined;
  results: unknown[];
}

function parseList(text: string, limits: YamlLimits): ParsedList {
  const doc = parseYamlDocument('ResourceList', text, limits);
  const root = rootMap(doc);
  const apiVersion = objectMeta(doc).apiVersion;
  if (!root || objectMeta(doc).kind !== RESOURCE_LIST_KIND) {
    throw new BadRequestError('the function output is not a ResourceList (`kind: ResourceList` is missing)');
  }
  if (apiVersion !== RESOURCE_LIST_API_VERSION && apiVersion !== LEGACY_API_VERSION) {
    throw new BadRequestError(
      `ResourceList apiVersion must be ${RESOURCE_LIST_API_VERSION}, not "${apiVersion}"`,
    );
  }
  const itemsNode = findPair(root, 'items')?.value;
  if (
    itemsNode !== undefined &&
    itemsNode !== null &&
    !isSeq(itemsNode) &&
    !(itemsNode instanceof Scalar && itemsNode.value === null)
  ) {
    throw new BadRequestError('ResourceList `items` must be a list');
  }
  const items = (isSeq(itemsNode) ? (itemsNode.items as Node[]) : []).map((node, i) => {
    if (!isMap(node)) throw new BadRequestError(`ResourceList items[${i}] must be a mapping`);
    return itemFields(node);
  });
  const fcNode = findPair(root, 'functionConfig')?.value;
  let functionConfig: Document | undefined;
  if (isMap(fcNode)) {
    functionConfig = new Document();
    functionConfig.contents = fcNode;
  }
  const resultsNode = findPair(root, 'results')?.value;
  const results = isSeq(resultsNode) ? resultsNode.toJSON() : [];
  return { apiVersion, items, functionConfig, results };
}

/** The text of the list entry each item document was parsed from, when that text parses alone. */
const parsedFrom = new WeakMap<Document, string>();

/** A ResourceList as sent to a function: its text and the items it was built from, in order. */
export interface SentResourceList {
  readonly text: string;
  readonly items: readonly KrmResource[];
}

/**
 * The sent items a function passed through untouched, by their entry text: an item qualifies when
 * its document was itself parsed from exactly that text (so it is what parsing the text again
 * would give).
 */
function unchangedItems(sent: SentResourceList): Map<string, KrmResource[]> | undefined {
  const layout = splitItemTexts(sent.text);
  if (layout?.items.length !== sent.items.length) return undefined;
  const byText = new Map<string, KrmResource[]>();
  layout.items.forEach((entry, i) => {
    const item = sent.items[i] as KrmResource;
    if (!entry.standalone || parsedFrom.get(item.document.doc) !== entry.text) return;
    const same = byText.get(entry.text);
    if (same) same.push(item);
    else byText.set(entry.text, [item]);
  });
  return byText;
}

/**
 * Parses only the entries of `text` that are not sent items passed through unchanged, and puts the
 * sent items back in their places. Undefined when the layout does not allow it.
 */
function parseReusing(text: string, limits: YamlLimits, sent: SentResourceList): ParsedList | undefined {
  const layout = splitItemTexts(text);
  const unchanged = layout && unchangedItems(sent);
  if (!layout || !unchanged) return undefined;
  const slots = layout.items.map((entry) =>
    entry.standalone ? unchanged.get(entry.text)?.shift() : undefined,
  );
  const parsedEntries = layout.items.filter((_, i) => slots[i] === undefined);
  const reduced = layout.head + parsedEntries.map((e) => e.text).join('') + layout.tail;
  let list: ParsedList;
  try {
    list = parseList(reduced, limits);
  } catch {
    return undefined; // the whole text's own error message, with its line numbers
  }
  if (list.items.length !== parsedEntries.length) return undefined;
  const fresh = list.items.values();
  list.items.forEach((fields, i) => {
    const entry = parsedEntries[i] as ItemText;
    if (entry.standalone) parsedFrom.set(fields.document.doc, entry.text);
  });
  list.items = slots.map((reused) =>
    reused
      ? { document: reused.document, path: reused.path, indexText: String(reused.index) }
      : (fresh.next().value as ItemFields),
  );
  return list;
}

/**
 * Parses a ResourceList (function output, or input given to a function). Given the list that was
 * sent to the function, items it passed through unchanged are taken over instead of parsed again:
 * most functions change a few resources, and parsing is most of an exec function's cost.
 */
export function parseResourceList(
  text: string,
  limits: YamlLimits = {},
  sent?: SentResourceList,
): ParsedResourceList {
  // The size limit is the whole text's: a too-large output goes to parseList, which refuses it.
  const maxLength = limits.maxDocumentLength ?? DEFAULT_MAX_DOCUMENT_LENGTH;
  const list =
    (sent && text.length <= maxLength ? parseReusing(text, limits, sent) : undefined) ??
    parseList(text, limits);
  return { ...list, items: assignIndexes(list.items) };
}
