/**
 * Schema validation of a value, with the field paths and messages of a Kubernetes API server:
 * kube-openapi's schema validator as apiextensions converts its errors
 * (`spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`),
 * followed by the `x-kubernetes-list-type` set/map uniqueness checks.
 *
 * A compact walker rather than ajv: Kubernetes' semantics (nullable, int-or-string, which checks
 * run for which kind of value, error wording and paths) do not map onto ajv's error objects.
 * Derived data (types, compiled pattern, format checker) is cached per schema object.
 */
import { isDeepStrictEqual } from 'node:util';
import type { JSONSchemaProps, StatusCause } from '../../apimachinery/index.js';
import { isPlainObject } from '../../apimachinery/index.js';
import { childPath, goValue, indexPath, k8sCause, keyPath } from './causes.js';
import { integerFormatFits, stringFormatChecker } from './formats.js';
import { compilePattern } from './pattern.js';

interface Compiled {
  types: readonly string[] | undefined;
  pattern: RegExp | { error: string } | undefined;
  format: ((value: string) => boolean) | undefined;
  enumLabels: string[] | undefined;
}

const compiledCache = new WeakMap<JSONSchemaProps, Compiled>();

function compile(schema: JSONSchemaProps): Compiled {
  const hit = compiledCache.get(schema);
  if (hit) return hit;
  const types = schema['x-kubernetes-int-or-string']
    ? ['integer', 'string']
    : schema.type
      ? [schema.type]
      : undefined;
  let pattern: Compiled['pattern'];
  if (schema.pattern !== undefined && schema.pattern !== '') {
    const result = compilePattern(schema.pattern);
    pattern = result.ok ? result.regexp : { error: result.error };
  }
  const singleType = types?.length === 1 ? types[0] : undefined;
  const compiled: Compiled = {
    types,
    pattern,
    format: stringFormatChecker(schema.format, singleType),
    enumLabels: schema.enum?.map(label),
  };
  compiledCache.set(schema, compiled);
  return compiled;
}

/** An allowed value as apiextensions lists it: strings as they are, anything else as JSON. */
function label(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

type DataType = 'null' | 'boolean' | 'string' | 'integer' | 'number' | 'array' | 'object';

function dataType(value: unknown): DataType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number' || typeof value === 'bigint') {
    return Number.isInteger(Number(value)) ? 'integer' : 'number';
  }
  return 'object';
}

function typeMatches(types: readonly string[], actual: DataType): boolean {
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

/** One validation run: `prefix` is the caller's field path, `listErrors` are reported last. */
class Walker {
  readonly errors: StatusCause[] = [];
  readonly listErrors: StatusCause[] = [];

  constructor(private readonly prefix: string) {}

  /** The cause's field: the caller's prefix joined with the path inside the value. */
  field(rel: string): string {
    if (this.prefix === '') return rel;
    if (rel === '') return this.prefix;
    return rel.startsWith('[') ? `${this.prefix}${rel}` : `${this.prefix}.${rel}`;
  }

  /**
   * Validates `value` at `rel` (kube-openapi's path, used in messages) and `fp` (the field path of
   * list-type errors, which writes map keys as `[key]`).
   */
  walk(value: unknown, schema: JSONSchemaProps, rel: string, fp: string): void {
    const c = compile(schema);
    const actual = dataType(value);
    if (actual === 'null') {
      if (c.types && !schema.nullable) {
        this.errors.push(
          k8sCause.typeInvalid(
            this.field(rel),
            'null',
            `${rel} in body must be of type ${c.types.join(',')}: "null"`,
          ),
        );
      }
      this.checkEnum(value, schema, c, rel);
      return;
    }
    if (c.types && !typeMatches(c.types, actual)) {
      this.errors.push(
        k8sCause.typeInvalid(
          this.field(rel),
          actual,
          `${rel} in body must be of type ${c.types.join(',')}: "${actual}"`,
        ),
      );
    }
    this.checkJunctors(value, schema, rel, fp);
    if (actual === 'string') this.checkString(value as string, schema, c, rel);
    if (actual === 'integer' || actual === 'number') this.checkNumber(value as number, schema, rel);
    if (actual === 'array') this.checkArray(value as unknown[], schema, rel, fp);
    this.checkEnum(value, schema, c, rel);
    if (actual === 'object') this.checkObject(value as Record<string, unknown>, schema, rel, fp);
  }

  private sub(value: unknown, schema: JSONSchemaProps, rel: string, fp: string): StatusCause[] {
    const walker = new Walker(this.prefix);
    walker.walk(value, schema, rel, fp);
    return [...walker.errors, ...walker.listErrors];
  }

  /**
   * How far a failed branch is from matching, to report the closest one's errors as kube-openapi
   * does: a branch whose type does not even match is farther than any with a matching type.
   */
  private distance(errors: readonly StatusCause[], rel: string): number {
    const field = this.field(rel);
    const typeMismatch = errors.some((e) => e.reason === 'FieldValueTypeInvalid' && e.field === field);
    return errors.length + (typeMismatch ? 1_000_000 : 0);
  }

  private composite(rel: string, message: string): void {
    this.errors.push(k8sCause.invalid(this.field(rel), '', message));
  }

  private checkJunctors(value: unknown, schema: JSONSchemaProps, rel: string, fp: string): void {
    const quoted = JSON.stringify(rel);
    if (schema.anyOf && schema.anyOf.length > 0) {
      let best: StatusCause[] | undefined;
      for (const branch of schema.anyOf) {
        const errs = this.sub(value, branch, rel, fp);
        if (errs.length === 0) {
          best = undefined;
          break;
        }
        if (!best || this.distance(errs, rel) < this.distance(best, rel)) best = errs;
      }
      if (best) {
        this.composite(rel, `${quoted} must validate at least one schema (anyOf)`);
        this.errors.push(...best);
      }
    }
    if (schema.oneOf && schema.oneOf.length > 0) {
      let valid = 0;
      let best: StatusCause[] | undefined;
      for (const branch of schema.oneOf) {
        const errs = this.sub(value, branch, rel, fp);
        if (errs.length === 0) valid++;
        else if (valid === 0 && (!best || this.distance(errs, rel) < this.distance(best, rel))) best = errs;
      }
      if (valid !== 1) {
        const detail = valid === 0 ? 'Found none valid' : `Found ${valid} valid alternatives`;
        this.composite(rel, `${quoted} must validate one and only one schema (oneOf). ${detail}`);
        if (valid === 0 && best) this.errors.push(...best);
      }
    }
    if (schema.allOf && schema.allOf.length > 0) {
      let valid = 0;
      for (const branch of schema.allOf) {
        const errs = this.sub(value, branch, rel, fp);
        if (errs.length === 0) valid++;
        this.errors.push(...errs);
      }
      if (valid !== schema.allOf.length) {
        this.composite(
          rel,
          `${quoted} must validate all the schemas (allOf)${valid === 0 ? '. None validated' : ''}`,
        );
      }
    }
    if (schema.not && this.sub(value, schema.not, rel, fp).length === 0) {
      this.composite(rel, `${quoted} must not validate the schema (not)`);
    }
  }

  /** Like kube-openapi, reports only the first of maxLength, minLength, pattern, then the format. */
  private checkString(value: string, schema: JSONSchemaProps, c: Compiled, rel: string): void {
    const field = this.field(rel);
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      this.errors.push(k8sCause.tooLong(field, schema.maxLength));
    } else if (schema.minLength !== undefined && length < schema.minLength) {
      this.errors.push(
        k8sCause.invalid(field, value, `${rel} in body should be at least ${schema.minLength} chars long`),
      );
    } else if (c.pattern instanceof RegExp) {
      if (!c.pattern.test(value)) {
        this.errors.push(
          k8sCause.invalid(field, value, `${rel} in body should match '${schema.pattern ?? ''}'`),
        );
      }
    } else if (c.pattern) {
      const detail = `${schema.pattern ?? ''}, but pattern is invalid: ${c.pattern.error}`;
      this.errors.push(k8sCause.invalid(field, value, `${rel} in body should match '${detail}'`));
    }
    if (c.format && !c.format(value)) {
      this.errors.push(
        k8sCause.typeInvalid(
          field,
          value,
          `${rel} in body must be of type ${schema.format ?? ''}: ${goValue(value)}`,
        ),
      );
    }
  }

  private checkNumber(value: number, schema: JSONSchemaProps, rel: string): void {
    const field = this.field(rel);
    if (!integerFormatFits(schema.format, value)) {
      this.errors.push(
        k8sCause.typeInvalid(field, value, `${rel} in body must be of type ${schema.format ?? ''}`),
      );
    }
    const factor = schema.multipleOf;
    if (factor !== undefined && factor > 0) {
      const quotient = value / factor;
      if (Math.abs(quotient - Math.round(quotient)) > 1e-9 * Math.max(1, Math.abs(quotient))) {
        this.errors.push(k8sCause.invalid(field, value, `${rel} in body should be a multiple of ${factor}`));
      }
    }
    const { minimum, maximum } = schema;
    if (minimum !== undefined && (schema.exclusiveMinimum ? value <= minimum : value < minimum)) {
      const op = schema.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      this.errors.push(k8sCause.invalid(field, value, `${rel} in body should be ${op} ${minimum}`));
    }
    if (maximum !== undefined && (schema.exclusiveMaximum ? value >= maximum : value > maximum)) {
      const op = schema.exclusiveMaximum ? 'less than' : 'less than or equal to';
      this.errors.push(k8sCause.invalid(field, value, `${rel} in body should be ${op} ${maximum}`));
    }
  }

  private checkArray(value: unknown[], schema: JSONSchemaProps, rel: string, fp: string): void {
    const items = schema.items;
    if (items) value.forEach((item, i) => this.walk(item, items, indexPath(rel, i), indexPath(fp, i)));
    const field = this.field(rel);
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      this.errors.push(
        k8sCause.invalid(field, value.length, `${rel} in body should have at least ${schema.minItems} items`),
      );
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      this.errors.push(k8sCause.tooMany(field, value.length, schema.maxItems));
    }
    if (schema.uniqueItems && value.some((v, i) => value.findIndex((u) => isDeepStrictEqual(u, v)) !== i)) {
      this.errors.push(k8sCause.invalid(field, '', `${rel} in body shouldn't contain duplicates`));
    }
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') this.checkListSet(value, fp);
    if (listType === 'map') this.checkListMap(value, schema['x-kubernetes-list-map-keys'] ?? [], fp);
  }

  private checkListSet(value: readonly unknown[], fp: string): void {
    for (const i of firstRepeats(value.map((v) => JSON.stringify(v)))) {
      this.listErrors.push(k8sCause.duplicate(indexPath(fp, i), value[i]));
    }
  }

  private checkListMap(value: readonly unknown[], keys: readonly string[], fp: string): void {
    const bad = value.findIndex((item) => item !== null && item !== undefined && !isPlainObject(item));
    if (bad >= 0) {
      this.listErrors.push(
        k8sCause.invalid(indexPath(fp, bad), value[bad], 'must be an object for an array of list-type map'),
      );
      return;
    }
    const keyOf = (item: unknown): Record<string, unknown> => {
      const out: Record<string, unknown> = {};
      if (!isPlainObject(item)) return out;
      for (const k of keys) if (k in item) out[k] = item[k];
      return out;
    };
    const keyValues = value.map(keyOf);
    for (const i of firstRepeats(keyValues.map((k) => JSON.stringify(k)))) {
      this.listErrors.push(k8sCause.duplicate(indexPath(fp, i), keyValues[i]));
    }
  }

  /** `enum`, and `const` as the enum of its one value (CRDs cannot use `const`; built-in schemas may). */
  private checkEnum(value: unknown, schema: JSONSchemaProps, c: Compiled, rel: string): void {
    const v = value === undefined ? null : value;
    if (
      schema.enum &&
      schema.enum.length > 0 &&
      !schema.enum.some((allowed) => isDeepStrictEqual(allowed, v))
    ) {
      this.errors.push(k8sCause.notSupported(this.field(rel), value, c.enumLabels ?? []));
    }
    if (schema.const !== undefined && !isDeepStrictEqual(schema.const, v)) {
      this.errors.push(k8sCause.notSupported(this.field(rel), value, [label(schema.const)]));
    }
  }

  private checkObject(
    value: Record<string, unknown>,
    schema: JSONSchemaProps,
    rel: string,
    fp: string,
  ): void {
    const keys = Object.keys(value);
    const field = this.field(rel);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) {
      this.errors.push(
        k8sCause.invalid(
          field,
          keys.length,
          `${rel} in body should have at least ${schema.minProperties} properties`,
        ),
      );
      return;
    }
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      this.errors.push(k8sCause.tooMany(field, keys.length, schema.maxProperties));
      return;
    }
    const properties = schema.properties ?? {};
    const additional = schema.additionalProperties;
    for (const key of keys) {
      const property = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (property) this.walk(value[key], property, childPath(rel, key), childPath(fp, key));
      else if (typeof additional === 'object')
        this.walk(value[key], additional, childPath(rel, key), keyPath(fp, key));
      else if (additional === false) {
        this.errors.push(k8sCause.invalid(field, key, `${rel}.${key} in body is a forbidden property`));
      }
    }
    for (const key of schema.required ?? []) {
      if (!Object.hasOwn(value, key)) this.errors.push(k8sCause.required(this.field(childPath(rel, key))));
    }
  }
}

/** Indices of the second occurrence of every value that occurs more than once. */
function firstRepeats(values: readonly string[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((v, i) => {
    const times = seen.get(v) ?? 0;
    if (times === 1) out.push(i);
    seen.set(v, times + 1);
  });
  return out;
}

/**
 * Validates `value` against `schema`. `path` is the field path of `value` in its object ('' for a
 * whole object); causes' fields are prefixed with it, while messages name the path inside the
 * value, as Kubernetes does. CEL rules (`x-kubernetes-validations`) are not evaluated here.
 */
export function validateValue(value: unknown, schema: JSONSchemaProps, path = ''): StatusCause[] {
  const walker = new Walker(path);
  walker.walk(value, schema, '', path);
  return [...walker.errors, ...walker.listErrors];
}
