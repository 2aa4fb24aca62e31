/**
 * A flat record of everything the kyaml emitter reads from a parsed document (node identities,
 * scalar values, types, source texts, tags, anchors, flow flags, item lists and comments), taken
 * right after parsing. While a document still matches its snapshot, its kpt rendering is the one of
 * the text it was parsed from, so a writer can keep the original bytes without rendering twice.
 * A mismatch only means "maybe changed": the caller then compares renderings.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document } from 'yaml';
import { getComments, getDocumentComments } from './kyaml-comments.js';

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
  if (isPair(node))
    return sink(node.key) && sink(node.value) && walk(node.key, sink) && walk(node.value, sink);
  const n = node as { tag?: string; anchor?: string };
  if (!sink(n.tag) || !sink(n.anchor) || !comments(node, sink)) return false;
  if (isScalar(node)) return sink(node.value) && sink(node.type) && sink(node.source);
  if (isAlias(node)) return sink(node.source);
  if (isMap(node)) {
    const items = node.items;
    if (!sink(items) || !sink(items.length) || !sink(node.flow)) return false;
    for (const pair of items) {
      if (!sink(pair) || !sink(pair.key) || !sink(pair.value)) return false;
      if (!walk(pair.key, sink) || !walk(pair.value, sink)) return false;
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
