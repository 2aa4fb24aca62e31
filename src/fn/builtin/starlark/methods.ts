/**
 * Methods of strings, lists, dicts and sets (starlark-go's set: `"a,b".split(",")`, `l.append(x)`,
 * `d.get(k)`…). A method is called with its receiver; `attribute()` binds one for `f = s.split`.
 */
import { asInt, asString, noArgs, optInt, unpackArgs } from './args.js';
import { fail } from './errors.js';
import { strFormat } from './format.js';
import { equals, iterate, toIndex } from './ops.js';
import {
  Builtin,
  StarDict,
  StarList,
  StarSet,
  StarStruct,
  StarTuple,
  checkMutable,
  newTuple,
  typeName,
  type CallContext,
  type Kwargs,
  type Value,
} from './values.js';

type Method<R> = (recv: R, args: Value[], kwargs: Kwargs, ctx: CallContext) => Value;

function sub(fn: string, s: string, args: Value[], kwargs: Kwargs): [string, number, number] {
  const [x, start, end] = unpackArgs(fn, args, kwargs, ['sub', 'start?', 'end?']);
  const n = s.length;
  const bound = (v: Value | undefined, d: number): number => {
    if (v === undefined || v === null) return d;
    let k = asInt(fn, 'start', v);
    if (k < 0) k += n;
    return Math.min(Math.max(k, 0), n);
  };
  return [asString(fn, 'sub', x), bound(start, 0), bound(end, n)];
}

function prefixes(fn: string, v: Value | undefined): string[] {
  if (v instanceof StarTuple) return v.items.map((x) => asString(fn, 'prefix', x));
  return [asString(fn, 'prefix', v)];
}

function stripChars(fn: string, args: Value[], kwargs: Kwargs): string | undefined {
  const [chars] = unpackArgs(fn, args, kwargs, ['cutset?']);
  return chars === undefined || chars === null ? undefined : asString(fn, 'cutset', chars);
}

function isSpace(c: string): boolean {
  return /\s/.test(c);
}

function lstrip(s: string, chars: string | undefined): string {
  let i = 0;
  while (i < s.length && (chars === undefined ? isSpace(s.charAt(i)) : chars.includes(s.charAt(i)))) i++;
  return s.slice(i);
}

function rstrip(s: string, chars: string | undefined): string {
  let i = s.length;
  while (i > 0 && (chars === undefined ? isSpace(s.charAt(i - 1)) : chars.includes(s.charAt(i - 1)))) i--;
  return s.slice(0, i);
}

function split(fn: string, s: string, args: Value[], kwargs: Kwargs, fromRight: boolean): Value {
  const [sepV, maxV] = unpackArgs(fn, args, kwargs, ['sep?', 'maxsplit?']);
  const max = optInt(fn, 'maxsplit', maxV, -1);
  if (sepV === undefined || sepV === null) {
    const words = s.split(/\s+/).filter((w) => w !== '');
    if (max < 0 || words.length <= max + 1) return new StarList(words);
    // Whitespace split with a limit keeps the rest of the string as the last part.
    const parts: string[] = [];
    let rest = fromRight ? s.trimEnd() : s.trimStart();
    for (let i = 0; i < max; i++) {
      if (fromRight) {
        const m = /\s+(\S*)$/.exec(rest);
        if (!m) break;
        parts.unshift(m[1] ?? '');
        rest = rest.slice(0, m.index).trimEnd();
      } else {
        const m = /^(\S*)\s+/.exec(rest);
        if (!m) break;
        parts.push(m[1] ?? '');
        rest = rest.slice(m[0].length);
      }
    }
    return new StarList(fromRight ? [rest, ...parts] : [...parts, rest]);
  }
  const sep = asString(fn, 'sep', sepV);
  if (sep === '') fail(`${fn}: empty separator`);
  const all = s.split(sep);
  if (max < 0 || all.length <= max + 1) return new StarList(all);
  if (fromRight)
    return new StarList([all.slice(0, all.length - max).join(sep), ...all.slice(all.length - max)]);
  return new StarList([...all.slice(0, max), all.slice(max).join(sep)]);
}

function casePredicate(s: string, letters: (c: string) => boolean): boolean {
  let cased = false;
  for (const c of s) {
    if (c.toLowerCase() !== c.toUpperCase()) {
      if (!letters(c)) return false;
      cased = true;
    }
  }
  return cased;
}

function title(s: string): string {
  let out = '';
  let prevCased = false;
  for (const c of s) {
    const cased = c.toLowerCase() !== c.toUpperCase();
    out += cased ? (prevCased ? c.toLowerCase() : c.toUpperCase()) : c;
    prevCased = cased;
  }
  return out;
}

const STRING: Record<string, Method<string>> = {
  capitalize: (s, a, k) => (noArgs('capitalize', a, k), s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()),
  count: (s, a, k) => {
    const [x, start, end] = sub('count', s, a, k);
    const hay = s.slice(start, end);
    if (x === '') return hay.length + 1;
    return hay.split(x).length - 1;
  },
  elems: (s, a, k) => (noArgs('elems', a, k), new StarList([...s])),
  endswith: (s, a, k) => {
    const [x, start, end] = unpackArgs('endswith', a, k, ['suffix', 'start?', 'end?']);
    const [, from, to] = sub(
      'endswith',
      s,
      [''],
      [
        ['start', start ?? null],
        ['end', end ?? null],
      ],
    );
    return prefixes('endswith', x).some((p) => s.slice(from, to).endsWith(p));
  },
  find: (s, a, k) => {
    const [x, start, end] = sub('find', s, a, k);
    const i = s.slice(0, end).indexOf(x, start);
    return i;
  },
  format: (s, a, k) => strFormat(s, a, new Map(k)),
  index: (s, a, k) => {
    const [x, start, end] = sub('index', s, a, k);
    const i = s.slice(0, end).indexOf(x, start);
    if (i < 0) fail('index: substring not found');
    return i;
  },
  isalnum: (s, a, k) => (noArgs('isalnum', a, k), /^[\p{L}\p{N}]+$/u.test(s)),
  isalpha: (s, a, k) => (noArgs('isalpha', a, k), /^\p{L}+$/u.test(s)),
  isdigit: (s, a, k) => (noArgs('isdigit', a, k), /^\p{Nd}+$/u.test(s)),
  islower: (s, a, k) => (noArgs('islower', a, k), casePredicate(s, (c) => c === c.toLowerCase())),
  isspace: (s, a, k) => (noArgs('isspace', a, k), s.length > 0 && /^\s+$/.test(s)),
  istitle: (s, a, k) => (noArgs('istitle', a, k), casePredicate(s, () => true) && title(s) === s),
  isupper: (s, a, k) => (noArgs('isupper', a, k), casePredicate(s, (c) => c === c.toUpperCase())),
  join: (s, a, k) => {
    const [it] = unpackArgs('join', a, k, ['iterable']);
    return iterate(it ?? null)
      .map((x) => {
        if (typeof x !== 'string') fail(`join: in list, want string, got ${typeName(x)}`);
        return x;
      })
      .join(s);
  },
  lower: (s, a, k) => (noArgs('lower', a, k), s.toLowerCase()),
  lstrip: (s, a, k) => lstrip(s, stripChars('lstrip', a, k)),
  partition: (s, a, k) => {
    const [x] = unpackArgs('partition', a, k, ['sep']);
    const sep = asString('partition', 'sep', x);
    if (sep === '') fail('partition: empty separator');
    const i = s.indexOf(sep);
    return i < 0 ? newTuple([s, '', '']) : newTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  removeprefix: (s, a, k) => {
    const p = asString('removeprefix', 'prefix', unpackArgs('removeprefix', a, k, ['prefix'])[0]);
    return s.startsWith(p) ? s.slice(p.length) : s;
  },
  removesuffix: (s, a, k) => {
    const p = asString('removesuffix', 'suffix', unpackArgs('removesuffix', a, k, ['suffix'])[0]);
    return p !== '' && s.endsWith(p) ? s.slice(0, s.length - p.length) : s;
  },
  replace: (s, a, k) => {
    const [o, n, c] = unpackArgs('replace', a, k, ['old', 'new', 'count?']);
    const old = asString('replace', 'old', o);
    const repl = asString('replace', 'new', n);
    const count = optInt('replace', 'count', c, -1);
    if (count < 0) return s.split(old).join(repl);
    let out = '';
    let rest = s;
    for (let i = 0; i < count; i++) {
      const at = rest.indexOf(old);
      if (at < 0) break;
      out += rest.slice(0, at) + repl;
      rest = rest.slice(at + old.length);
      if (old === '') {
        out += rest.charAt(0);
        rest = rest.slice(1);
      }
    }
    return out + rest;
  },
  rfind: (s, a, k) => {
    const [x, start, end] = sub('rfind', s, a, k);
    const i = s.slice(start, end).lastIndexOf(x);
    return i < 0 ? -1 : i + start;
  },
  rindex: (s, a, k) => {
    const [x, start, end] = sub('rindex', s, a, k);
    const i = s.slice(start, end).lastIndexOf(x);
    if (i < 0) fail('rindex: substring not found');
    return i + start;
  },
  rpartition: (s, a, k) => {
    const [x] = unpackArgs('rpartition', a, k, ['sep']);
    const sep = asString('rpartition', 'sep', x);
    if (sep === '') fail('rpartition: empty separator');
    const i = s.lastIndexOf(sep);
    return i < 0 ? newTuple(['', '', s]) : newTuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rsplit: (s, a, k) => split('rsplit', s, a, k, true),
  rstrip: (s, a, k) => rstrip(s, stripChars('rstrip', a, k)),
  split: (s, a, k) => split('split', s, a, k, false),
  splitlines: (s, a, k) => {
    const [keep] = unpackArgs('splitlines', a, k, ['keepends?']);
    const lines: string[] = [];
    const re = /\r\n|\n|\r/g;
    let last = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
      lines.push(s.slice(last, keep === true ? m.index + m[0].length : m.index));
      last = m.index + m[0].length;
    }
    if (last < s.length) lines.push(s.slice(last));
    return new StarList(lines);
  },
  startswith: (s, a, k) => {
    const [x, start, end] = unpackArgs('startswith', a, k, ['prefix', 'start?', 'end?']);
    const [, from, to] = sub(
      'startswith',
      s,
      [''],
      [
        ['start', start ?? null],
        ['end', end ?? null],
      ],
    );
    return prefixes('startswith', x).some((p) => s.slice(from, to).startsWith(p));
  },
  strip: (s, a, k) => {
    const chars = stripChars('strip', a, k);
    return rstrip(lstrip(s, chars), chars);
  },
  title: (s, a, k) => (noArgs('title', a, k), title(s)),
  upper: (s, a, k) => (noArgs('upper', a, k), s.toUpperCase()),
  codepoints: (s, a, k) => (noArgs('codepoints', a, k), new StarList([...s])),
  codepoint_ords: (s, a, k) => (
    noArgs('codepoint_ords', a, k),
    new StarList([...s].map((c) => c.codePointAt(0) ?? 0))
  ),
  elem_ords: (s, a, k) => (noArgs('elem_ords', a, k), new StarList([...Buffer.from(s, 'utf8')])),
};

const LIST: Record<string, Method<StarList>> = {
  append: (l, a, k) => {
    const [x] = unpackArgs('append', a, k, ['x']);
    checkMutable(l, 'append to list');
    l.items.push(x ?? null);
    return null;
  },
  clear: (l, a, k) => {
    noArgs('clear', a, k);
    checkMutable(l, 'clear list');
    l.items.length = 0;
    return null;
  },
  extend: (l, a, k) => {
    const [x] = unpackArgs('extend', a, k, ['iterable']);
    checkMutable(l, 'extend list');
    l.items.push(...iterate(x ?? null));
    return null;
  },
  index: (l, a, k) => {
    const [x, start, end] = unpackArgs('index', a, k, ['x', 'start?', 'end?']);
    const n = l.items.length;
    const from =
      start === undefined
        ? 0
        : Math.max(
            0,
            Math.min(
              n,
              asInt('index', 'start', start) < 0
                ? asInt('index', 'start', start) + n
                : asInt('index', 'start', start),
            ),
          );
    const to =
      end === undefined
        ? n
        : Math.max(
            0,
            Math.min(
              n,
              asInt('index', 'end', end) < 0 ? asInt('index', 'end', end) + n : asInt('index', 'end', end),
            ),
          );
    for (let i = from; i < to; i++) if (equals(l.items[i] ?? null, x ?? null)) return i;
    return fail('index: value not in list');
  },
  insert: (l, a, k) => {
    const [i, x] = unpackArgs('insert', a, k, ['index', 'x']);
    checkMutable(l, 'insert into list');
    const n = l.items.length;
    let at = asInt('insert', 'index', i);
    if (at < 0) at += n;
    l.items.splice(Math.max(0, Math.min(n, at)), 0, x ?? null);
    return null;
  },
  pop: (l, a, k) => {
    const [i] = unpackArgs('pop', a, k, ['index?']);
    checkMutable(l, 'pop from list');
    if (l.items.length === 0) fail('pop: list is empty');
    const at = i === undefined ? l.items.length - 1 : toIndex(i, l.items.length, 'pop');
    return l.items.splice(at, 1)[0] ?? null;
  },
  remove: (l, a, k) => {
    const [x] = unpackArgs('remove', a, k, ['x']);
    checkMutable(l, 'remove from list');
    const at = l.items.findIndex((v) => equals(v, x ?? null));
    if (at < 0) fail('remove: element not found');
    l.items.splice(at, 1);
    return null;
  },
};

const DICT: Record<string, Method<StarDict>> = {
  clear: (d, a, k) => (noArgs('clear', a, k), d.clear(), null),
  get: (d, a, k) => {
    const [key, dflt] = unpackArgs('get', a, k, ['key', 'default?']);
    return d.get(key ?? null) ?? dflt ?? null;
  },
  items: (d, a, k) => (noArgs('items', a, k), new StarList(d.entries().map(([x, v]) => newTuple([x, v])))),
  keys: (d, a, k) => (noArgs('keys', a, k), new StarList(d.keys())),
  pop: (d, a, k) => {
    const [key, dflt] = unpackArgs('pop', a, k, ['key', 'default?']);
    const v = d.delete(key ?? null);
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    return fail(`pop: missing key ${JSON.stringify(key)}`);
  },
  popitem: (d, a, k) => {
    noArgs('popitem', a, k);
    const first = d.entries()[0];
    if (!first) fail('popitem: empty dict');
    d.delete(first[0]);
    return newTuple(first);
  },
  setdefault: (d, a, k) => {
    const [key, dflt] = unpackArgs('setdefault', a, k, ['key', 'default?']);
    const v = d.get(key ?? null);
    if (v !== undefined) return v;
    d.set(key ?? null, dflt ?? null);
    return dflt ?? null;
  },
  update: (d, a, k) => {
    if (a.length > 1) fail(`update: got ${a.length} arguments, want at most 1`);
    const src = a[0];
    if (src instanceof StarDict) for (const [x, v] of src.entries()) d.set(x, v);
    else if (src !== undefined) {
      for (const pair of iterate(src)) {
        const kv = pair instanceof StarTuple || pair instanceof StarList ? pair.items : undefined;
        if (!kv || kv.length !== 2) fail('update: dictionary update sequence element has wrong length');
        d.set(kv[0] ?? null, kv[1] ?? null);
      }
    }
    for (const [x, v] of k) d.set(x, v);
    return null;
  },
  values: (d, a, k) => (noArgs('values', a, k), new StarList([...d.map.values()])),
};

function otherSet(fn: string, a: Value[], k: Kwargs): Value[] {
  const [x] = unpackArgs(fn, a, k, ['iterable']);
  return [...iterate(x ?? null)];
}

const SET: Record<string, Method<StarSet>> = {
  add: (s, a, k) => (s.add(unpackArgs('add', a, k, ['x'])[0] ?? null), null),
  clear: (s, a, k) => {
    noArgs('clear', a, k);
    checkMutable(s, 'clear set');
    s.map.clear();
    return null;
  },
  difference: (s, a, k) => {
    const other = new StarSet();
    for (const v of otherSet('difference', a, k)) other.addUnchecked(v);
    const out = new StarSet();
    for (const v of s.values()) if (!other.has(v)) out.addUnchecked(v);
    return out;
  },
  discard: (s, a, k) => (s.delete(unpackArgs('discard', a, k, ['x'])[0] ?? null), null),
  intersection: (s, a, k) => {
    const other = new StarSet();
    for (const v of otherSet('intersection', a, k)) other.addUnchecked(v);
    const out = new StarSet();
    for (const v of s.values()) if (other.has(v)) out.addUnchecked(v);
    return out;
  },
  issubset: (s, a, k) => {
    const other = otherSet('issubset', a, k);
    return s.values().every((v) => other.some((o) => equals(o, v)));
  },
  issuperset: (s, a, k) => otherSet('issuperset', a, k).every((v) => s.has(v)),
  pop: (s, a, k) => {
    noArgs('pop', a, k);
    const first = s.values()[0];
    if (first === undefined) fail('pop: empty set');
    s.delete(first);
    return first;
  },
  remove: (s, a, k) => {
    const [x] = unpackArgs('remove', a, k, ['x']);
    if (!s.delete(x ?? null)) fail('remove: missing key');
    return null;
  },
  symmetric_difference: (s, a, k) => {
    const other = new StarSet();
    for (const v of otherSet('symmetric_difference', a, k)) other.addUnchecked(v);
    const out = new StarSet();
    for (const v of s.values()) if (!other.has(v)) out.addUnchecked(v);
    for (const v of other.values()) if (!s.has(v)) out.addUnchecked(v);
    return out;
  },
  union: (s, a, k) => {
    const out = new StarSet();
    for (const v of s.values()) out.addUnchecked(v);
    for (const v of otherSet('union', a, k)) out.addUnchecked(v);
    return out;
  },
  update: (s, a, k) => {
    for (const v of otherSet('update', a, k)) s.add(v);
    return null;
  },
};

function table(recv: Value): Record<string, Method<never>> | undefined {
  if (typeof recv === 'string') return STRING;
  if (recv instanceof StarList) return LIST;
  if (recv instanceof StarDict) return DICT;
  if (recv instanceof StarSet) return SET;
  return undefined;
}

/** Calls `recv.name(...)`: a method, or a callable field of a struct or module. */
export function callMethod(
  recv: Value,
  name: string,
  args: Value[],
  kwargs: Kwargs,
  ctx: CallContext,
): Value {
  const m = table(recv)?.[name];
  if (m) return (m as Method<Value>)(recv, args, kwargs, ctx);
  return ctx.call(attribute(recv, name), args, kwargs);
}

/** `x.name`: a struct field or a bound method; throws when there is none. */
export function attribute(recv: Value, name: string): Value {
  if (recv instanceof StarStruct) {
    const v = recv.get(name);
    if (v === undefined) {
      fail(
        recv.kind === 'module'
          ? `module has no .${name} field or method`
          : `struct has no .${name} attribute`,
      );
    }
    return v;
  }
  const m = table(recv)?.[name];
  if (!m) fail(`${typeName(recv)} has no .${name} field or method`);
  return new Builtin(name, (args, kwargs, ctx) => (m as Method<Value>)(recv, args, kwargs, ctx), recv);
}

export function hasAttribute(recv: Value, name: string): boolean {
  if (recv instanceof StarStruct) return recv.get(name) !== undefined;
  return table(recv)?.[name] !== undefined;
}

export function attributeNames(recv: Value): string[] {
  if (recv instanceof StarStruct) return recv.names();
  return Object.keys(table(recv) ?? {}).sort();
}
