/**
 * Field causes worded exactly as `k8s.io/apimachinery/pkg/util/validation/field` renders them
 * (`ErrorBody`), including how Go prints the bad value: strings quoted, numbers and booleans bare,
 * objects and arrays as Go's `%#v` of `map[string]interface {}` / `[]interface {}`.
 */
import type { StatusCause } from '../../apimachinery/index.js';

/** A value whose Go rendering is given verbatim, for values of Go types other than JSON's (`[]string{"a"}`). */
export class GoLiteral {
  constructor(readonly text: string) {}
}

/** `[]string{"a", "b"}`: how Go prints a string slice field. */
export function goStrings(values: readonly string[]): GoLiteral {
  return new GoLiteral(`[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`);
}

function goInner(value: unknown): string {
  if (value === null || value === undefined) return 'interface {}(nil)';
  if (value instanceof GoLiteral) return value.text;
  if (Array.isArray(value)) return `[]interface {}{${value.map(goInner).join(', ')}}`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${goInner((value as Record<string, unknown>)[k])}`);
    return `map[string]interface {}{${entries.join(', ')}}`;
  }
  if (typeof value === 'string') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? `${value}`
    : '';
}

/** The bad value as Go's `ErrorBody` prints it (a missing value prints as `"null"`). */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return '"null"';
  return goInner(value);
}

function cause(reason: string, field: string, message: string): StatusCause {
  return { reason, field, message };
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export const k8sCause = {
  invalid: (field: string, value: unknown, detail: string): StatusCause =>
    cause('FieldValueInvalid', field, withDetail(`Invalid value: ${goValue(value)}`, detail)),
  typeInvalid: (field: string, value: unknown, detail: string): StatusCause =>
    cause('FieldValueTypeInvalid', field, withDetail(`Invalid value: ${goValue(value)}`, detail)),
  required: (field: string, detail = ''): StatusCause =>
    cause('FieldValueRequired', field, withDetail('Required value', detail)),
  forbidden: (field: string, detail: string): StatusCause =>
    cause('FieldValueForbidden', field, withDetail('Forbidden', detail)),
  notSupported: (field: string, value: unknown, allowed: readonly string[]): StatusCause =>
    cause(
      'FieldValueNotSupported',
      field,
      withDetail(
        `Unsupported value: ${goValue(value)}`,
        allowed.length > 0 ? `supported values: ${allowed.map((a) => JSON.stringify(a)).join(', ')}` : '',
      ),
    ),
  duplicate: (field: string, value: unknown): StatusCause =>
    cause('FieldValueDuplicate', field, `Duplicate value: ${goValue(value)}`),
  /** `field.TooLongMaxLength`: the value itself is not printed. */
  tooLong: (field: string, max: number): StatusCause =>
    cause('FieldValueTooLong', field, `Too long: may not be longer than ${max}`),
  tooMany: (field: string, actual: number, max: number): StatusCause =>
    cause('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`),
};

/** `field.Path.Child`: `a` + `b` → `a.b`. */
export function childPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

/** `field.Path.Key`: `a` + `k` → `a[k]`. */
export function keyPath(path: string, key: string): string {
  return `${path}[${key}]`;
}

/** `field.Path.Index`: `a` + 0 → `a[0]`. */
export function indexPath(path: string, index: number): string {
  return `${path}[${index}]`;
}
