/**
 * Field selectors with Kubernetes' grammar and messages (`k8s.io/apimachinery/pkg/fields/selector.go`):
 * comma-separated terms `field=value`, `field==value` or `field!=value`. In values, `\`, `,` and `=`
 * are escaped with a backslash; field names are not escaped.
 *
 * Which fields a kind supports is the registry's business: it checks `selector.fields()` and answers
 * `unsupportedFieldLabelError` for the rest, before calling `matches`.
 */
import { BadRequestError } from './errors.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped value. */
  readonly value: string;
}

export interface FieldSelector {
  /** In Kubernetes' order: terms sorted by their text. */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector does not restrict anything. */
  readonly empty: boolean;
  /** Distinct field names the selector uses, in order of first use. */
  fields(): string[];
  /**
   * True when every requirement holds. `get` returns a field's value; a missing field counts as
   * the empty string, as in Kubernetes.
   */
  matches(get: (field: string) => string | undefined): boolean;
  /** The value the selector requires `field` to equal, if any (for indexed lookups). */
  requiresExactMatch(field: string): string | undefined;
  /** Canonical form with values escaped: `metadata.name=a\,b,spec.nodeName!=`. */
  toString(): string;
}

/** Parses a `fieldSelector` query parameter. Throws `BadRequestError` with Kubernetes' message. */
export function parseFieldSelector(text: string): FieldSelector {
  const terms = splitTerms(text).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (split === undefined)
      throw new BadRequestError(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({
      field: split.field,
      operator: split.operator,
      value: unescapeFieldValue(split.value),
    });
  }
  return createFieldSelector(requirements);
}

/** The error a Kubernetes API server answers for a field the kind cannot be selected by. */
export function unsupportedFieldLabelError(field: string): BadRequestError {
  return new BadRequestError(`field label not supported: ${field}`);
}

/** Escapes a literal value for use in a field selector (`EscapeValue`). */
export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}

/** Reverses `escapeFieldValue`; unescaped `,`/`=` and unknown escapes are errors (`UnescapeValue`). */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const ch of value) {
    if (inSlash) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new BadRequestError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      inSlash = false;
    } else if (ch === '\\') {
      inSlash = true;
    } else if (ch === ',' || ch === '=') {
      // Kubernetes prints the rune with %v, i.e. its code point.
      throw new BadRequestError(
        `invalid field selector: unescaped character in value: ${ch.codePointAt(0) ?? 0}`,
      );
    } else {
      out += ch;
    }
  }
  if (inSlash) throw new BadRequestError('invalid field selector: invalid escape sequence: \\');
  return out;
}

function createFieldSelector(requirements: FieldRequirement[]): FieldSelector {
  const fields = [...new Set(requirements.map((r) => r.field))];
  return {
    requirements,
    empty: requirements.length === 0,
    fields: () => [...fields],
    matches: (get) =>
      requirements.every((r) => {
        const actual = get(r.field) ?? '';
        return r.operator === '!=' ? actual !== r.value : actual === r.value;
      }),
    requiresExactMatch: (field) => requirements.find((r) => r.field === field && r.operator !== '!=')?.value,
    toString: () =>
      requirements
        .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
        .join(','),
  };
}

/** Splits on commas that are not escaped; escapes stay in the terms. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (inSlash) inSlash = false;
    else if (ch === '\\') inSlash = true;
    else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

const termOperators: readonly FieldOperator[] = ['!=', '==', '='];

/** The first operator occurrence splits the term; field names cannot contain operators. */
function splitTerm(term: string): { field: string; operator: FieldOperator; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const operator of termOperators) {
      if (term.startsWith(operator, i)) {
        return { field: term.slice(0, i), operator, value: term.slice(i + operator.length) };
      }
    }
  }
  return undefined;
}
