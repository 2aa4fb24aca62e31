/**
 * A flat record of everything the kyaml emitter reads from a parsed document (node identities,
 * scalar values, types, source texts, tags, anchors, flow flags, item lists and comments), taken
 * right after parsing. While a document still matches its snapshot, its kpt rendering is the one of
 * the text it was parsed from, so a writer can keep the original bytes without rendering twice.
 * A mismatch only means "maybe changed": the caller then compares renderings, and the rendering
 * of the document as parsed comes from the snapshot too (`replaySnapshot`), without parsing again.
 */
import {
  Alias,
  Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  Pair,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import {
  getComments,
  getDocumentComments,
  setComments,
  setDocumentComments,
  type DocumentComments,
  type NodeComments,
} from './kyaml-comments.js';

type Sink = (value: unknown) => boolean;

/** The comment entry of a node and, when it has one, its content (entries can be edited in place). */
function comments(node: object, sink: Sink): boolean {
  const c = getComments(node);
  return sink(c) && (c === undefined || sink(JSON.stringify(c)));
}

/** Feeds `sink` the emitter's inputs of `node` in a fixed order; stops at the first false. */
function walk(node: unknown, sink: Sink): boolean {
  if (!sink(node)) return false;
  if (node === null || typeof node !== 'object') return true;
  // A key or value is recorded as the first entry of its own walk.
  if (isPair(node)) return walk(node.key, sink) && walk(node.value, sink);
  const n = node as { tag?: string; anchor?: string };
  if (!sink(n.tag) || !sink(n.anchor) || !comments(node, sink)) return false;
  if (isScalar(node)) return sink(node.value) && sink(node.type) && sink(node.source);
  if (isAlias(node)) return sink(node.source);
  if (isMap(node)) {
    const items = node.items;
    if (!sink(items) || !sink(items.length) || !sink(node.flow)) return false;
    for (const pair of items) {
      if (!sink(pair) || !walk(pair.key, sink) || !walk(pair.value, sink)) return false;
    }
    return true;
  }
  if (isSeq(node)) {
    const items = node.items;
    if (!sink(items) || !sink(items.length) || !sink(node.flow)) return false;
    for (const item of items) if (!walk(item, sink)) return false;
    return true;
  }
  return true;
}

function walkDocument(doc: Document, sink: Sink): boolean {
  const dc = getDocumentComments(doc);
  return sink(dc) && sink(JSON.stringify(dc)) && walk(doc.contents, sink);
}

export type DocumentSnapshot = readonly unknown[];

export function takeSnapshot(doc: Document): DocumentSnapshot {
  const values: unknown[] = [];
  walkDocument(doc, (v) => {
    values.push(v);
    return true;
  });
  return values;
}

/** True when nothing the emitter reads differs from the snapshot (NaN values count as differing). */
export function matchesSnapshot(doc: Document, snapshot: DocumentSnapshot): boolean {
  let i = 0;
  const same = walkDocument(doc, (v) => i < snapshot.length && snapshot[i++] === v);
  return same && i === snapshot.length;
}

/** Rebuilds the document as it was parsed from its snapshot: fresh nodes, the recorded values. */
export function replaySnapshot(snapshot: DocumentSnapshot): Document {
  let i = 0;
  const next = (): unknown => snapshot[i++];
  const props = (node: Scalar | Alias | YAMLMap | YAMLSeq): void => {
    const tag = next() as string | undefined;
    const anchor = next() as string | undefined;
    if (tag !== undefined) node.tag = tag;
    if (anchor !== undefined) node.anchor = anchor;
    if (next() !== undefined) setComments(node, JSON.parse(next() as string) as NodeComments);
  };
  const node = (): unknown => {
    const original = next();
    if (original === null || typeof original !== 'object') return original;
    if (isPair(original)) {
      const key = node();
      return new Pair(key, node());
    }
    if (isScalar(original)) {
      const copy = new Scalar<unknown>(null);
      props(copy);
      copy.value = next();
      const type = next() as Scalar.Type | undefined;
      const source = next() as string | undefined;
      if (type !== undefined) copy.type = type;
      if (source !== undefined) copy.source = source;
      return copy;
    }
    if (isAlias(original)) {
      const copy = new Alias('');
      props(copy);
      copy.source = next() as string;
      return copy;
    }
    if (isMap(original) || isSeq(original)) {
      const copy = isMap(original) ? new YAMLMap() : new YAMLSeq();
      props(copy);
      i++; // the item list
      const length = next() as number;
      const flow = next() as boolean | undefined;
      if (flow !== undefined) copy.flow = flow;
      for (let k = 0; k < length; k++) {
        if (isMap(copy)) {
          i++; // the pair
          const key = node();
          copy.items.push(new Pair(key, node()));
        } else {
          copy.items.push(node());
        }
      }
      return copy;
    }
    return original;
  };
  const doc = new Document();
  i++; // the document comments entry
  const dc = next() as string | undefined;
  if (dc !== undefined) setDocumentComments(doc, JSON.parse(dc) as DocumentComments);
  doc.contents = node() as Document['contents'];
  return doc;
}
