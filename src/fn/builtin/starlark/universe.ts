/**
 * The universal builtins of Starlark (starlark-go's set, with the `set` extension the kpt function
 * enables): None, True, False, abs, all, any, bool, chr, dict, dir, enumerate, fail, float,
 * getattr, hasattr, hash, int, len, list, max, min, ord, print, range, repr, reversed, set, sorted,
 * str, tuple, type, zip.
 */
import { asInt, asString, unpackArgs } from './args.js';
import { StarlarkError, fail } from './errors.js';
import { repr, str } from './format.js';
import { attribute, attributeNames, hasAttribute } from './methods.js';
import { big, floatToInt, normalize, toNumber, type Int } from './numbers.js';
import { compare, iterate, length } from './ops.js';
import {
  Builtin,
  StarDict,
  StarFloat,
  StarList,
  StarRange,
  StarSet,
  StarTuple,
  isInt,
  newTuple,
  truth,
  typeName,
  type BuiltinImpl,
  type CallContext,
  type Kwargs,
  type Value,
} from './values.js';

function one(fn: string, args: Value[], kwargs: Kwargs, name = 'x'): Value | undefined {
  return unpackArgs(fn, args, kwargs, [`${name}?`])[0];
}

function toDict(fn: string, args: Value[], kwargs: Kwargs): StarDict {
  if (args.length > 1) fail(`${fn}: got ${args.length} positional arguments, want at most 1`);
  const d = new StarDict();
  const src = args[0];
  if (src instanceof StarDict) for (const [k, v] of src.entries()) d.setUnchecked(k, v);
  else if (src !== undefined) {
    iterate(src).forEach((pair, i) => {
      const kv = pair instanceof StarTuple || pair instanceof StarList ? pair.items : undefined;
      if (!kv || kv.length !== 2) fail(`${fn}: dictionary update sequence element #${i} is not a pair`);
      d.setUnchecked(kv[0] ?? null, kv[1] ?? null);
    });
  }
  for (const [k, v] of kwargs) d.setUnchecked(k, v);
  return d;
}

function parseIntString(s: string, baseArg: number | undefined): Int {
  let text = s.trim().replace(/_/g, '');
  let sign = 1n;
  if (text.startsWith('-') || text.startsWith('+')) {
    if (text.startsWith('-')) sign = -1n;
    text = text.slice(1);
  }
  let base = baseArg ?? 10;
  const prefix = text.slice(0, 2).toLowerCase();
  const prefixed = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 0;
  if (prefixed && (base === 0 || base === prefixed)) {
    base = prefixed;
    text = text.slice(2);
  } else if (base === 0) {
    if (text.length > 1 && text.startsWith('0')) fail(`int: invalid literal with base 0: ${s}`);
    base = 10;
  }
  if (base < 2 || base > 36) fail(`int: base must be an integer >= 2 && <= 36`);
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, base);
  if (text === '' || ![...text.toLowerCase()].every((c) => digits.includes(c))) {
    fail(`int: invalid literal with base ${base}: ${s}`);
  }
  let n = 0n;
  for (const c of text.toLowerCase()) n = n * BigInt(base) + BigInt(digits.indexOf(c));
  return normalize(sign * n);
}

function minMax(fn: string, args: Value[], kwargs: Kwargs, ctx: CallContext, sign: number): Value {
  let key: Value = null;
  for (const [k, v] of kwargs) {
    if (k !== 'key') fail(`${fn}: unexpected keyword argument ${k}`);
    key = v;
  }
  const items = args.length === 1 ? iterate(args[0] ?? null) : args;
  if (items.length === 0)
    fail(`${fn}: ${args.length === 1 ? 'empty sequence' : 'need at least one argument'}`);
  let best = items[0] ?? null;
  let bestKey = key === null ? best : ctx.call(key, [best]);
  for (let i = 1; i < items.length; i++) {
    const x = items[i] ?? null;
    const xk = key === null ? x : ctx.call(key, [x]);
    if (compare(xk, bestKey) * sign > 0) {
      best = x;
      bestKey = xk;
    }
  }
  return best;
}

/** Java's `String.hashCode` over UTF-16 units, as Starlark's `hash` specifies for strings. */
function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

const FUNCTIONS: Record<string, BuiltinImpl> = {
  abs: (a, k) => {
    const [x] = unpackArgs('abs', a, k, ['x']);
    if (x instanceof StarFloat) return new StarFloat(Math.abs(x.v));
    if (typeof x === 'number') return Math.abs(x);
    if (typeof x === 'bigint') return x < 0n ? -x : x;
    return fail(`abs: got ${typeName(x ?? null)}, want int or float`);
  },
  all: (a, k) => iterate(unpackArgs('all', a, k, ['x'])[0] ?? null).every((v) => truth(v)),
  any: (a, k) => iterate(unpackArgs('any', a, k, ['x'])[0] ?? null).some((v) => truth(v)),
  bool: (a, k) => truth(one('bool', a, k) ?? false),
  chr: (a, k) => {
    const n = asInt('chr', 'i', unpackArgs('chr', a, k, ['i'])[0]);
    if (n < 0 || n > 0x10ffff) fail(`chr: Unicode code point ${n} out of range (<0 or >0x10FFFF)`);
    return String.fromCodePoint(n);
  },
  dict: (a, k) => toDict('dict', a, k),
  dir: (a, k) => new StarList(attributeNames(unpackArgs('dir', a, k, ['x'])[0] ?? null)),
  enumerate: (a, k) => {
    const [x, start] = unpackArgs('enumerate', a, k, ['x', 'start?']);
    const from = start === undefined ? 0 : asInt('enumerate', 'start', start);
    return new StarList(iterate(x ?? null).map((v, i) => newTuple([from + i, v])));
  },
  fail: (a, k) => {
    let sep = ' ';
    for (const [name, v] of k) {
      if (name !== 'sep') fail(`fail: unexpected keyword argument ${name}`);
      sep = asString('fail', 'sep', v);
    }
    throw new StarlarkError(`fail: ${a.map(str).join(sep)}`, undefined, { isFail: true });
  },
  float: (a, k) => {
    const x = one('float', a, k);
    if (x === undefined) return new StarFloat(0);
    if (x instanceof StarFloat) return x;
    if (typeof x === 'boolean') return new StarFloat(x ? 1 : 0);
    if (isInt(x)) {
      const f = toNumber(x);
      if (!Number.isFinite(f)) fail('int too large to convert to float');
      return new StarFloat(f);
    }
    if (typeof x === 'string') {
      const t = x.trim().toLowerCase();
      if (/^[+-]?(inf|infinity)$/.test(t)) return new StarFloat(t.startsWith('-') ? -Infinity : Infinity);
      if (/^[+-]?nan$/.test(t)) return new StarFloat(NaN);
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) fail(`invalid float literal: ${x}`);
      const f = Number(t);
      if (!Number.isFinite(f)) fail('floating-point number too large');
      return new StarFloat(f);
    }
    return fail(`float: got ${typeName(x)}, want number or string`);
  },
  getattr: (a, k) => {
    const [x, name, dflt] = unpackArgs('getattr', a, k, ['x', 'name', 'default?']);
    const n = asString('getattr', 'name', name);
    if (dflt !== undefined && !hasAttribute(x ?? null, n)) return dflt;
    return attribute(x ?? null, n);
  },
  hasattr: (a, k) => {
    const [x, name] = unpackArgs('hasattr', a, k, ['x', 'name']);
    return hasAttribute(x ?? null, asString('hasattr', 'name', name));
  },
  hash: (a, k) => {
    const [x] = unpackArgs('hash', a, k, ['x']);
    if (typeof x === 'string') return stringHash(x);
    if (x !== undefined && isInt(x)) return Number(big(x) & 0xffffffffn) | 0;
    if (x instanceof StarFloat) return Math.trunc(x.v) | 0;
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (x === null) return 0;
    if (x instanceof StarTuple) return stringHash(repr(x));
    return fail(`hash: unhashable type: ${typeName(x ?? null)}`);
  },
  int: (a, k) => {
    const [x, base] = unpackArgs('int', a, k, ['x?', 'base?']);
    if (x === undefined) return 0;
    if (typeof x === 'string')
      return parseIntString(x, base === undefined ? undefined : asInt('int', 'base', base));
    if (base !== undefined) fail("int: can't convert non-string with explicit base");
    if (typeof x === 'boolean') return x ? 1 : 0;
    if (isInt(x)) return x;
    if (x instanceof StarFloat) {
      if (Number.isNaN(x.v)) fail('int: cannot convert float NaN to integer');
      if (!Number.isFinite(x.v)) fail('int: cannot convert float infinity to integer');
      return floatToInt(x.v);
    }
    return fail(`int: got ${typeName(x)}, want string, number or bool`);
  },
  len: (a, k) => length(unpackArgs('len', a, k, ['x'])[0] ?? null),
  list: (a, k) => {
    const x = one('list', a, k);
    return new StarList(x === undefined ? [] : [...iterate(x)]);
  },
  max: (a, k, ctx) => minMax('max', a, k, ctx, 1),
  min: (a, k, ctx) => minMax('min', a, k, ctx, -1),
  ord: (a, k) => {
    const s = asString('ord', 's', unpackArgs('ord', a, k, ['s'])[0]);
    const chars = [...s];
    if (chars.length !== 1) fail(`ord: string encodes ${chars.length} Unicode code points, want 1`);
    return s.codePointAt(0) ?? 0;
  },
  print: (a, k, ctx) => {
    let sep = ' ';
    for (const [name, v] of k) {
      if (name !== 'sep') fail(`print: unexpected keyword argument ${name}`);
      sep = asString('print', 'sep', v);
    }
    ctx.print(a.map(str).join(sep));
    return null;
  },
  range: (a, k) => {
    if (k.length > 0) fail('range: does not accept keyword arguments');
    if (a.length < 1 || a.length > 3) fail(`range: got ${a.length} arguments, want 1-3`);
    const n = a.map((v, i) => asInt('range', ['start', 'stop', 'step'][i] ?? 'x', v));
    const [start, stop, step] = a.length === 1 ? [0, n[0] ?? 0, 1] : [n[0] ?? 0, n[1] ?? 0, n[2] ?? 1];
    if (step === 0) fail('range: step argument must not be zero');
    return new StarRange(start, stop, step);
  },
  repr: (a, k) => repr(unpackArgs('repr', a, k, ['x'])[0] ?? null),
  reversed: (a, k) => new StarList([...iterate(unpackArgs('reversed', a, k, ['x'])[0] ?? null)].reverse()),
  set: (a, k) => {
    const x = one('set', a, k);
    const s = new StarSet();
    if (x !== undefined) for (const v of iterate(x)) s.addUnchecked(v);
    return s;
  },
  sorted: (a, k, ctx) => {
    const [x, key, reverse] = unpackArgs('sorted', a, k, ['iterable', 'key?', 'reverse?']);
    const items = [...iterate(x ?? null)];
    const keys = key === undefined || key === null ? items : items.map((v) => ctx.call(key, [v]));
    const order = items.map((_, i) => i);
    const dir = reverse !== undefined && truth(reverse) ? -1 : 1;
    order.sort((i, j) => dir * compare(keys[i] ?? null, keys[j] ?? null) || i - j);
    return new StarList(order.map((i) => items[i] ?? null));
  },
  str: (a, k) => str(unpackArgs('str', a, k, ['x'])[0] ?? null),
  tuple: (a, k) => {
    const x = one('tuple', a, k);
    return newTuple(x === undefined ? [] : [...iterate(x)]);
  },
  type: (a, k) => typeName(unpackArgs('type', a, k, ['x'])[0] ?? null),
  zip: (a, k) => {
    if (k.length > 0) fail('zip: does not accept keyword arguments');
    const lists = a.map((v) => iterate(v));
    const n = lists.length === 0 ? 0 : Math.min(...lists.map((l) => l.length));
    const out: Value[] = [];
    for (let i = 0; i < n; i++) out.push(newTuple(lists.map((l) => l[i] ?? null)));
    return new StarList(out);
  },
};

/** The universe: names every program sees unless it binds them itself. */
export function universe(): Map<string, Value> {
  const u = new Map<string, Value>([
    ['None', null],
    ['True', true],
    ['False', false],
  ]);
  for (const [name, impl] of Object.entries(FUNCTIONS)) u.set(name, new Builtin(name, impl));
  return u;
}
