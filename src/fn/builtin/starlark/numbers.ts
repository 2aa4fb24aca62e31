/**
 * Starlark numbers: ints of any size (a JS number while exact, a bigint beyond 2^53) and floats
 * (`StarFloat`). Integer arithmetic stays exact; `/` always gives a float; `//` and `%` floor, with
 * the sign of the divisor, as in Python.
 */
import { fail } from './errors.js';
import { StarFloat, type Value } from './values.js';

export type Int = number | bigint;

const MAX = BigInt(Number.MAX_SAFE_INTEGER);

/** A bigint as a number when exact. */
export function normalize(n: bigint): Int {
  return n <= MAX && n >= -MAX ? Number(n) : n;
}

export function big(n: Int): bigint {
  return typeof n === 'bigint' ? n : BigInt(n);
}

export function intAdd(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normalize(big(a) + big(b));
}

export function intSub(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (Number.isSafeInteger(r)) return r;
  }
  return normalize(big(a) - big(b));
}

export function intMul(a: Int, b: Int): Int {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
  }
  return normalize(big(a) * big(b));
}

export function intFloorDiv(a: Int, b: Int): Int {
  if (b === 0 || b === 0n) fail('integer division by zero');
  if (typeof a === 'number' && typeof b === 'number') return Math.floor(a / b) || 0;
  const x = big(a);
  const y = big(b);
  let q = x / y;
  if (x % y !== 0n && x < 0n !== y < 0n) q -= 1n;
  return normalize(q);
}

export function intMod(a: Int, b: Int): Int {
  if (b === 0 || b === 0n) fail('integer modulo by zero');
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a % b;
    return r !== 0 && r < 0 !== b < 0 ? r + b : r || 0;
  }
  const x = big(a);
  const y = big(b);
  const r = x % y;
  return normalize(r !== 0n && r < 0n !== y < 0n ? r + y : r);
}

export function intCompare(a: Int, b: Int): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = big(a);
  const y = big(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function toNumber(n: Int): number {
  return typeof n === 'number' ? n : Number(n);
}

/** The float value of an int or float operand. */
export function floatOf(v: Value): number {
  if (v instanceof StarFloat) return v.v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return fail('not a number');
}

export function isNumber(v: Value): v is Int | StarFloat {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof StarFloat;
}

export function floatMod(a: number, b: number): number {
  if (b === 0) fail('floating-point modulo by zero');
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/** A float that holds an integral value as an int (for `int()` and `math.floor`). */
export function floatToInt(f: number): Int {
  if (!Number.isFinite(f)) fail(`cannot convert float ${f} to integer`);
  const t = Math.trunc(f);
  return Number.isSafeInteger(t) ? t || 0 : normalize(BigInt(t));
}

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 64)` plus Starlark's `.0` for integral values: the
 * shortest digits that read back as `f`, in exponent form below 1e-4 and from 1e6 up.
 */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'nan';
  if (!Number.isFinite(f)) return f > 0 ? '+inf' : '-inf';
  if (f === 0) return Object.is(f, -0) ? '-0.0' : '0.0';
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    const digits = String(Math.abs(exp)).padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  const s = String(f);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/** `%e`, `%f`, `%g` conversions with Go's default precision of 6. */
export function formatFloatVerb(f: number, verb: 'e' | 'f' | 'g' | 'E' | 'F' | 'G'): string {
  if (!Number.isFinite(f)) return formatFloat(f);
  const lower = verb.toLowerCase();
  let s: string;
  if (lower === 'f') s = f.toFixed(6);
  else if (lower === 'e') s = goExponent(f.toExponential(6));
  else s = formatFloat(f);
  return verb === lower ? s : s.toUpperCase();
}

function goExponent(s: string): string {
  const [m = '', e = '0'] = s.split('e');
  const n = Number(e);
  return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
}
