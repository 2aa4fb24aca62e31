/**
 * Helpers for plain JSON values (the decoded form of every object, patch and field set).
 * All functions are pure and never mutate their inputs.
 */
import { isPlainObject } from './object.js';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };

/** Structural equality of JSON values: arrays by position, objects regardless of key order. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a)) {
    if (!isPlainObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => Object.hasOwn(b, key) && jsonEqual(a[key], b[key]));
  }
  return false;
}

/** A deep copy of a JSON value (objects, arrays and primitives only). */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}

/** The JSON kind of a value, for type-mismatch decisions in merges. */
export function jsonKind(value: unknown): 'object' | 'array' | 'scalar' | 'missing' {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'array';
  if (isPlainObject(value)) return 'object';
  return 'scalar';
}

/** Short JSON rendering of a value for error messages (long values are cut). */
export function describeJson(value: unknown, max = 120): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * Sets an own property, even for the key `__proto__` (which plain assignment would turn into a
 * prototype change). Keys of patches and objects come from clients, so merges use this.
 */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
