/**
 * One YAML file of a package as a list of documents, split the way kpt splits files (a line starting
 * with `---` separates documents; comment-only and empty documents are not resources), each document
 * parsed with the `yaml` package so comments, key order and quoting survive. A file serializes back
 * byte for byte while its documents are unchanged; changed documents are written in kpt's format.
 */
import { Composer, isAlias, isScalar, Lexer, parseDocument, visit, type CST, type Document } from 'yaml';
import { BadRequestError, fieldError } from '../apimachinery/index.js';
import { matchesSnapshot, replaySnapshot, takeSnapshot, type DocumentSnapshot } from './document-snapshot.js';
import { attributeComments, SourceTokens } from './kyaml-comments.js';
import { emitDocument, type SeqIndent } from './kyaml-emitter.js';
import { resourcesField } from './package-files.js';
import { LadingParser } from './yaml-parser.js';

/** Limits applied while parsing; defaults suit packages of up to Porch's 6 MiB body limit. */
export interface YamlLimits {
  /** Largest document, in UTF-16 code units of its text. */
  maxDocumentLength?: number;
  /** Most alias dereferences allowed when a document is converted to plain data. */
  maxAliasCount?: number;
}

export const DEFAULT_MAX_DOCUMENT_LENGTH = 6 * 1024 * 1024;
export const DEFAULT_MAX_ALIAS_COUNT = 100;

export interface YamlDocument {
  readonly doc: Document;
  /** Text the document was parsed from (a document before a separator gets its line break back). */
  readonly source: string;
  /** List indentation kpt derives from the document (first block sequence under a key). */
  readonly seqIndent: SeqIndent;
}

interface Chunk {
  /** The separator line(s) before this chunk, including line breaks (empty for the first chunk). */
  separator: string;
  text: string;
  document: YamlDocument | undefined;
}

export interface YamlFile {
  readonly path: string;
  readonly text: string;
  /** Non-empty documents in file order; the position is kpt's `index` annotation. */
  readonly documents: YamlDocument[];
  /** @internal the original layout, for byte-identical output */
  readonly chunks: readonly Chunk[];
}

const SEPARATOR = /\n---.*\n/g;

/**
 * Splits like kpt's byte reader: on `\n---<rest>\n` where `<rest>` is blank or a comment; anything
 * else after `---` is an error. Windows line breaks are not rewritten here (kpt rewrites them when it
 * reformats a file).
 */
function splitChunks(path: string, text: string): { separator: string; text: string }[] {
  const chunks: { separator: string; text: string }[] = [];
  let prev = 0;
  let separator = '';
  for (const match of text.matchAll(SEPARATOR)) {
    const rest = match[0].slice(4).trim();
    if (rest !== '' && !rest.startsWith('#')) {
      throw new BadRequestError(`${path}: invalid document separator: ${match[0].trim()}`, {
        causes: [fieldError.invalid(resourcesField(path), match[0].trim(), 'invalid document separator')],
      });
    }
    chunks.push({ separator, text: text.slice(prev, match.index) });
    separator = match[0];
    prev = match.index + match[0].length;
  }
  chunks.push({ separator, text: text.slice(prev) });
  return chunks;
}

/** kyaml's rule: the first list item decides, compared with the key line above it. */
export function deriveSeqIndent(text: string): SeqIndent {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const dash = line.indexOf('- ');
    if (dash < 0 || line.slice(0, dash).trim() !== '') continue;
    let keyLine: string | undefined;
    for (let k = i - 1; k >= 0; k--) {
      const candidate = lines[k] ?? '';
      if (candidate.trim().startsWith('#')) continue;
      keyLine = candidate.split('#')[0] ?? '';
      break;
    }
    if (keyLine === undefined || keyLine === '') continue;
    const trimmed = keyLine.trim();
    if ((trimmed.match(/:/g) ?? []).length !== 1 || !trimmed.endsWith(':')) continue;
    const keyIndent = keyLine.length - keyLine.trimStart().length;
    if (dash === keyIndent) return 'compact';
    if (dash - keyIndent === 2) return 'wide';
  }
  return 'compact';
}

function parseError(path: string, message: string): BadRequestError {
  return new BadRequestError(`${path}: invalid YAML: ${message}`, {
    causes: [
      { reason: 'FieldValueInvalid', field: resourcesField(path), message: `invalid YAML: ${message}` },
    ],
  });
}

const PARSE_OPTIONS = { version: '1.2', prettyErrors: true, strict: true, uniqueKeys: true } as const;

/**
 * `parseDocument(text, PARSE_OPTIONS)` with the text lexed once for both the parser and `tokens`.
 * Returns undefined when the text has errors, warnings or more than one document: those are left
 * to `parseDocument` itself, whose messages carry line and column.
 */
function composeDocument(text: string, tokens: SourceTokens): Document | undefined {
  const parser = new LadingParser();
  const composer = new Composer(PARSE_OPTIONS);
  function* cst(): Generator<CST.Token> {
    for (const lexeme of new Lexer().lex(text)) {
      tokens.add(lexeme);
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  let doc: Document | undefined;
  for (const next of composer.compose(cst(), true, text.length)) {
    if (doc) return undefined;
    doc = next;
  }
  if (!doc || doc.errors.length > 0 || doc.warnings.length > 0) return undefined;
  return doc;
}

/** Parses one document's text with Lading's settings; throws a BadRequestError naming the file. */
export function parseYamlDocument(path: string, text: string, limits: YamlLimits = {}): Document {
  const maxLength = limits.maxDocumentLength ?? DEFAULT_MAX_DOCUMENT_LENGTH;
  if (text.length > maxLength) {
    throw new BadRequestError(`${path}: YAML document is larger than ${maxLength} characters`, {
      causes: [fieldError.tooLong(resourcesField(path), maxLength)],
    });
  }
  let tokens = new SourceTokens(text);
  let doc = composeDocument(text, tokens);
  if (!doc) {
    doc = parseDocument(text, PARSE_OPTIONS);
    const first = doc.errors[0];
    if (first) throw parseError(path, first.message.split('\n')[0] ?? first.message);
    // Only warnings: the document stands; lex it again for the comments.
    tokens = new SourceTokens(text);
    for (const lexeme of new Lexer().lex(text)) tokens.add(lexeme);
  }
  if (tokens.aliases) {
    let aliases = 0;
    visit(doc, {
      Alias() {
        aliases++;
      },
    });
    if (aliases > 0) {
      try {
        doc.toJS({ maxAliasCount: limits.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT });
      } catch (err) {
        throw new BadRequestError(
          `${path}: YAML aliases expand too much (more than ${limits.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT} dereferences); the document is refused`,
          {
            causes: [fieldError.invalid(resourcesField(path), '<aliases>', 'excessive aliasing')],
            cause: err,
          },
        );
      }
    }
  }
  if (!text.endsWith('\n')) dropFinalBreakAtEnd(doc, text.length);
  attributeComments(doc, text, tokens);
  return doc;
}

/**
 * A block scalar that ends the text without a final line break has no trailing newline in go-yaml
 * (the `yaml` package adds one); kpt then writes it with `|-`. Matching that keeps rewritten files
 * identical to kpt's.
 */
function dropFinalBreakAtEnd(doc: Document, end: number): void {
  visit(doc, {
    Scalar(_key, node) {
      const blockType = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      if (
        blockType &&
        node.range?.[1] === end &&
        typeof node.source === 'string' &&
        node.source.endsWith('\n')
      ) {
        node.source = node.source.slice(0, -1);
        if (typeof node.value === 'string') node.value = node.value.slice(0, -1);
      }
    },
  });
}

/** True for a document that holds nothing (empty, comments only, or an explicit null). */
function isEmptyDocument(doc: Document): boolean {
  const c = doc.contents;
  if (c === null) return true;
  return isScalar(c) && c.value === null && !c.tag && !isAlias(c);
}

export function parseYamlFile(path: string, text: string, limits: YamlLimits = {}): YamlFile {
  const chunks: Chunk[] = [];
  const documents: YamlDocument[] = [];
  const split = splitChunks(path, text);
  for (const [i, chunk] of split.entries()) {
    // The separator took the line break that ends a document; kpt's reader puts it back.
    const source = i < split.length - 1 ? `${chunk.text}\n` : chunk.text;
    const doc = parseYamlDocument(path, source, limits);
    if (isEmptyDocument(doc)) {
      chunks.push({ ...chunk, document: undefined });
      continue;
    }
    const document: YamlDocument = { doc, source, seqIndent: deriveSeqIndent(source) };
    snapshots.set(document, takeSnapshot(doc));
    documents.push(document);
    chunks.push({ ...chunk, document });
  }
  return { path, text, documents, chunks };
}

/** Creates a document for a new resource (written in kpt's format). */
export function newYamlDocument(doc: Document, seqIndent: SeqIndent = 'compact'): YamlDocument {
  return { doc, source: '', seqIndent };
}

const baselines = new WeakMap<YamlDocument, string>();
/** What the emitter read from each parsed document right after parsing. */
const snapshots = new WeakMap<YamlDocument, DocumentSnapshot>();

/** kpt-format text of the document as it was parsed. */
function baseline(path: string, d: YamlDocument): string {
  let text = baselines.get(d);
  if (text === undefined) {
    const snapshot = snapshots.get(d);
    if (d.source === '') text = '';
    else if (snapshot !== undefined) text = emitDocument(replaySnapshot(snapshot), d.seqIndent);
    else text = emitDocument(parseYamlDocument(path, d.source), d.seqIndent);
    baselines.set(d, text);
  }
  return text;
}

/** The document's kpt rendering when it differs from the one of its source text, else undefined. */
function changedText(path: string, d: YamlDocument): string | undefined {
  if (d.source !== '') {
    const snapshot = snapshots.get(d);
    if (snapshot !== undefined && matchesSnapshot(d.doc, snapshot)) return undefined;
  }
  const text = emitDocument(d.doc, d.seqIndent);
  return d.source === '' || text !== baseline(path, d) ? text : undefined;
}

/** Whether the document differs (in kpt's rendering) from the text it was parsed from. */
export function isDocumentChanged(path: string, d: YamlDocument): boolean {
  return changedText(path, d) !== undefined;
}

/** kpt's rendering of one document. */
export function formatDocument(d: YamlDocument): string {
  return emitDocument(d.doc, d.seqIndent);
}

/**
 * Writes documents back into a file. Unchanged documents keep their bytes (and the separators and
 * comment-only parts around them); changed or new documents are written in kpt's format; documents
 * no longer listed are removed with their separator. `documents` may reorder, drop or add entries.
 */
export function serializeYamlFile(
  file: YamlFile,
  documents: readonly YamlDocument[] = file.documents,
): string {
  const original = file.chunks.filter((c) => c.document !== undefined).map((c) => c.document);
  const sameOrder = original.length === documents.length && original.every((d, i) => d === documents[i]);
  if (!sameOrder) {
    // Anything else than edits in place: write the documents one after another.
    return documents.map((d) => changedText(file.path, d) ?? ensureNewline(d.source)).join('---\n');
  }
  const changed = documents.map((d) => changedText(file.path, d));
  if (changed.every((text) => text === undefined)) return file.text;
  let out = '';
  let k = 0;
  const last = file.chunks.length - 1;
  file.chunks.forEach((chunk, i) => {
    let text = chunk.text;
    if (chunk.document) {
      const formatted = changed[k++];
      if (formatted !== undefined) text = i !== last ? formatted.slice(0, -1) : formatted;
    }
    out += chunk.separator + text;
  });
  return out;
}

function ensureNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}

/** The whole file as kpt's writer produces it: every document reformatted, joined by `---`. */
export function formatYamlFile(documents: readonly YamlDocument[]): string {
  return documents.map((d) => formatDocument(d)).join('---\n');
}
