/**
 * Label selectors with Kubernetes' grammar, validation and message texts
 * (`k8s.io/apimachinery/pkg/labels/selector.go`):
 *
 *   selector    ::= requirement ( "," requirement )*
 *   requirement ::= [ "!" ] KEY [ ( "in" | "notin" ) "(" VALUES ")" | ( "=" | "==" | "!=" | ">" | "<" ) VALUE ]
 *
 * Parse errors are `BadRequestError`s whose message is exactly what a Kubernetes API server
 * answers for a bad `labelSelector` query parameter.
 */
import { BadRequestError } from './errors.js';
import { isQualifiedName, isValidLabelValue } from './validation.js';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and de-duplicated for parsed selectors; as given for `labelSelectorFromObject`. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** Requirements sorted by key; all must match (AND). */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (the empty selector). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
  /** Canonical form, as Kubernetes prints it: `a=b,c in (d,e),!f`. */
  toString(): string;
}

/** The parsed form of `metav1.LabelSelector`. */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

const binaryOperators = ['in', 'notin', '=', '==', '!=', 'gt', 'lt'];

/** Parses a `labelSelector` query parameter. Throws `BadRequestError` with Kubernetes' message. */
export function parseLabelSelector(text: string): LabelSelector {
  try {
    return createSelector(new Parser(text).parse());
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new BadRequestError(err.message, { cause: err });
    throw err;
  }
}

/**
 * Converts a `metav1.LabelSelector` (`spec.selector` of workloads) as Kubernetes'
 * `LabelSelectorAsSelector` does: `undefined` selects nothing, `{}` selects everything.
 */
export function labelSelectorFromObject(selector: LabelSelectorObject | undefined): LabelSelector {
  if (selector === undefined) return nothingSelector;
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push(newRequirement(key, '=', [value], ''));
  }
  for (const expr of selector.matchExpressions ?? []) {
    const op = expressionOperators.get(expr.operator);
    if (op === undefined)
      throw new BadRequestError(`"${expr.operator}" is not a valid label selector operator`);
    requirements.push(newRequirement(expr.key, op, [...(expr.values ?? [])], ''));
  }
  return createSelector(requirements);
}

const expressionOperators = new Map<string, LabelOperator>([
  ['In', 'in'],
  ['NotIn', 'notin'],
  ['Exists', 'exists'],
  ['DoesNotExist', '!'],
]);

const nothingSelector: LabelSelector = {
  requirements: [],
  empty: false,
  matches: () => false,
  toString: () => '',
};

function createSelector(unsorted: LabelRequirement[]): LabelSelector {
  const requirements = [...unsorted].sort((a, b) => compareStrings(a.key, b.key));
  return {
    requirements,
    empty: requirements.length === 0,
    matches: (labels) => requirements.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => requirements.map(requirementToString).join(','),
  };
}

function requirementMatches(r: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return value !== undefined && r.values.includes(value);
    case 'notin':
    case '!=':
      return value === undefined || !r.values.includes(value);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      const actual = parseInteger(value);
      const bound = parseInteger(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function parseInteger(value: string | undefined): bigint | undefined {
  return value !== undefined && /^[+-]?\d+$/.test(value) ? BigInt(value) : undefined;
}

function requirementToString(r: LabelRequirement): string {
  const values = [...r.values].sort(compareStrings).join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    case '=':
    case '==':
    case '!=':
      return `${r.key}${r.operator}${values}`;
  }
}

/** Byte-wise ordering, as Go's `sort.Strings`. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class SelectorSyntaxError extends Error {}

/** Kubernetes' `field.Invalid(path, value, detail).Error()`. */
function invalid(path: string, value: string, messages: string[]): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${messages.join('; ')}`;
}

/** Kubernetes' `NewRequirement`: validates operator arity and values. `path` prefixes field errors. */
function newRequirement(
  key: string,
  operator: LabelOperator,
  values: string[],
  path: string,
): LabelRequirement {
  const join = (child: string): string => (path ? `${path}.${child}` : child);
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length > 0) errs.push(invalid(join('key'), key, keyErrs));
  const valuesPath = join('values');
  // Go's `%#v` of a []string, as field.Invalid prints it.
  const shown = `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;
  switch (operator) {
    case 'in':
    case 'notin':
      if (values.length === 0)
        errs.push(
          `${valuesPath}: Invalid value: ${shown}: for 'in', 'notin' operators, values set can't be empty`,
        );
      break;
    case '=':
    case '==':
    case '!=':
      if (values.length !== 1)
        errs.push(
          `${valuesPath}: Invalid value: ${shown}: exact-match compatibility requires one single value`,
        );
      break;
    case 'exists':
    case '!':
      if (values.length !== 0)
        errs.push(
          `${valuesPath}: Invalid value: ${shown}: values set must be empty for exists and does not exist`,
        );
      break;
    case 'gt':
    case 'lt':
      if (values.length !== 1)
        errs.push(
          `${valuesPath}: Invalid value: ${shown}: for 'Gt', 'Lt' operators, exactly one value is required`,
        );
      values.forEach((v, i) => {
        if (parseInteger(v) === undefined)
          errs.push(
            invalid(`${valuesPath}[${i}]`, v, ["for 'Gt', 'Lt' operators, the value must be an integer"]),
          );
      });
      break;
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length > 0) errs.push(invalid(`${valuesPath}[${i}][${key}]`, v, valueErrs));
  });
  if (errs.length > 0) {
    const unique = [...new Set(errs)];
    throw new SelectorSyntaxError(
      `unable to parse requirement: ${unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`}`,
    );
  }
  return { key, operator, values };
}

type TokenKind =
  'error' | 'end' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';

interface Token {
  kind: TokenKind;
  literal: string;
}

const literalTokens = new Map<string, TokenKind>(
  [')', ',', '!', '==', '=', '>', 'in', '<', '!=', 'notin', '('].map((t) => [t, t as TokenKind]),
);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);

/** Kubernetes' selector lexer: identifiers run until whitespace or an operator character. */
function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text.charAt(pos))) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSpecial(text.charAt(pos))) {
      // Longest run of operator characters that still forms a known operator.
      let buffer = '';
      let last: Token | undefined;
      while (pos < text.length && isSpecial(text.charAt(pos))) {
        const next = buffer + text.charAt(pos);
        const kind = literalTokens.get(next);
        if (kind !== undefined) {
          last = { kind, literal: next };
        } else if (last !== undefined) {
          break;
        }
        buffer = next;
        pos++;
      }
      tokens.push(last ?? { kind: 'error', literal: `error expected: keyword found '${buffer}'` });
      continue;
    }
    const start = pos;
    while (pos < text.length && !isSpecial(text.charAt(pos)) && !isWhitespace(text.charAt(pos))) pos++;
    const word = text.slice(start, pos);
    tokens.push({ kind: literalTokens.get(word) ?? 'identifier', literal: word });
  }
}

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(text: string) {
    this.tokens = lex(text);
  }

  /** In value position the keywords `in` and `notin` are plain identifiers. */
  private lookahead(values: boolean): Token {
    const token = this.tokens[this.position] ?? { kind: 'end', literal: '' };
    return values && (token.kind === 'in' || token.kind === 'notin')
      ? { kind: 'identifier', literal: token.literal }
      : token;
  }

  private consume(values: boolean): Token {
    const token = this.lookahead(values);
    this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { kind, literal } = this.lookahead(true);
      if (kind === 'end') return requirements;
      if (kind !== 'identifier' && kind !== '!') {
        throw new SelectorSyntaxError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      requirements.push(this.parseRequirement());
      const after = this.consume(true);
      if (after.kind === 'end') return requirements;
      if (after.kind !== ',')
        throw new SelectorSyntaxError(`found '${after.literal}', expected: ',' or 'end of string'`);
      const next = this.lookahead(true);
      if (next.kind !== 'identifier' && next.kind !== '!') {
        throw new SelectorSyntaxError(`found '${next.literal}', expected: identifier after ','`);
      }
    }
  }

  private fail(message: string): never {
    throw new SelectorSyntaxError(`unable to parse requirement: ${message}`);
  }

  private parseRequirement(): LabelRequirement {
    let token = this.consume(true);
    const negated = token.kind === '!';
    if (negated) token = this.consume(true);
    if (token.kind !== 'identifier') this.fail(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length > 0) this.fail(invalid('<nil>', key, keyErrs));
    const next = this.lookahead(true).kind;
    if (negated || next === 'end' || next === ',') {
      return newRequirement(key, negated ? '!' : 'exists', [], '');
    }
    const op = this.consume(false);
    const operator = binaryOperatorOf(op.kind);
    if (operator === undefined) this.fail(`found '${op.literal}', expected: ${binaryOperators.join(', ')}`);
    const values = operator === 'in' || operator === 'notin' ? this.parseValueSet() : this.parseExactValue();
    return newRequirement(key, operator, [...values].sort(compareStrings), '');
  }

  private parseValueSet(): Set<string> {
    const open = this.consume(true);
    if (open.kind !== '(') this.fail(`found '${open.literal}' expected: '('`);
    const { kind, literal } = this.lookahead(true);
    if (kind === ')') {
      this.consume(true);
      return new Set(['']);
    }
    if (kind !== 'identifier' && kind !== ',')
      this.fail(`found '${literal}', expected: ',', ')' or identifier`);
    const values = this.parseIdentifierList();
    if (this.consume(true).kind !== ')') this.fail(`found '${literal}', expected: ')'`);
    return values;
  }

  /** A comma-separated list of possibly empty values: `(a,,b)` holds "a", "" and "b". */
  private parseIdentifierList(): Set<string> {
    const values = new Set<string>();
    for (;;) {
      const token = this.consume(true);
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = this.lookahead(true);
        if (next.kind === ',') continue;
        if (next.kind === ')') return values;
        this.fail(`found '${next.literal}', expected: ',' or ')'`);
      } else if (token.kind === ',') {
        if (values.size === 0) values.add('');
        const next = this.lookahead(true).kind;
        if (next === ')') {
          values.add('');
          return values;
        }
        if (next === ',') values.add('');
      } else {
        this.fail(`found '${token.literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead(true).kind;
    if (next === 'end' || next === ',') return new Set(['']);
    const token = this.consume(true);
    if (token.kind !== 'identifier') this.fail(`found '${token.literal}', expected: identifier`);
    return new Set([token.literal]);
  }
}

function binaryOperatorOf(kind: TokenKind): LabelOperator | undefined {
  return binaryOperatorTokens.get(kind);
}

const binaryOperatorTokens = new Map<TokenKind, LabelOperator>([
  ['in', 'in'],
  ['notin', 'notin'],
  ['=', '='],
  ['==', '=='],
  ['!=', '!='],
  ['>', 'gt'],
  ['<', 'lt'],
]);
