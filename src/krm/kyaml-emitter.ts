/**
 * Writes a `yaml` Document the way kpt writes resources (kyaml over go-yaml v3, indentation 2,
 * unlimited line width): block mappings, block sequences in "compact" (`-` under the key) or "wide"
 * (`-` indented) style, flow collections on one line without padding, scalars in their original style
 * unless the emitter's rules forbid it, comments in go-yaml's head/line/foot model, no blank lines
 * except after a document head comment and after a foot comment that is followed by a line at the
 * same indentation.
 */
import {
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  Pair as YamlPair,
  Scalar as YamlScalar,
  YAMLMap as YamlMap,
  YAMLSeq as YamlSeq,
} from 'yaml';
import type { Document, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { getComments, getDocumentComments, type NodeComments } from './kyaml-comments.js';
import {
  blockHeader,
  doubleQuoted,
  foldedBody,
  literalBody,
  selectScalarStyle,
  singleQuoted,
  type ScalarStyle,
} from './kyaml-scalar.js';
import { marshalStyle, resolvesToNonString } from './kyaml-resolve.js';
import { currentSource } from './scalar-source.js';

export type SeqIndent = 'compact' | 'wide';

const YAML_TAG_PREFIX = 'tag:yaml.org,2002:';

/**
 * Values set through the `yaml` API without nodes (`map.set('k', 'v')`) are plain JavaScript values;
 * they are written as go-yaml marshals them.
 */
function asNode(value: unknown): unknown {
  if (value === undefined || isNode(value) || isPair(value)) return value;
  if (Array.isArray(value)) {
    const seq = new YamlSeq();
    seq.items = value.map(asNode);
    return seq;
  }
  if (value !== null && typeof value === 'object') {
    const map = new YamlMap();
    for (const [k, v] of Object.entries(value)) map.items.push(new YamlPair(new YamlScalar(k), asNode(v)));
    return map;
  }
  return new YamlScalar(value);
}

class Out {
  readonly lines: string[] = [];
  private footIndent = -1;

  line(indent: number, text: string): void {
    if (this.footIndent === indent) this.lines.push('');
    this.footIndent = -1;
    this.lines.push(' '.repeat(indent) + text);
  }

  append(text: string): void {
    const last = this.lines.length - 1;
    this.lines[last] = (this.lines[last] ?? '') + text;
  }

  raw(text: string): void {
    this.footIndent = -1;
    this.lines.push(text);
  }

  comments(indent: number, lines: readonly string[] | undefined): void {
    if (!lines) return;
    for (const l of lines) {
      if (l === '') this.raw('');
      else this.line(indent, l);
    }
  }

  foot(indent: number, lines: readonly string[] | undefined): void {
    if (!lines || lines.length === 0) return;
    this.comments(indent, lines);
    this.footIndent = indent;
  }
}

function isBlockCollection(node: unknown): node is YAMLMap | YAMLSeq {
  return (isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0;
}

function tagText(tag: string): string {
  if (tag.startsWith(YAML_TAG_PREFIX)) return `!!${tag.slice(YAML_TAG_PREFIX.length)}`;
  if (tag.startsWith('!')) return tag;
  return `!<${tag}>`;
}

/** Anchor and tag of a node, as written before its value (`&a !!str`), or ''. */
function props(node: unknown): string {
  if (!node || typeof node !== 'object' || isAlias(node) || isPair(node)) return '';
  const n = node as { anchor?: string; tag?: string };
  const parts: string[] = [];
  if (n.anchor) parts.push(`&${n.anchor}`);
  if (n.tag) parts.push(tagText(n.tag));
  return parts.join(' ');
}

function withProps(node: unknown, text: string): string {
  const p = props(node);
  if (!p) return text;
  return text === '' ? p : `${p} ${text}`;
}

const STYLE_OF_TYPE: Record<Scalar.Type, ScalarStyle> = {
  PLAIN: 'plain',
  QUOTE_SINGLE: 'single',
  QUOTE_DOUBLE: 'double',
  BLOCK_LITERAL: 'literal',
  BLOCK_FOLDED: 'folded',
};

/** The string a scalar is written from, and the style asked for. */
function scalarSource(node: Scalar): { value: string; style: ScalarStyle } {
  const source = currentSource(node);
  if (source !== undefined) {
    const style = node.type ? STYLE_OF_TYPE[node.type] : 'plain';
    // A plain value with line breaks cannot stay plain: go-yaml writes it literal.
    if (style === 'plain' && source.includes('\n')) return { value: source, style: 'literal' };
    return { value: source, style };
  }
  const v: unknown = node.value;
  if (v === null || v === undefined) return { value: 'null', style: 'plain' };
  if (typeof v === 'string') {
    let style = node.type ? STYLE_OF_TYPE[node.type] : marshalStyle(v);
    // An edited plain value that would read back as another type is quoted (go-yaml does so).
    if (node.type && style === 'plain' && resolvesToNonString(v)) style = 'double';
    return { value: v, style: style === 'plain' && v.includes('\n') ? 'literal' : style };
  }
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
    return { value: String(v), style: 'plain' };
  }
  return { value: JSON.stringify(v), style: 'double' };
}

interface ScalarText {
  inline: string;
  /** Lines after the header, for block scalars. */
  body?: string[];
}

function scalarText(node: Scalar, flow: boolean, simpleKey: boolean, bodyIndent: number): ScalarText {
  const { value, style: requested } = scalarSource(node);
  const style = selectScalarStyle(value, requested, { flow, simpleKey });
  const pad = ' '.repeat(bodyIndent);
  switch (style) {
    case 'plain':
      return { inline: value };
    case 'single':
      return { inline: singleQuoted(value, pad) };
    case 'double':
      return { inline: doubleQuoted(value) };
    case 'literal':
      return { inline: blockHeader(value, 'literal'), body: literalBody(value, pad) };
    case 'folded':
      return { inline: blockHeader(value, 'folded'), body: foldedBody(value, pad) };
  }
}

/** One-line rendering of a node inside a flow collection (or as a flow value). */
function flowText(raw: unknown): string {
  const node = asNode(raw);
  if (node === null || node === undefined) return '';
  if (isAlias(node)) return `*${node.source}`;
  if (isScalar(node)) return withProps(node, scalarText(node, true, false, 0).inline);
  if (isMap(node)) {
    const parts = node.items.map((pair) => {
      const key = flowKey(asNode(pair.key));
      const value = asNode(pair.value);
      if (value === null || value === undefined) return key;
      return `${key}: ${flowText(value)}`;
    });
    return withProps(node, `{${parts.join(', ')}}`);
  }
  if (isSeq(node)) {
    return withProps(node, `[${node.items.map((item) => flowText(item)).join(', ')}]`);
  }
  if (isPair(node)) return `${flowKey(node.key)}: ${flowText(node.value)}`;
  return JSON.stringify(node);
}

function flowKey(key: unknown): string {
  if (isScalar(key)) return withProps(key, scalarText(key, true, true, 0).inline);
  return flowText(key);
}

function blockKey(key: unknown): string {
  if (isScalar(key)) return withProps(key, scalarText(key, false, true, 0).inline);
  if (isAlias(key)) return `*${key.source}`;
  return `? ${flowText(key)}\n`;
}

function comments(node: unknown): NodeComments {
  return (node && typeof node === 'object' ? getComments(node) : undefined) ?? {};
}

class Emitter {
  readonly out = new Out();

  constructor(private readonly seqIndent: SeqIndent) {}

  /** Writes a value after `key:` or `-` on the current line, and what follows on the next lines. */
  private value(node: unknown, indent: number, lineComment: string | undefined): void {
    if (isBlockCollection(node)) {
      const p = props(node);
      if (p) this.out.append(` ${p}`);
      if (lineComment) this.out.append(` ${lineComment}`);
      if (isMap(node)) this.blockMap(node, indent + 2, false);
      else this.blockSeq(node, this.seqIndent === 'compact' ? indent : indent + 2, false);
      return;
    }
    this.inlineValue(node, indent + 2, lineComment);
  }

  /**
   * A scalar, alias or flow collection after `key:` / `-`, with its block-scalar body if any. A
   * comment on the key line moves behind a scalar that has none of its own (go-yaml does the same);
   * behind an alias or a flow collection it is lost, as in go-yaml.
   */
  private inlineValue(node: unknown, bodyIndent: number, keyComment: string | undefined): void {
    const c = comments(node);
    if (isScalar(node)) {
      const comment = c.line ?? keyComment;
      const text = scalarText(node, false, false, bodyIndent);
      const inline = withProps(node, text.inline);
      if (inline !== '') this.out.append(` ${inline}`);
      if (comment) this.out.append(` ${comment}`);
      if (text.body) for (const l of text.body) this.out.raw(l);
      return;
    }
    const text = node === null || node === undefined ? '' : flowText(node);
    if (text !== '') this.out.append(` ${text}`);
    if (c.line) this.out.append(` ${c.line}`);
    else if (keyComment && text === '') this.out.append(` ${keyComment}`);
  }

  /** `skipFirstHead`: the first key's head comment was already written (after a dash). */
  blockMap(map: YAMLMap, indent: number, firstInline: boolean, skipFirstHead = false): void {
    map.items.forEach((raw: Pair, i) => {
      const pair = { key: asNode(raw.key), value: asNode(raw.value) };
      const kc = comments(pair.key);
      const key = `${blockKey(pair.key)}:`;
      if (i === 0 && firstInline) this.out.append(key);
      else {
        if (!(i === 0 && skipFirstHead)) this.out.comments(indent, kc.head);
        this.out.line(indent, key);
      }
      if (isBlockCollection(pair.value)) {
        this.value(pair.value, indent, kc.keyLine);
      } else {
        this.inlineValue(pair.value, indent + 2, kc.keyLine);
      }
      this.out.foot(indent, kc.foot);
    });
  }

  blockSeq(seq: YAMLSeq, indent: number, firstInline: boolean): void {
    seq.items.forEach((rawItem, i) => {
      const item = asNode(rawItem);
      const ic = comments(item);
      if (i === 0 && firstInline) this.out.append('-');
      else {
        this.out.comments(indent, ic.head);
        this.out.line(indent, '-');
      }
      if (isBlockCollection(item)) {
        const p = props(item);
        // go-yaml writes the head comment of an item mapping's first key right after the dash.
        const firstHead = isMap(item) ? comments(item.items[0]?.key).head : undefined;
        if (p || ic.keyLine || (firstHead && firstHead.length > 0)) {
          if (p) this.out.append(` ${p}`);
          if (ic.keyLine) this.out.append(` ${ic.keyLine}`);
          else if (firstHead && firstHead.length > 0 && !p) {
            this.out.append(` ${firstHead[0] ?? ''}`);
            this.out.comments(indent + 2, firstHead.slice(1));
          }
          if (isMap(item)) this.blockMap(item, indent + 2, false, !p && !ic.keyLine);
          else this.blockSeq(item, indent + 2, false);
        } else {
          this.out.append(' ');
          if (isMap(item)) this.blockMap(item, indent + 2, true);
          else this.blockSeq(item, indent + 2, true);
        }
      } else {
        this.inlineValue(item, indent + 2, undefined);
      }
      this.out.foot(indent, ic.foot);
    });
  }

  root(raw: unknown): void {
    const node = asNode(raw);
    if (isMap(node) && isBlockCollection(node)) {
      const p = props(node);
      if (p) this.out.line(0, p);
      this.blockMap(node, 0, false);
    } else if (isSeq(node) && isBlockCollection(node)) {
      const p = props(node);
      if (p) this.out.line(0, p);
      this.blockSeq(node, 0, false);
    } else if (node !== null && node !== undefined) {
      this.out.line(0, '');
      const first = this.out.lines.length - 1;
      this.inlineValue(node, 2, undefined);
      this.out.lines[first] = (this.out.lines[first] ?? '').replace(/^ /, '');
    }
  }
}

/** Serializes one document in kpt's format; the result ends with a newline. */
export function emitDocument(doc: Document, seqIndent: SeqIndent): string {
  const emitter = new Emitter(seqIndent);
  const dc = getDocumentComments(doc);
  if (dc?.head && dc.head.length > 0) {
    emitter.out.comments(0, dc.head);
    emitter.out.raw('');
  }
  emitter.root(doc.contents);
  emitter.out.foot(0, dc?.foot);
  return `${emitter.out.lines.join('\n')}\n`;
}
