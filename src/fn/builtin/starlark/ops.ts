/**
 * Starlark operators over values: equality and ordering, arithmetic and the other binary operators,
 * membership, indexing, slicing, `len` and iteration.
 */
import type { BinaryOp } from './ast.js';
import { fail } from './errors.js';
import { percentFormat, repr } from './format.js';
import {
  big,
  floatMod,
  floatOf,
  intAdd,
  intCompare,
  intFloorDiv,
  intMod,
  intMul,
  intSub,
  isNumber,
  normalize,
  toNumber,
  type Int,
} from './numbers.js';
import {
  StarDict,
  StarFloat,
  StarList,
  StarRange,
  StarSet,
  StarTuple,
  hashKey,
  isInt,
  newDict,
  truth,
  typeName,
  type Value,
} from './values.js';

const MAX_REPEAT = 10_000_000;

export function equals(a: Value, b: Value, depth = 0): boolean {
  if (a === b) return true;
  if (depth > 100) fail('comparison exceeded maximum recursion depth');
  if (typeof a === 'string' || typeof a === 'boolean') return false;
  if (typeof a === 'number' || typeof a === 'bigint') {
    if (typeof b === 'number' || typeof b === 'bigint') return intCompare(a, b) === 0;
    return b instanceof StarFloat ? toNumber(a) === b.v : false;
  }
  if (a === null || b === null) return false;
  if (a instanceof StarFloat) {
    if (b instanceof StarFloat) return a.v === b.v || (Number.isNaN(a.v) && Number.isNaN(b.v));
    return isInt(b) ? a.v === toNumber(b) : false;
  }
  if (a instanceof StarList && b instanceof StarList) return sequenceEquals(a.items, b.items, depth);
  if (a instanceof StarTuple && b instanceof StarTuple) return sequenceEquals(a.items, b.items, depth);
  if (a instanceof StarDict && b instanceof StarDict) {
    if (a.size !== b.size) return false;
    for (const [h, v] of a.map) {
      const w = b.map.get(h);
      if (w === undefined || !equals(v, w, depth + 1)) return false;
    }
    return true;
  }
  if (a instanceof StarSet && b instanceof StarSet) {
    if (a.map.size !== b.map.size) return false;
    for (const h of a.map.keys()) if (!b.map.has(h)) return false;
    return true;
  }
  if (a instanceof StarRange && b instanceof StarRange) {
    const n = a.length;
    if (n !== b.length) return false;
    return n === 0 || (a.start === b.start && (n === 1 || a.step === b.step));
  }
  return false;
}

function sequenceEquals(a: readonly Value[], b: readonly Value[], depth: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!equals(a[i] ?? null, b[i] ?? null, depth + 1)) return false;
  return true;
}

/** -1, 0 or 1; throws for values of types that are not ordered. */
export function compare(a: Value, b: Value, depth = 0): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (isNumber(a) && isNumber(b)) {
    if (isInt(a) && isInt(b)) return intCompare(a, b);
    const x = floatOf(a);
    const y = floatOf(b);
    // NaN sorts after every other value and equals itself, as in starlark-go.
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (
    (a instanceof StarList && b instanceof StarList) ||
    (a instanceof StarTuple && b instanceof StarTuple)
  ) {
    if (depth > 100) fail('comparison exceeded maximum recursion depth');
    const x = a.items;
    const y = b.items;
    for (let i = 0; i < x.length && i < y.length; i++) {
      const xi = x[i] ?? null;
      const yi = y[i] ?? null;
      if (!equals(xi, yi)) return compare(xi, yi, depth + 1);
    }
    return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
  }
  return fail(`unsupported comparison: ${typeName(a)} < ${typeName(b)}`);
}

export function contains(container: Value, x: Value): boolean {
  if (typeof container === 'string') {
    if (typeof x !== 'string') fail(`'in <string>' requires string as left operand, not ${typeName(x)}`);
    return container.includes(x);
  }
  if (container instanceof StarDict) return container.map.has(hashKey(x));
  if (container instanceof StarSet) return container.has(x);
  if (container instanceof StarList || container instanceof StarTuple) {
    for (const item of container.items) if (equals(item, x)) return true;
    return false;
  }
  if (container instanceof StarRange) {
    if (!isInt(x)) return false;
    const n = toNumber(x);
    const { start, step } = container;
    const i = (n - start) / step;
    return Number.isInteger(i) && i >= 0 && i < container.length;
  }
  return fail(`unsupported operand type for in: ${typeName(container)}`);
}

function repeat(items: readonly Value[], n: Value): Value[] {
  const times = Math.max(0, toNumber(n as Int));
  if (items.length * times > MAX_REPEAT) fail(`excessive repeat (${items.length} * ${times} elements)`);
  const out: Value[] = [];
  for (let i = 0; i < times; i++) out.push(...items);
  return out;
}

function repeatString(s: string, n: Value): string {
  const times = Math.max(0, toNumber(n as Int));
  if (s.length * times > MAX_REPEAT) fail(`excessive repeat (${s.length} * ${times} elements)`);
  return s.repeat(times);
}

function unsupported(op: string, x: Value, y: Value): never {
  fail(`unknown binary op: ${typeName(x)} ${op} ${typeName(y)}`);
}

function floatResult(f: number): StarFloat {
  return new StarFloat(f);
}

function shiftCount(y: Int): number {
  const n = toNumber(y);
  if (n < 0) fail(`negative shift count: ${n}`);
  if (n >= 512) fail(`shift count too large: ${n}`);
  return n;
}

/** A unary operator: `not`, `-`, `+`, `~`. */
export function unary(op: '-' | '+' | '~' | 'not', x: Value): Value {
  switch (op) {
    case 'not':
      return !truth(x);
    case '-':
      if (typeof x === 'number') return x === 0 ? 0 : -x;
      if (typeof x === 'bigint') return intSub(0, x);
      if (x instanceof StarFloat) return new StarFloat(-x.v);
      return fail(`unknown unary op: -${typeName(x)}`);
    case '+':
      if (typeof x === 'number' || typeof x === 'bigint' || x instanceof StarFloat) return x;
      return fail(`unknown unary op: +${typeName(x)}`);
    case '~':
      if (typeof x === 'number' || typeof x === 'bigint') return intSub(intMul(x, -1), 1);
      return fail(`unknown unary op: ~${typeName(x)}`);
  }
}

/** Every binary operator except `and`/`or` (short-circuit, in the evaluator). */
export function binary(op: BinaryOp, x: Value, y: Value): Value {
  switch (op) {
    case '+':
      if (typeof x === 'number' && typeof y === 'number') {
        const r = x + y;
        if (Number.isSafeInteger(r)) return r;
      }
      if (typeof x === 'string' && typeof y === 'string') return x + y;
      if (isInt(x) && isInt(y)) return intAdd(x, y);
      if (isNumber(x) && isNumber(y)) return floatResult(floatOf(x) + floatOf(y));
      if (x instanceof StarList && y instanceof StarList) return new StarList([...x.items, ...y.items]);
      if (x instanceof StarTuple && y instanceof StarTuple) return new StarTuple([...x.items, ...y.items]);
      return unsupported('+', x, y);
    case '-':
      if (isInt(x) && isInt(y)) return intSub(x, y);
      if (isNumber(x) && isNumber(y)) return floatResult(floatOf(x) - floatOf(y));
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const v of x.values()) if (!y.has(v)) out.addUnchecked(v);
        return out;
      }
      return unsupported('-', x, y);
    case '*':
      if (isInt(x) && isInt(y)) return intMul(x, y);
      if (isNumber(x) && isNumber(y)) return floatResult(floatOf(x) * floatOf(y));
      if (typeof x === 'string' && isInt(y)) return repeatString(x, y);
      if (isInt(x) && typeof y === 'string') return repeatString(y, x);
      if (x instanceof StarList && isInt(y)) return new StarList(repeat(x.items, y));
      if (isInt(x) && y instanceof StarList) return new StarList(repeat(y.items, x));
      if (x instanceof StarTuple && isInt(y)) return new StarTuple(repeat(x.items, y));
      if (isInt(x) && y instanceof StarTuple) return new StarTuple(repeat(y.items, x));
      return unsupported('*', x, y);
    case '/':
      if (isNumber(x) && isNumber(y)) {
        const d = floatOf(y);
        if (d === 0) fail('floating-point division by zero');
        return floatResult(floatOf(x) / d);
      }
      return unsupported('/', x, y);
    case '//':
      if (isInt(x) && isInt(y)) return intFloorDiv(x, y);
      if (isNumber(x) && isNumber(y)) {
        const d = floatOf(y);
        if (d === 0) fail('floored division by zero');
        return floatResult(Math.floor(floatOf(x) / d));
      }
      return unsupported('//', x, y);
    case '%':
      if (isInt(x) && isInt(y)) return intMod(x, y);
      if (isNumber(x) && isNumber(y)) return floatResult(floatMod(floatOf(x), floatOf(y)));
      if (typeof x === 'string') return percentFormat(x, y);
      return unsupported('%', x, y);
    case '&':
      if (isInt(x) && isInt(y)) return normalize(big(x) & big(y));
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const v of x.values()) if (y.has(v)) out.addUnchecked(v);
        return out;
      }
      return unsupported('&', x, y);
    case '|':
      if (isInt(x) && isInt(y)) return normalize(big(x) | big(y));
      if (x instanceof StarDict && y instanceof StarDict) {
        const out = newDict(x.entries());
        for (const [k, v] of y.entries()) out.setUnchecked(k, v);
        return out;
      }
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const v of x.values()) out.addUnchecked(v);
        for (const v of y.values()) out.addUnchecked(v);
        return out;
      }
      return unsupported('|', x, y);
    case '^':
      if (isInt(x) && isInt(y)) return normalize(big(x) ^ big(y));
      if (x instanceof StarSet && y instanceof StarSet) {
        const out = new StarSet();
        for (const v of x.values()) if (!y.has(v)) out.addUnchecked(v);
        for (const v of y.values()) if (!x.has(v)) out.addUnchecked(v);
        return out;
      }
      return unsupported('^', x, y);
    case '<<':
      if (isInt(x) && isInt(y)) return normalize(big(x) << BigInt(shiftCount(y)));
      return unsupported('<<', x, y);
    case '>>':
      if (isInt(x) && isInt(y)) return normalize(big(x) >> BigInt(shiftCount(y)));
      return unsupported('>>', x, y);
    case '==':
      return equals(x, y);
    case '!=':
      return !equals(x, y);
    case '<':
      return compare(x, y) < 0;
    case '>':
      return compare(x, y) > 0;
    case '<=':
      return compare(x, y) <= 0;
    case '>=':
      return compare(x, y) >= 0;
    case 'in':
      return contains(y, x);
    case 'not in':
      return !contains(y, x);
    case 'and':
    case 'or':
      return fail(`internal error: ${op} is evaluated by the interpreter`);
  }
}

export function length(v: Value): number {
  if (typeof v === 'string') return v.length;
  if (v instanceof StarList || v instanceof StarTuple) return v.items.length;
  if (v instanceof StarDict) return v.size;
  if (v instanceof StarSet) return v.map.size;
  if (v instanceof StarRange) return v.length;
  return fail(`value of type ${typeName(v)} has no len`);
}

/** An index value as a position in a sequence of length `n` (negative counts from the end). */
export function toIndex(i: Value, n: number, what: string): number {
  if (!isInt(i)) fail(`${what} index: got ${typeName(i)}, want int`);
  let k = toNumber(i);
  if (k < 0) k += n;
  if (k < 0 || k >= n) fail(`${what} index ${toNumber(i)} out of range [${-n}:${n}]`);
  return k;
}

export function getIndex(x: Value, i: Value): Value {
  if (x instanceof StarDict) {
    const v = x.get(i);
    if (v === undefined) fail(`key ${keyText(i)} not in dict`);
    return v;
  }
  if (x instanceof StarList) return x.items[toIndex(i, x.items.length, 'list')] ?? null;
  if (x instanceof StarTuple) return x.items[toIndex(i, x.items.length, 'tuple')] ?? null;
  if (typeof x === 'string') return x.charAt(toIndex(i, x.length, 'string'));
  if (x instanceof StarRange) return x.at(toIndex(i, x.length, 'range'));
  return fail(`unhandled index operation ${typeName(x)}[${typeName(i)}]`);
}

function keyText(k: Value): string {
  return repr(k);
}

export function setIndex(x: Value, i: Value, v: Value): void {
  if (x instanceof StarDict) {
    x.set(i, v);
    return;
  }
  if (x instanceof StarList) {
    if (x.frozen) fail('cannot assign to element of frozen list');
    x.items[toIndex(i, x.items.length, 'list')] = v;
    return;
  }
  fail(`${typeName(x)} value does not support item assignment`);
}

function sliceBound(v: Value, n: number, step: number, isStart: boolean): number {
  if (v === null) {
    if (step > 0) return isStart ? 0 : n;
    return isStart ? n - 1 : -1;
  }
  if (!isInt(v)) fail(`invalid slice index: got ${typeName(v)}, want int`);
  let k = toNumber(v);
  if (k < 0) k += n;
  if (step > 0) return Math.min(Math.max(k, 0), n);
  return Math.min(Math.max(k, -1), n - 1);
}

/** The indices `x[lo:hi:step]` selects from a sequence of length n. */
function sliceIndices(n: number, lo: Value, hi: Value, stepValue: Value): number[] {
  let step = 1;
  if (stepValue !== null) {
    if (!isInt(stepValue)) fail(`invalid slice step: got ${typeName(stepValue)}, want int`);
    step = toNumber(stepValue);
    if (step === 0) fail('zero is not a valid slice step');
  }
  const start = sliceBound(lo, n, step, true);
  const end = sliceBound(hi, n, step, false);
  const out: number[] = [];
  if (step > 0) for (let i = start; i < end; i += step) out.push(i);
  else for (let i = start; i > end; i += step) out.push(i);
  return out;
}

export function slice(x: Value, lo: Value, hi: Value, step: Value): Value {
  if (typeof x === 'string') {
    if (step === null || step === 1) {
      const n = x.length;
      return x.slice(sliceBound(lo, n, 1, true), sliceBound(hi, n, 1, false));
    }
    return sliceIndices(x.length, lo, hi, step)
      .map((i) => x.charAt(i))
      .join('');
  }
  if (x instanceof StarList || x instanceof StarTuple) {
    const items = x.items;
    const picked = sliceIndices(items.length, lo, hi, step).map((i) => items[i] ?? null);
    return x instanceof StarList ? new StarList(picked) : new StarTuple(picked);
  }
  if (x instanceof StarRange) {
    const picked = sliceIndices(x.length, lo, hi, step);
    const first = picked[0];
    const stepN = step === null ? 1 : toNumber(step as Int);
    if (first === undefined) return new StarRange(0, 0, 1);
    return new StarRange(x.at(first), x.at(first) + picked.length * x.step * stepN, x.step * stepN);
  }
  return fail(`invalid slice operand ${typeName(x)}`);
}

/** The elements a `for` loop visits (dict keys, set members); strings are not iterable. */
export function iterate(v: Value): readonly Value[] {
  if (v instanceof StarList || v instanceof StarTuple) return v.items;
  if (v instanceof StarDict) return v.keys();
  if (v instanceof StarSet) return v.values();
  if (v instanceof StarRange) {
    const out: Value[] = [];
    for (let i = 0, n = v.length; i < n; i++) out.push(v.at(i));
    return out;
  }
  return fail(`${typeName(v)} value is not iterable`);
}

/** Runs `body` with the container marked as being iterated (mutation is an error meanwhile). */
export function guarded<T>(v: Value, body: () => T): T {
  if (v instanceof StarList || v instanceof StarDict || v instanceof StarSet) {
    v.iterating++;
    try {
      return body();
    } finally {
      v.iterating--;
    }
  }
  return body();
}
