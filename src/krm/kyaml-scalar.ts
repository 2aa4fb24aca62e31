/**
 * Scalar rendering with the rules of the YAML emitter kpt uses (kyaml on go-yaml v3): which styles a
 * value allows, which style is finally chosen, and how quoted and block scalars are written. Lines are
 * never folded (kpt writes with an unlimited line width).
 */

export type ScalarStyle = 'plain' | 'single' | 'double' | 'literal' | 'folded';

interface ScalarAnalysis {
  multiline: boolean;
  flowPlainAllowed: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** Printable for the emitter: LF, 0x20–0x7E, 0xA0–0xD7FF, 0xE000–0xFFFD without the BOM. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

function isBreak(cp: number | undefined): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

function isBlankZ(cp: number | undefined): boolean {
  return cp === undefined || cp === 0x20 || cp === 0x09 || isBreak(cp);
}

/** `#,[]{}&*!|>'"%@\`` — indicators that keep a value from starting plain. */
function isFirstIndicator(c: number): boolean {
  switch (c) {
    case 0x23: // #
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

/** `,?[]{}` */
function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x3f || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}

function analyze(value: string): ScalarAnalysis {
  if (value === '') {
    return {
      multiline: false,
      flowPlainAllowed: false,
      blockPlainAllowed: true,
      singleQuotedAllowed: true,
      blockAllowed: false,
    };
  }
  let flowIndicators = false;
  let blockIndicators = false;
  if (value.startsWith('---') || value.startsWith('...')) {
    flowIndicators = true;
    blockIndicators = true;
  }
  let lineBreaks = false;
  let special = false;
  let tabs = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  const length = value.length;
  // Code point by code point (a surrogate pair is one character, as in go-yaml's UTF-8 walk).
  for (let i = 0; i < length;) {
    const cp = value.codePointAt(i) ?? 0;
    const next = i + (cp > 0xffff ? 2 : 1);
    // The following character is blank (or there is none); blanks are all single code units.
    const followedByWhitespace = next >= length || isBlankZ(value.charCodeAt(next));
    if (i === 0) {
      if (isFirstIndicator(cp)) {
        flowIndicators = true;
        blockIndicators = true;
      }
      if (cp === 0x3f /* ? */ || cp === 0x3a /* : */) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (cp === 0x2d /* - */ && followedByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    } else {
      if (isFlowIndicator(cp)) flowIndicators = true;
      if (cp === 0x3a /* : */) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (cp === 0x23 /* # */ && precededByWhitespace) {
        flowIndicators = true;
        blockIndicators = true;
      }
    }
    // A tab keeps a value out of plain and single-quoted style but is fine in a block scalar.
    if (cp === 0x09) tabs = true;
    else if (!isPrintable(cp)) special = true;
    const isBreakChar = isBreak(cp);
    if (isBreakChar) lineBreaks = true;
    const last = next >= length;
    if (cp === 0x20) {
      if (i === 0) leadingSpace = true;
      if (last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreakChar) {
      if (i === 0) leadingBreak = true;
      if (last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousBreak = true;
      previousSpace = false;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = cp === 0x20 || cp === 0x09 || isBreakChar;
    i = next;
  }
  const result: ScalarAnalysis = {
    multiline: lineBreaks,
    flowPlainAllowed: true,
    blockPlainAllowed: true,
    singleQuotedAllowed: true,
    blockAllowed: true,
  };
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (trailingSpace) result.blockAllowed = false;
  if (breakSpace) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (spaceBreak || special) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
    result.blockAllowed = false;
  }
  if (tabs) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
    result.singleQuotedAllowed = false;
  }
  if (lineBreaks) {
    result.flowPlainAllowed = false;
    result.blockPlainAllowed = false;
  }
  if (flowIndicators) result.flowPlainAllowed = false;
  if (blockIndicators) result.blockPlainAllowed = false;
  return result;
}

export interface StyleContext {
  /** Inside a flow collection. */
  flow: boolean;
  /** Written as an implicit mapping key. */
  simpleKey: boolean;
}

/** The style the emitter actually writes for `value` when `requested` is asked for. */
export function selectScalarStyle(value: string, requested: ScalarStyle, ctx: StyleContext): ScalarStyle {
  const a = analyze(value);
  let style = requested;
  if (ctx.simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if ((ctx.flow && !a.flowPlainAllowed) || (!ctx.flow && !a.blockPlainAllowed)) style = 'single';
    if (value === '' && (ctx.flow || ctx.simpleKey)) style = 'single';
  }
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if ((style === 'literal' || style === 'folded') && (!a.blockAllowed || ctx.flow || ctx.simpleKey)) {
    style = 'double';
  }
  return style;
}

const NAMED_ESCAPES = new Map<number, string>([
  [0x00, '0'],
  [0x07, 'a'],
  [0x08, 'b'],
  [0x09, 't'],
  [0x0a, 'n'],
  [0x0b, 'v'],
  [0x0c, 'f'],
  [0x0d, 'r'],
  [0x1b, 'e'],
  [0x22, '"'],
  [0x5c, '\\'],
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

function hex(cp: number, width: number): string {
  return cp.toString(16).toUpperCase().padStart(width, '0');
}

export function doubleQuoted(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || cp === 0x22 || cp === 0x5c) {
      const named = NAMED_ESCAPES.get(cp);
      if (named !== undefined) out += `\\${named}`;
      else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
      else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
      else out += `\\U${hex(cp, 8)}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

/**
 * Single-quoted text; a line break is written as a blank line (the YAML folding rule), continuation
 * lines start at `indent`.
 */
export function singleQuoted(value: string, indent: string): string {
  let out = "'";
  let breaks = false;
  for (const ch of value) {
    if (ch === '\n') {
      if (!breaks) out += '\n';
      out += '\n';
      breaks = true;
      continue;
    }
    if (breaks) out += indent;
    out += ch === "'" ? "''" : ch;
    breaks = false;
  }
  return `${out}'`;
}

/** The `|` / `>` header: indentation hint when the text starts with a space or break, chomping hint. */
export function blockHeader(value: string, style: 'literal' | 'folded'): string {
  let header = style === 'literal' ? '|' : '>';
  const first = value.codePointAt(0);
  if (first === 0x20 || isBreak(first)) header += '2';
  const chars = Array.from(value);
  const last = chars.at(-1)?.codePointAt(0);
  if (chars.length === 0 || !isBreak(last)) header += '-';
  else if (chars.length === 1 || isBreak(chars.at(-2)?.codePointAt(0))) header += '+';
  return header;
}

/** Body lines of a literal scalar, each prefixed by `indent` (empty lines stay empty). */
export function literalBody(value: string, indent: string): string[] {
  const parts = value.split('\n');
  const lines: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    // The text after the last line break is a line only when it is not empty.
    if (part !== '') lines.push(indent + part);
    else if (i < parts.length - 1) lines.push('');
  }
  return lines;
}

/**
 * Body lines of a folded scalar. A single line break between two text lines must be written as an
 * empty line to survive folding; the emitter does this unless the line starts with a blank or the
 * value's first character is blank (a quirk kept for byte compatibility).
 */
export function foldedBody(value: string, indent: string): string[] {
  const lines: string[] = [];
  let current: string | undefined;
  let breaks = true;
  let leadingSpaces = true;
  const chars = Array.from(value);
  const firstBlank = isBlankZ(chars[0]?.codePointAt(0));
  for (const ch of chars) {
    if (ch === '\n') {
      if (!breaks && !leadingSpaces && !firstBlank) {
        lines.push(current ?? '');
        current = undefined;
      }
      lines.push(current ?? '');
      current = undefined;
      breaks = true;
    } else {
      if (breaks) leadingSpaces = ch === ' ' || ch === '\t';
      current = (current ?? indent) + ch;
      breaks = false;
    }
  }
  if (current !== undefined) lines.push(current);
  return lines;
}
