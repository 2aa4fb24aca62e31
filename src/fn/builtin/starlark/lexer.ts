/**
 * The Starlark scanner: source text to tokens, with Python-style indentation turned into INDENT and
 * OUTDENT tokens, line joining inside brackets and after a backslash, and string literals (quoted,
 * triple-quoted, raw) decoded with Starlark's escapes. Positions are 1-based line and column.
 */
import { StarlarkSyntaxError, type Position } from './errors.js';

export type TokenKind =
  | 'NAME'
  | 'INT'
  | 'FLOAT'
  | 'STRING'
  | 'NEWLINE'
  | 'INDENT'
  | 'OUTDENT'
  | 'EOF'
  /** An operator, punctuation or keyword: `text` holds it. */
  | 'OP';

export interface Token {
  kind: TokenKind;
  /** The operator or keyword, the identifier, or the decoded string. */
  text: string;
  /** The value of an INT (number, or bigint past 2^53) or FLOAT token. */
  num?: number | bigint;
  line: number;
  col: number;
}

export const KEYWORDS = new Set([
  'and',
  'break',
  'continue',
  'def',
  'elif',
  'else',
  'for',
  'if',
  'in',
  'lambda',
  'load',
  'not',
  'or',
  'pass',
  'return',
  'while',
]);

/** Python keywords Starlark reserves: using one is a syntax error. */
const RESERVED = new Set([
  'as',
  'assert',
  'async',
  'await',
  'class',
  'del',
  'except',
  'finally',
  'from',
  'global',
  'import',
  'is',
  'nonlocal',
  'raise',
  'try',
  'with',
  'yield',
]);

const OPERATORS = [
  '//=',
  '<<=',
  '>>=',
  '**',
  '//',
  '<<',
  '>>',
  '==',
  '!=',
  '<=',
  '>=',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '~',
  '&',
  '|',
  '^',
  '<',
  '>',
  '.',
  ',',
  '=',
  ';',
  ':',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
];

const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c > '\x7f';
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}

class Scanner {
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly indents: number[] = [0];
  private readonly tokens: Token[] = [];

  constructor(private readonly src: string) {}

  private here(): Position {
    return { line: this.line, col: this.pos - this.lineStart + 1 };
  }

  private error(message: string, pos: Position = this.here()): never {
    throw new StarlarkSyntaxError(message, pos);
  }

  private push(kind: TokenKind, text: string, pos: Position, num?: number | bigint): void {
    const t: Token = { kind, text, line: pos.line, col: pos.col };
    if (num !== undefined) t.num = num;
    this.tokens.push(t);
  }

  private newline(): void {
    this.line++;
    this.lineStart = this.pos;
  }

  scan(): Token[] {
    const src = this.src;
    let atLineStart = true;
    while (this.pos < src.length) {
      if (atLineStart && this.depth === 0) {
        atLineStart = false;
        if (this.indentation()) continue;
      }
      const c = src.charAt(this.pos);
      if (c === '\n') {
        if (this.depth === 0) this.endLine();
        this.pos++;
        this.newline();
        atLineStart = true;
        continue;
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        this.pos++;
        continue;
      }
      if (c === '#') {
        while (this.pos < src.length && src.charAt(this.pos) !== '\n') this.pos++;
        continue;
      }
      if (c === '\\') {
        if (src.charAt(this.pos + 1) === '\n') {
          this.pos += 2;
          this.newline();
          continue;
        }
        if (src.startsWith('\r\n', this.pos + 1)) {
          this.pos += 3;
          this.newline();
          continue;
        }
        this.error('unexpected backslash outside a string');
      }
      const start = this.here();
      if (isIdentStart(c)) {
        this.identifier(start);
        continue;
      }
      if (isDigit(c) || (c === '.' && isDigit(src.charAt(this.pos + 1)))) {
        this.number(start);
        continue;
      }
      if (c === '"' || c === "'") {
        this.string(start, false);
        continue;
      }
      this.operator(start);
    }
    if (this.depth === 0) this.endLine();
    const end = this.here();
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('OUTDENT', '', end);
    }
    this.push('EOF', '', end);
    return this.tokens;
  }

  /** A NEWLINE ends the logical line, unless the line was blank. */
  private endLine(): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.kind !== 'NEWLINE' && last.kind !== 'INDENT' && last.kind !== 'OUTDENT') {
      this.push('NEWLINE', '', this.here());
    }
  }

  /** Measures the indentation of a new line; true when the line is blank or a comment. */
  private indentation(): boolean {
    const src = this.src;
    let width = 0;
    let p = this.pos;
    for (;;) {
      const c = src.charAt(p);
      if (c === ' ') width++;
      else if (c === '\t') width += 8 - (width % 8);
      else if (c !== '\r') break;
      p++;
    }
    const c = src.charAt(p);
    if (c === '\n' || c === '#' || p >= src.length) {
      this.pos = p;
      return c !== '#' && p < src.length ? true : false;
    }
    this.pos = p;
    const top = this.indents[this.indents.length - 1] ?? 0;
    const pos = this.here();
    if (width > top) {
      this.indents.push(width);
      this.push('INDENT', '', pos);
    } else if (width < top) {
      while (width < (this.indents[this.indents.length - 1] ?? 0)) {
        this.indents.pop();
        this.push('OUTDENT', '', pos);
      }
      if (width !== this.indents[this.indents.length - 1])
        this.error('unindent does not match any outer indentation level', pos);
    }
    return false;
  }

  private identifier(start: Position): void {
    const src = this.src;
    const from = this.pos;
    while (this.pos < src.length && isIdentPart(src.charAt(this.pos))) this.pos++;
    const word = src.slice(from, this.pos);
    const next = src.charAt(this.pos);
    if ((word === 'r' || word === 'R') && (next === '"' || next === "'")) {
      this.string(start, true);
      return;
    }
    if ((word === 'b' || word === 'B' || word === 'rb' || word === 'br') && (next === '"' || next === "'")) {
      this.error('bytes literals are not supported', start);
    }
    if (KEYWORDS.has(word)) this.push('OP', word, start);
    else if (RESERVED.has(word)) this.error(`keyword ${word} is reserved`, start);
    else this.push('NAME', word, start);
  }

  private number(start: Position): void {
    const src = this.src;
    const from = this.pos;
    const c = src.charAt(this.pos);
    const n = src.charAt(this.pos + 1).toLowerCase();
    if (c === '0' && (n === 'x' || n === 'o' || n === 'b')) {
      this.pos += 2;
      while (this.pos < src.length && /[0-9a-fA-F_]/.test(src.charAt(this.pos))) this.pos++;
      const digits = src.slice(from + 2, this.pos);
      const valid = n === 'x' ? /^[0-9a-fA-F]+$/ : n === 'o' ? /^[0-7]+$/ : /^[01]+$/;
      if (!valid.test(digits))
        this.error(`invalid ${n === 'x' ? 'hex' : n === 'o' ? 'octal' : 'binary'} literal`, start);
      this.push('INT', src.slice(from, this.pos), start, toInt(BigInt(`0${n}${digits}`)));
      return;
    }
    while (isDigit(src.charAt(this.pos))) this.pos++;
    let isFloat = false;
    if (src.charAt(this.pos) === '.') {
      isFloat = true;
      this.pos++;
      while (isDigit(src.charAt(this.pos))) this.pos++;
    }
    const e = src.charAt(this.pos);
    if (e === 'e' || e === 'E') {
      let p = this.pos + 1;
      if (src.charAt(p) === '+' || src.charAt(p) === '-') p++;
      if (isDigit(src.charAt(p))) {
        isFloat = true;
        while (isDigit(src.charAt(p))) p++;
        this.pos = p;
      }
    }
    const text = src.slice(from, this.pos);
    if (isIdentStart(src.charAt(this.pos)))
      this.error(`invalid number literal ${text}${src.charAt(this.pos)}`, start);
    if (isFloat) {
      this.push('FLOAT', text, start, Number(text));
      return;
    }
    if (text.length > 1 && text.startsWith('0') && !/^0+$/.test(text)) {
      this.error(`obsolete form of octal literal; use 0o${text.slice(1)}`, start);
    }
    this.push('INT', text, start, toInt(BigInt(text)));
  }

  private string(start: Position, raw: boolean): void {
    const src = this.src;
    const quote = src.charAt(this.pos);
    const triple = src.startsWith(quote.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    let out = '';
    for (;;) {
      if (this.pos >= src.length) this.error('unexpected end of file in string literal', start);
      const c = src.charAt(this.pos);
      if (triple ? src.startsWith(quote.repeat(3), this.pos) : c === quote) {
        this.pos += triple ? 3 : 1;
        break;
      }
      if (c === '\n') {
        if (!triple) this.error('unexpected newline in string literal', start);
        out += c;
        this.pos++;
        this.newline();
        continue;
      }
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      const next = src.charAt(this.pos + 1);
      if (raw) {
        // A raw string keeps the backslash; an escaped newline or quote stays in the string.
        out += c + next;
        this.pos += 2;
        if (next === '\n') this.newline();
        continue;
      }
      out += this.escape(next);
    }
    this.push('STRING', out, start);
  }

  private escape(next: string): string {
    const src = this.src;
    const at = this.here();
    if (next === '\n') {
      this.pos += 2;
      this.newline();
      return '';
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (next >= '0' && next <= '7') {
      let p = this.pos + 1;
      while (p < this.pos + 4 && src.charAt(p) >= '0' && src.charAt(p) <= '7') p++;
      const code = parseInt(src.slice(this.pos + 1, p), 8);
      if (code > 255) this.error('octal escape value > 255', at);
      this.pos = p;
      return String.fromCharCode(code);
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength === 0) this.error(`invalid escape sequence \\${next}`, at);
    const digits = src.slice(this.pos + 2, this.pos + 2 + hexLength);
    if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(digits)) {
      this.error(`incomplete escape sequence \\${next}${digits}`, at);
    }
    const code = parseInt(digits, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code < 0xe000))
      this.error(`invalid Unicode code point U+${digits}`, at);
    this.pos += 2 + hexLength;
    return String.fromCodePoint(code);
  }

  private operator(start: Position): void {
    const src = this.src;
    for (const op of OPERATORS) {
      if (src.startsWith(op, this.pos)) {
        this.pos += op.length;
        if (op === '(' || op === '[' || op === '{') this.depth++;
        else if (op === ')' || op === ']' || op === '}') this.depth = Math.max(0, this.depth - 1);
        this.push('OP', op, start);
        return;
      }
    }
    this.error(`unexpected input character ${JSON.stringify(src.charAt(this.pos))}`, start);
  }
}

/** An int literal as a number when exact, else a bigint. */
function toInt(n: bigint): number | bigint {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** Tokenizes a whole program; throws StarlarkSyntaxError with the position of the problem. */
export function tokenize(src: string): Token[] {
  return new Scanner(src).scan();
}
