/**
 * The resource walk of the setter-style catalog functions (apply-setters, create-setters,
 * search-replace): every mapping is offered to `mapping` before its fields are walked, every scalar
 * to `scalar`, with the field path (`.spec.containers[0].image`). Plus the kyaml edits they make on
 * the nodes: a scalar's value changed in place with its style kept and its tag cleared, and line
 * comments (go-yaml writes a comment without `#` as `# comment`).
 */
import { Document, isMap, isScalar, isSeq, Scalar } from 'yaml';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { emitDocument, getComments, setComments } from '../../krm/index.js';
import { keyOf } from './kube-object.js';

export interface WalkVisitor {
  mapping?(map: YAMLMap, path: string): void;
  scalar?(node: Scalar, path: string): void;
}

export function walkNode(node: unknown, visitor: WalkVisitor, path = ''): void {
  if (isMap(node)) {
    visitor.mapping?.(node, path);
    for (const pair of node.items) walkNode(pair.value, visitor, `${path}.${keyOf(pair) ?? ''}`);
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => walkNode(item, visitor, `${path}[${i}]`));
  } else if (isScalar(node)) {
    visitor.scalar?.(node, path);
  }
}

/**
 * Sets a scalar's text the way kyaml does with `node.Value = v; node.Tag = ""`: the style stays, and
 * because the tag is gone a plain value is written plain even when it reads as a number.
 */
export function setScalarText(node: Scalar, text: string): void {
  node.value = text;
  node.source = text;
  delete node.tag;
}

/** A new untagged plain scalar (kyaml's `NewScalarRNode` with the tag cleared). */
export function rawScalar(text: string): Scalar<string> {
  const node = new Scalar(text);
  node.source = text;
  node.type = Scalar.PLAIN;
  return node;
}

export function withHash(comment: string): string {
  return comment.startsWith('#') ? comment : `# ${comment}`;
}

/** A line comment without its `# ` (as go-yaml's `LineComment` holds it after parsing: with `#`). */
export function lineComment(node: object): string {
  return getComments(node)?.line ?? '';
}

export function setLineComment(node: object, comment: string): void {
  const c = { ...(getComments(node) ?? {}) };
  if (comment === '') delete c.line;
  else c.line = withHash(comment);
  setComments(node, c);
}

/** The comment after `key:` of a pair whose value starts on the next line. */
export function keyLineComment(pair: Pair): string {
  const key = pair.key;
  return key && typeof key === 'object' ? (getComments(key)?.keyLine ?? '') : '';
}

export function setKeyLineComment(pair: Pair, comment: string): void {
  const key = pair.key as object;
  const c = { ...(getComments(key) ?? {}) };
  if (comment === '') delete c.keyLine;
  else c.keyLine = withHash(comment);
  setComments(key, c);
}

/**
 * The comment go-yaml attaches to the key of a sequence-valued field: for a block sequence it is
 * the comment after `key:`, for a flow sequence the one after the `[...]` (on the value).
 */
export function sequenceFieldComment(pair: Pair, seq: YAMLSeq): string {
  return seq.flow ? lineComment(seq) : keyLineComment(pair);
}

/** kyaml's `yaml.String(node)` of a value node, trimmed (comments included). */
export function nodeText(node: Node): string {
  const doc = new Document();
  doc.contents = node;
  return emitDocument(doc, 'compact').trim();
}
