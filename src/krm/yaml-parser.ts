/**
 * The `yaml` package's CST parser without its per-token debug hook. `Parser.next` reads
 * `process.env.LOG_TOKENS` for every lexeme, and `process.env` is a slow host object: on large
 * ResourceLists that read costs about as much as the parsing itself. `LadingParser.next` is the same
 * state machine step (yaml 2.x `Parser#next`, ISC licence) without the hook; the tokens it yields
 * are the same (yaml-parser.test.ts compares them on every fixture file).
 */
import { CST, Parser } from 'yaml';

/** The members of `Parser` that `next` uses (private in the typings). */
interface ParserState {
  source: string;
  atScalar: boolean;
  atNewLine: boolean;
  type: CST.TokenType | undefined;
  indent: number;
  offset: number;
  onNewLine?: (offset: number) => void;
  step(): Generator<CST.Token, void>;
  pop(error?: CST.Token): Generator<CST.Token, void>;
}

function* next(this: ParserState, source: string): Generator<CST.Token, void> {
  this.source = source;
  if (this.atScalar) {
    this.atScalar = false;
    yield* this.step();
    this.offset += source.length;
    return;
  }
  const type = CST.tokenType(source);
  if (!type) {
    const message = `Not a YAML token: ${source}`;
    yield* this.pop({ type: 'error', offset: this.offset, message, source });
    this.offset += source.length;
  } else if (type === 'scalar') {
    this.atNewLine = false;
    this.atScalar = true;
    this.type = 'scalar';
  } else {
    this.type = type;
    yield* this.step();
    if (type === 'newline') {
      this.atNewLine = true;
      this.indent = 0;
      if (this.onNewLine) this.onNewLine(this.offset + source.length);
    } else if (type === 'space') {
      if (this.atNewLine && source[0] === ' ') this.indent += source.length;
    } else if (type === 'explicit-key-ind' || type === 'map-value-ind' || type === 'seq-item-ind') {
      if (this.atNewLine) this.indent += source.length;
    } else if (type === 'doc-mode' || type === 'flow-error-end') {
      return;
    } else {
      this.atNewLine = false;
    }
    this.offset += source.length;
  }
}

export class LadingParser extends Parser {}

(LadingParser.prototype as unknown as { next: typeof next }).next = next;
