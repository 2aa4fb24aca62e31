/**
 * The functions Package Operator's templates may call: the allow-listed Sprig functions packages
 * use (strings, lists, dicts, math, regex, encoding, JSON/YAML, reflection), `include`, `toYAML`,
 * `fromYAML`, `b64decMap` and `fail`. `getFile`, `getFileGlob` and `cel` are added by the package
 * renderer, which knows the files and the context. No date, random, crypto-random, env or network.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { FuncError, isTruthy, sprintf, type TemplateFunc, type TemplateSet } from './exec.js';
import { formatValue } from './format.js';

/** encoding/json.Marshal: sorted keys, `<`, `>`, `&` escaped as Go does. */
export function goJson(v: unknown, indent = ''): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .sort()
          .map((k) => [k, sort(o[k])]),
      );
    }
    return x;
  };
  return (JSON.stringify(sort(v ?? null), null, indent) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** sigs.k8s.io/yaml-style YAML of a value (sorted keys, sequences not indented), no trailing newline. */
export function goYaml(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  return stringifyYaml(v, { sortMapEntries: true, indentSeq: false, lineWidth: 0 }).replace(/\n$/, '');
}

function str(v: unknown): string {
  if (v === null || v === undefined) return '';
  return formatValue(v);
}

function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const n = Number(v);
    return Number.isNaN(n) ? 0 : n;
  }
  return 0;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  throw new FuncError(`cannot use type ${typeof v} as a list`);
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'invalid';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

function indent(n: unknown, s: unknown): string {
  const pad = ' '.repeat(num(n));
  return pad + str(s).replace(/\n/g, `\n${pad}`);
}

function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Sprig's `trunc`: first n characters, or the last -n for a negative n. */
function trunc(n: unknown, s: unknown): string {
  const text = str(s);
  const c = num(n);
  if (c < 0) return -c < text.length ? text.slice(text.length + c) : text;
  return c < text.length ? text.slice(0, c) : text;
}

export const SPRIG: Record<string, TemplateFunc> = {
  // strings
  quote: (...args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => goQuote(str(a)))
      .join(' '),
  squote: (...args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map((a) => `'${str(a)}'`)
      .join(' '),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  title: (s) => str(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  trim: (s) => str(s).trim(),
  trimAll: (cut, s) =>
    str(s).replace(new RegExp(`^[${escapeClass(str(cut))}]+|[${escapeClass(str(cut))}]+$`, 'g'), ''),
  trimPrefix: (p, s) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimSuffix: (p, s) => (str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s)),
  replace: (old, neu, s) => str(s).split(str(old)).join(str(neu)),
  contains: (sub, s) => str(s).includes(str(sub)),
  hasPrefix: (p, s) => str(s).startsWith(str(p)),
  hasSuffix: (p, s) => str(s).endsWith(str(p)),
  trunc,
  repeat: (n, s) => str(s).repeat(Math.max(0, num(n))),
  substr: (start, end, s) => {
    const t = str(s);
    const a = num(start);
    const b = num(end);
    return a < 0 ? t.slice(0, b) : b < 0 || b > t.length ? t.slice(a) : t.slice(a, b);
  },
  nospace: (s) => str(s).replace(/\s/g, ''),
  indent,
  nindent: (n, s) => `\n${indent(n, s)}`,
  cat: (...args) =>
    args
      .filter((a) => a !== null && a !== undefined)
      .map(str)
      .join(' '),
  printf: (format, ...args) => sprintf(str(format), args),
  toString: (v: unknown) => str(v),
  toStrings: (v) => list(v).map(str),
  join: (sep, v) => (typeof v === 'string' ? v : list(v).map(str).join(str(sep))),
  split: (sep, s) =>
    Object.fromEntries(
      str(s)
        .split(str(sep))
        .map((p, i) => [`_${i}`, p]),
    ),
  splitList: (sep, s) => str(s).split(str(sep)),
  // encoding and hashes
  sha256sum: (s) => createHash('sha256').update(str(s)).digest('hex'),
  sha1sum: (s) => createHash('sha1').update(str(s)).digest('hex'),
  b64enc: (s) => Buffer.from(str(s)).toString('base64'),
  b64dec: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
  b64decMap: (m) =>
    isMap(m)
      ? Object.fromEntries(
          Object.entries(m).map(([k, v]) => [k, Buffer.from(str(v), 'base64').toString('utf8')]),
        )
      : {},
  toJson: (v) => goJson(v),
  mustToJson: (v) => goJson(v),
  toPrettyJson: (v) => goJson(v, '  '),
  toRawJson: (v) => goJson(v),
  fromJson: (s: unknown) => {
    try {
      return JSON.parse(str(s)) as unknown;
    } catch {
      return {};
    }
  },
  toYaml: (v) => goYaml(v),
  toYAML: (v) => goYaml(v),
  fromYaml: (s) => (parseYaml(str(s)) as unknown) ?? {},
  fromYAML: (s) => (parseYaml(str(s)) as unknown) ?? {},
  // defaults and logic
  default: (def, ...given) => (given.length === 0 || !isTruthy(given[0]) ? def : given[0]),
  empty: (v) => !isTruthy(v),
  coalesce: (...args) => args.find(isTruthy) ?? null,
  ternary: (a, b, cond) => (cond === true ? a : b),
  fail: (msg) => {
    throw new FuncError(str(msg));
  },
  required: (msg, v) => {
    if (v === null || v === undefined || v === '') throw new FuncError(str(msg));
    return v;
  },
  // math (Sprig converts to int64 for these)
  add: (...args) => args.reduce<number>((a, b) => a + Math.trunc(num(b)), 0),
  add1: (v) => Math.trunc(num(v)) + 1,
  sub: (a, b) => Math.trunc(num(a)) - Math.trunc(num(b)),
  mul: (...args) => args.reduce<number>((a, b) => a * Math.trunc(num(b)), 1),
  div: (a, b) => Math.trunc(Math.trunc(num(a)) / Math.trunc(num(b))),
  mod: (a, b) => Math.trunc(num(a)) % Math.trunc(num(b)),
  max: (...args) => Math.max(...args.map((a) => Math.trunc(num(a)))),
  min: (...args) => Math.min(...args.map((a) => Math.trunc(num(a)))),
  int: (v) => Math.trunc(num(v)),
  int64: (v) => Math.trunc(num(v)),
  float64: (v) => num(v),
  atoi: (v) => Math.trunc(num(v)),
  // lists
  list: (...args) => args,
  first: (v) => list(v)[0] ?? null,
  last: (v) => list(v).at(-1) ?? null,
  rest: (v) => list(v).slice(1),
  initial: (v) => list(v).slice(0, -1),
  append: (v, x) => [...list(v), x],
  prepend: (v, x) => [x, ...list(v)],
  concat: (...args) => args.flatMap(list),
  uniq: (v) => list(v).filter((x, i, a) => a.findIndex((y) => goJson(y) === goJson(x)) === i),
  has: (x, v) => list(v).some((y) => goJson(y) === goJson(x)),
  without: (v, ...xs) => list(v).filter((y) => !xs.some((x) => goJson(x) === goJson(y))),
  compact: (v) => list(v).filter(isTruthy),
  sortAlpha: (v) => list(v).map(str).sort(),
  reverse: (v) => [...list(v)].reverse(),
  until: (n) => Array.from({ length: Math.max(0, num(n)) }, (_, i) => i),
  // dicts
  dict: (...args) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < args.length; i += 2) out[str(args[i])] = i + 1 < args.length ? args[i + 1] : '';
    return out;
  },
  hasKey: (m, k) => isMap(m) && Object.hasOwn(m, str(k)),
  get: (m, k) => (isMap(m) && Object.hasOwn(m, str(k)) ? m[str(k)] : ''),
  set: (m, k, v) => {
    if (isMap(m)) m[str(k)] = v;
    return m;
  },
  unset: (m, k) => {
    if (isMap(m)) delete m[str(k)];
    return m;
  },
  keys: (...maps) => maps.flatMap((m) => (isMap(m) ? Object.keys(m) : [])),
  values: (m) => (isMap(m) ? Object.values(m) : []),
  pick: (m, ...ks) =>
    isMap(m)
      ? Object.fromEntries(
          ks
            .map(str)
            .filter((k) => Object.hasOwn(m, k))
            .map((k) => [k, m[k]]),
        )
      : {},
  omit: (m, ...ks) =>
    isMap(m) ? Object.fromEntries(Object.entries(m).filter(([k]) => !ks.map(str).includes(k))) : {},
  merge: (dst, ...srcs) => {
    const out = isMap(dst) ? dst : {};
    for (const src of srcs)
      if (isMap(src)) for (const [k, v] of Object.entries(src)) if (!Object.hasOwn(out, k)) out[k] = v;
    return out;
  },
  deepCopy: (v) => structuredClone(v),
  // reflection
  kindOf,
  kindIs: (kind, v) => kindOf(v) === str(kind),
  typeOf: (v) =>
    v === null || v === undefined
      ? '<nil>'
      : kindOf(v) === 'slice'
        ? '[]interface {}'
        : kindOf(v) === 'map'
          ? 'map[string]interface {}'
          : kindOf(v),
  typeIs: (t, v) => SPRIG.typeOf?.call(undefined as unknown as TemplateSet, v) === str(t),
  // regex (Go RE2 syntax is close to JS for what packages use)
  regexMatch: (re, s) => new RegExp(str(re)).test(str(s)),
  regexFind: (re, s) => new RegExp(str(re)).exec(str(s))?.[0] ?? '',
  regexFindAll: (re, s, n) =>
    (str(s).match(new RegExp(str(re), 'g')) ?? []).slice(0, num(n) < 0 ? undefined : num(n)),
  regexReplaceAll: (re, s, repl) =>
    str(s).replace(new RegExp(str(re), 'g'), str(repl).replace(/\$\{?(\d+)\}?/g, '$$$1')),
  regexReplaceAllLiteral: (re, s, repl) => str(s).replace(new RegExp(str(re), 'g'), () => str(repl)),
  regexSplit: (re, s, n) =>
    str(s)
      .split(new RegExp(str(re)))
      .slice(0, num(n) < 0 ? undefined : num(n)),
  // `include` is `template` that returns a string, so it can be piped.
  include(this: TemplateSet, name, data) {
    return this.execute(str(name), data);
  },
};

function escapeClass(s: string): string {
  return s.replace(/[\\\]^-]/g, '\\$&');
}
