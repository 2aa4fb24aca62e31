/**
 * Comments in the model kpt's YAML library (go-yaml v3) uses: a *head* comment above an item, a *line*
 * comment at the end of a line, a *foot* comment after an item. The `yaml` package attaches comments
 * differently, so parsed documents get their comments re-attributed here, from the source text, with
 * the same splitting rules go-yaml's scanner applies (which own-line comments belong to the content
 * above, which to the content below). The attribution is kept beside the nodes (a WeakMap), so the
 * `yaml` nodes' own `comment`/`commentBefore` fields are left as the `yaml` package set them.
 */
import { CST, Lexer, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, Node, Pair, YAMLMap, YAMLSeq } from 'yaml';
import { lineIndex, type LineIndex } from './line-index.js';

/**
 * Comments of one item or node. Comment strings are whole comments starting with `#`; in `head` and
 * `foot` an empty string is a blank line inside the comment block.
 *
 * - On the key node of a pair: `head`, `foot` of the pair and `keyLine` (after `key:` when the value
 *   starts on a later line).
 * - On a sequence item node: `head`, `foot` of the item and `keyLine` (after `-` when the item is a
 *   block collection).
 * - On a scalar, alias or flow collection: `line`.
 */
export interface NodeComments {
  head?: string[];
  line?: string;
  keyLine?: string;
  foot?: string[];
}

/** Comments of a document: `head` is printed before the content and followed by a blank line. */
export interface DocumentComments {
  head?: string[];
  foot?: string[];
}

const nodeComments = new WeakMap<object, NodeComments>();
const documentComments = new WeakMap<object, DocumentComments>();

export function getComments(node: object): NodeComments | undefined {
  return nodeComments.get(node);
}

/** Replaces the comments of a node (pass `{}` to remove them). */
export function setComments(node: object, comments: NodeComments): void {
  nodeComments.set(node, comments);
}

export function getDocumentComments(doc: Document): DocumentComments | undefined {
  return documentComments.get(doc);
}

export function setDocumentComments(doc: Document, comments: DocumentComments): void {
  documentComments.set(doc, comments);
}

function commentsFor(node: object): NodeComments {
  let c = nodeComments.get(node);
  if (!c) {
    c = {};
    nodeComments.set(node, c);
  }
  return c;
}

/** An item of a block collection: a pair (owner = key node) or a sequence entry (owner = item node). */
interface Item {
  owner: object;
  block: YAMLMap | YAMLSeq;
  indent: number;
  start: number;
  parent: Item | undefined;
}

/** A piece of content in document order: where it is, whom a trailing comment belongs to. */
interface Content {
  start: number;
  end: number;
  item: Item | undefined;
  target: object;
  field: 'line' | 'keyLine';
  /** Ends with `key:` / `-` whose value starts on a later line. */
  valueToken: boolean;
}

interface CommentToken {
  offset: number;
  text: string;
  line: number;
  col: number;
  ownLine: boolean;
}

const CONTROL_TOKENS = new Set(['\x02', '\x18', '\x1f']);

/**
 * The lexical tokens of a text that comment attribution needs, collected while the text is lexed
 * (once, for the parser too): comments, block sequence dashes, and whether an alias occurs.
 */
export class SourceTokens {
  readonly comments: CommentToken[] = [];
  readonly dashes: number[] = [];
  /** An alias token was seen (the document may expand aliases). */
  aliases = false;
  private offset = 0;
  private lines: LineIndex | undefined;

  constructor(private readonly src: string) {}

  /** Records one lexeme of the `yaml` Lexer, in order. */
  add(token: string): void {
    if (CONTROL_TOKENS.has(token)) return;
    const offset = this.offset;
    this.offset += token.length;
    const c = token.charCodeAt(0);
    if (c === 0x23 /* # */ && CST.tokenType(token) === 'comment') {
      const lines = (this.lines ??= lineIndex(this.src));
      const { line, col } = lines.position(offset);
      const before = this.src.slice(lines.lineStart(line), offset);
      this.comments.push({ offset, text: token.trimEnd(), line, col, ownLine: before.trim() === '' });
    } else if (c === 0x2d /* - */ && token.length === 1) {
      this.dashes.push(offset);
    } else if (c === 0x2a /* * */ && CST.tokenType(token) === 'alias') {
      this.aliases = true;
    }
  }

  lineIndex(): LineIndex {
    return (this.lines ??= lineIndex(this.src));
  }
}

function scanTokens(src: string): SourceTokens {
  const tokens = new SourceTokens(src);
  for (const token of new Lexer().lex(src)) tokens.add(token);
  return tokens;
}

function isBlock(node: unknown): node is YAMLMap | YAMLSeq {
  return (isMap(node) || isSeq(node)) && !node.flow && node.items.length > 0;
}

function collect(doc: Document, lines: LineIndex, dashes: number[]): Content[] {
  const contents: Content[] = [];
  const lastDashBefore = (offset: number): number => {
    let lo = 0;
    let hi = dashes.length - 1;
    let found = offset;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = dashes[mid] ?? 0;
      if (d < offset) {
        found = d;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  const leaf = (node: Node, item: Item | undefined): void => {
    const range = node.range ?? [0, 0, 0];
    // An empty value has no token of its own: go-yaml's last token there is the `:` indicator.
    const empty = isScalar(node) && node.source === '' && range[0] === range[1];
    contents.push({ start: range[0], end: range[1], item, target: node, field: 'line', valueToken: empty });
  };
  const walk = (node: unknown, item: Item | undefined): void => {
    if (isMap(node) && isBlock(node)) {
      const first = node.items[0]?.key as Node | undefined;
      const indent = lines.position(first?.range?.[0] ?? 0).col;
      for (const pair of node.items as Pair<Node, Node | null>[]) {
        const key = pair.key;
        const keyRange = key.range ?? [0, 0, 0];
        const own: Item = { owner: key, block: node, indent, start: keyRange[0], parent: item };
        const value = pair.value;
        const keyOnly = value === null || isBlock(value);
        contents.push({
          start: keyRange[0],
          end: keyRange[1],
          item: own,
          target: key,
          field: 'keyLine',
          valueToken: keyOnly,
        });
        if (value === null) continue;
        if (isBlock(value)) walk(value, own);
        else leaf(value, own);
      }
    } else if (isSeq(node) && isBlock(node)) {
      const firstStart = lastDashBefore((node.items[0] as Node | undefined)?.range?.[0] ?? 0);
      const indent = lines.position(firstStart).col;
      for (const entry of node.items as Node[]) {
        const start = lastDashBefore(entry.range?.[0] ?? 0);
        const own: Item = { owner: entry, block: node, indent, start, parent: item };
        if (isBlock(entry)) {
          contents.push({
            start,
            end: start + 1,
            item: own,
            target: entry,
            field: 'keyLine',
            valueToken: true,
          });
          walk(entry, own);
        } else {
          leaf(entry, own);
        }
      }
    } else if (isScalar(node) || isAlias(node) || isMap(node) || isSeq(node)) {
      leaf(node, item);
    }
  };
  walk(doc.contents, undefined);
  contents.sort((a, b) => a.start - b.start || a.end - b.end);
  return contents;
}

/** Attributes the comments of `src` (the text `doc` was parsed from) in go-yaml's model. */
export function attributeComments(doc: Document, src: string, tokens: SourceTokens = scanTokens(src)): void {
  const lines = tokens.lineIndex();
  const { comments, dashes } = tokens;
  const docComments: DocumentComments = {};
  documentComments.set(doc, docComments);
  // Nodes without comments get no entry (getComments answers undefined, read as none).
  if (comments.length === 0) return;
  const contents = collect(doc, lines, dashes);
  let ci = 0; // first content starting after the current comment
  let i = 0;
  while (i < comments.length) {
    const comment = comments[i] as CommentToken;
    while (ci < contents.length && (contents[ci] as Content).start < comment.offset) ci++;
    const previous = contents[ci - 1];
    if (!comment.ownLine) {
      attachLineComment(comment, contents, ci, lines);
      i++;
      continue;
    }
    // A run of own-line comments between two pieces of content.
    const run: CommentToken[] = [];
    while (i < comments.length) {
      const next = comments[i] as CommentToken;
      const nextContent = contents[ci];
      if (!next.ownLine || (nextContent && nextContent.start < next.offset)) break;
      run.push(next);
      i++;
    }
    attachRun(run, previous, contents[ci], lastLineOf(src, lines, previous), lines, docComments);
  }
}

function attachLineComment(comment: CommentToken, contents: Content[], ci: number, lines: LineIndex): void {
  // The last content that starts before the comment on the same line.
  for (let k = ci - 1; k >= 0; k--) {
    const c = contents[k] as Content;
    if (lines.position(c.start).line !== comment.line) break;
    const target = commentsFor(c.target);
    if (c.field === 'keyLine') target.keyLine = comment.text;
    else target.line = comment.text;
    return;
  }
  // Nothing before it on its line (e.g. inside a multi-line flow collection): keep it on the content
  // that ends on that line or before, so it is not lost.
  const before = contents[ci - 1];
  if (before) {
    const target = commentsFor(before.target);
    if (before.field === 'line' && target.line === undefined) target.line = comment.text;
  }
}

interface Foot {
  lines: string[];
  column: number;
  fromPrevious: boolean;
}

function trimBlank(lines: string[]): string[] {
  const out = [...lines];
  while (out.length > 0 && out[0] === '') out.shift();
  while (out.length > 0 && out.at(-1) === '') out.pop();
  return out;
}

/** The line where `content` ends (trailing line breaks of block scalars do not count). */
function lastLineOf(src: string, lines: LineIndex, content: Content | undefined): number {
  if (!content) return -1;
  let end = content.end;
  while (end > content.start && /\s/.test(src[end - 1] ?? '')) end--;
  return lines.position(end > content.start ? end - 1 : content.start).line;
}

function attachRun(
  run: CommentToken[],
  previous: Content | undefined,
  next: Content | undefined,
  prevLine: number,
  lines: LineIndex,
  docComments: DocumentComments,
): void {
  const nextIndent = previous?.item?.indent ?? 0;
  const footLine = previous ? prevLine + 1 : -1;
  const valueToken = previous?.valueToken ?? false;
  let firstEmpty = (run[0]?.line ?? 0) <= prevLine + 1;
  let recentEmpty = false;
  let text: string[] = [];
  let startCol = -1;
  let startLine = -1;
  let fromPrevious = true;
  let lastLine = prevLine;
  const feet: Foot[] = [];
  const cut = (): void => {
    feet.push({ lines: text, column: startCol, fromPrevious });
    fromPrevious = false;
    text = [];
  };
  const blankLine = (): void => {
    if (text.length > 0 && !recentEmpty) {
      if (firstEmpty && ((startLine === footLine && !valueToken) || startCol < nextIndent)) {
        if (startCol < nextIndent) fromPrevious = false;
        cut();
      } else {
        text.push('');
      }
    }
    firstEmpty = false;
    recentEmpty = true;
  };
  for (const comment of run) {
    if (comment.line > lastLine + 1) blankLine();
    if (text.length > 0 && comment.col < nextIndent && comment.col !== startCol) cut();
    if (text.length === 0) {
      startCol = comment.col;
      startLine = comment.line;
    }
    text.push(comment.text);
    recentEmpty = false;
    lastLine = comment.line;
  }
  if (next) {
    const nextPos = lines.position(next.start);
    if (nextPos.line > lastLine + 1) blankLine();
    if (text.length > 0 && nextPos.col < nextIndent && nextPos.col !== startCol) cut();
  } else if (text.length > 0 && !recentEmpty) {
    if (firstEmpty && ((startLine === footLine && !valueToken) || startCol < nextIndent)) cut();
  }
  for (const foot of feet) attachFoot(foot, previous, next, docComments);
  const head = text;
  if (!next) {
    const rest = trimBlank(head);
    if (rest.length > 0) docComments.foot = [...(docComments.foot ?? []), ...rest];
    return;
  }
  if (!previous) {
    // Comments before the first content: up to the last blank line they belong to the document.
    const lastBlank = head.lastIndexOf('');
    if (lastBlank >= 0) {
      const docHead = trimBlank(head.slice(0, lastBlank));
      if (docHead.length > 0) docComments.head = docHead;
    }
    addHead(next, trimBlank(head.slice(lastBlank + 1)));
    return;
  }
  addHead(next, trimBlank(head));
}

function addHead(next: Content, head: string[]): void {
  if (head.length === 0) return;
  const owner =
    next.item && next.item.start === next.start ? next.item.owner : (next.item?.owner ?? next.target);
  const c = commentsFor(owner);
  c.head = [...(c.head ?? []), ...head];
}

function attachFoot(
  foot: Foot,
  previous: Content | undefined,
  next: Content | undefined,
  docComments: DocumentComments,
): void {
  const footLines = trimBlank(foot.lines);
  if (footLines.length === 0) return;
  let target: Item | undefined;
  if (foot.fromPrevious) {
    target = previous?.item;
  } else if (next?.item) {
    const block = next.item.block;
    for (let it = previous?.item; it; it = it.parent) {
      if (it.block === block) {
        target = it;
        break;
      }
    }
  }
  if (!target && !foot.fromPrevious) {
    for (let it = previous?.item; it; it = it.parent) {
      if (it.indent <= foot.column) {
        target = it;
        break;
      }
    }
  }
  if (!target) {
    docComments.foot = [...(docComments.foot ?? []), ...footLines];
    return;
  }
  const c = commentsFor(target.owner);
  c.foot = [...(c.foot ?? []), ...footLines];
}
