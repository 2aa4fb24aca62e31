/**
 * `load('encoding/json.star', 'json')`: starlark-go's json module — `encode` (compact, dict keys
 * sorted), `decode` (ints stay exact, numbers with a fraction or exponent are floats; an optional
 * `default` is returned for invalid input), `indent` and `encode_indent`.
 */
import { optString, unpackArgs } from './args.js';
import { StarlarkError, fail } from './errors.js';
import { quote } from './format.js';
import { formatFloat, normalize } from './numbers.js';
import { iterate } from './ops.js';
import {
  Builtin,
  StarDict,
  StarFloat,
  StarList,
  StarRange,
  StarSet,
  StarStruct,
  StarTuple,
  newStruct,
  typeName,
  type Value,
} from './values.js';

function encodeValue(v: Value, out: string[], seen: Set<object>, depth: number): void {
  if (depth > 500) fail('json.encode: value nested too deeply');
  if (v === null) out.push('null');
  else if (typeof v === 'boolean') out.push(v ? 'true' : 'false');
  else if (typeof v === 'number' || typeof v === 'bigint') out.push(String(v));
  else if (typeof v === 'string') out.push(JSON.stringify(v));
  else if (v instanceof StarFloat) {
    if (!Number.isFinite(v.v)) fail(`json.encode: cannot encode non-finite float ${formatFloat(v.v)}`);
    out.push(formatFloat(v.v));
  } else if (v instanceof StarDict || v instanceof StarStruct) {
    if (seen.has(v)) fail('json.encode: cycle in JSON structure');
    seen.add(v);
    const entries: [string, Value][] =
      v instanceof StarDict
        ? v.entries().map(([k, x]) => {
            if (typeof k !== 'string') fail(`json.encode: dict has ${typeName(k)} key, want string`);
            return [k, x];
          })
        : v.names().map((n) => [n, v.get(n) ?? null]);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out.push('{');
    entries.forEach(([k, x], i) => {
      if (i > 0) out.push(',');
      out.push(JSON.stringify(k), ':');
      encodeValue(x, out, seen, depth + 1);
    });
    out.push('}');
    seen.delete(v);
  } else if (
    v instanceof StarList ||
    v instanceof StarTuple ||
    v instanceof StarSet ||
    v instanceof StarRange
  ) {
    if (seen.has(v)) fail('json.encode: cycle in JSON structure');
    seen.add(v);
    out.push('[');
    iterate(v).forEach((x, i) => {
      if (i > 0) out.push(',');
      encodeValue(x, out, seen, depth + 1);
    });
    out.push(']');
    seen.delete(v);
  } else {
    fail(`json.encode: cannot encode ${typeName(v)} as JSON`);
  }
}

export function jsonEncode(v: Value): string {
  const out: string[] = [];
  encodeValue(v, out, new Set(), 0);
  return out.join('');
}

class JsonReader {
  private i = 0;
  constructor(private readonly s: string) {}

  private error(message: string): never {
    throw new StarlarkError(`json.decode: at offset ${this.i}, ${message}`);
  }

  private ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s.charAt(this.i))) this.i++;
  }

  document(): Value {
    this.ws();
    const v = this.value(0);
    this.ws();
    if (this.i < this.s.length)
      this.error(`unexpected character ${quote(this.s.charAt(this.i))} after value`);
    return v;
  }

  private value(depth: number): Value {
    if (depth > 500) this.error('nesting too deep');
    this.ws();
    const c = this.s.charAt(this.i);
    if (c === '') this.error('unexpected end of file');
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, v] of [
      ['null', null],
      ['true', true],
      ['false', false],
    ] as const) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return v;
      }
    }
    return this.error(`unexpected character ${quote(c)}`);
  }

  private object(depth: number): Value {
    const d = new StarDict();
    this.i++;
    this.ws();
    if (this.s.charAt(this.i) === '}') {
      this.i++;
      return d;
    }
    for (;;) {
      this.ws();
      if (this.s.charAt(this.i) !== '"')
        this.error(
          this.i >= this.s.length
            ? 'unexpected end of file'
            : `unexpected character ${quote(this.s.charAt(this.i))}`,
        );
      const k = this.string();
      this.ws();
      if (this.s.charAt(this.i) !== ':')
        this.error(`after object key, got ${quote(this.s.charAt(this.i))}, want ':'`);
      this.i++;
      d.setUnchecked(k, this.value(depth + 1));
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === '}') return d;
      if (c !== ',')
        this.error(c === '' ? 'unexpected end of file' : `in object, got ${quote(c)}, want ',' or '}'`);
    }
  }

  private array(depth: number): Value {
    const items: Value[] = [];
    this.i++;
    this.ws();
    if (this.s.charAt(this.i) === ']') {
      this.i++;
      return new StarList(items);
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.ws();
      const c = this.s.charAt(this.i++);
      if (c === ']') return new StarList(items);
      if (c !== ',') this.error(c === '' ? 'unexpected end of file' : `got ${quote(c)}, want ',' or ']'`);
    }
  }

  private string(): string {
    const start = this.i;
    this.i++;
    for (;;) {
      const c = this.s.charAt(this.i);
      if (c === '') {
        this.i = start;
        this.error('unclosed string literal');
      }
      if (c === '"') {
        this.i++;
        break;
      }
      if (c === '\\') this.i++;
      this.i++;
    }
    try {
      return JSON.parse(this.s.slice(start, this.i)) as string;
    } catch {
      return this.error('invalid string literal (bad escape code)');
    }
  }

  private number(): Value {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(this.s.slice(this.i));
    const text = m?.[0] ?? '';
    const next = this.s.charAt(this.i + text.length);
    if (!m || text === '-' || /[0-9.eE+-]/.test(next)) {
      const end = /^[-+0-9.eE]*/.exec(this.s.slice(this.i))?.[0] ?? '';
      this.error(`invalid number: ${end}`);
    }
    this.i += text.length;
    if (m[2] === undefined && m[3] === undefined) return normalize(BigInt(text));
    return new StarFloat(Number(text));
  }
}

export function jsonDecode(s: string): Value {
  return new JsonReader(s).document();
}

function indentJson(s: string, prefix: string, indent: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(s);
  } catch (err) {
    fail(`json.indent: invalid character: ${(err as Error).message}`);
  }
  // Re-indent the original text (not the parsed value) so that big numbers keep their digits.
  let out = '';
  let level = 0;
  let inString = false;
  const newline = (): string => `\n${prefix}${indent.repeat(level)}`;
  void parsed;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (inString) {
      out += c;
      if (c === '\\') out += s.charAt(++i);
      else if (c === '"') inString = false;
      continue;
    }
    if (' \t\r\n'.includes(c)) continue;
    if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      let j = i + 1;
      while (' \t\r\n'.includes(s.charAt(j))) j++;
      if (s.charAt(j) === close) {
        out += c + close;
        i = j;
        continue;
      }
      level++;
      out += c + newline();
    } else if (c === '}' || c === ']') {
      level--;
      out += newline() + c;
    } else if (c === ',') out += c + newline();
    else if (c === ':') out += ': ';
    else out += c;
  }
  return out;
}

export function jsonModule(): StarStruct {
  return newStruct('json', {
    encode: new Builtin('json.encode', (a, k) =>
      jsonEncode(unpackArgs('json.encode', a, k, ['x'])[0] ?? null),
    ),
    decode: new Builtin('json.decode', (a, k) => {
      const [x, dflt] = unpackArgs('json.decode', a, k, ['x', 'default?']);
      if (typeof x !== 'string')
        fail(`json.decode: for parameter x: got ${typeName(x ?? null)}, want string`);
      try {
        return jsonDecode(x);
      } catch (err) {
        if (dflt !== undefined && err instanceof StarlarkError) return dflt;
        throw err;
      }
    }),
    indent: new Builtin('json.indent', (a, k) => {
      const [s, prefix, indent] = unpackArgs('json.indent', a, k, ['str', 'prefix?', 'indent?']);
      if (typeof s !== 'string')
        fail(`json.indent: for parameter str: got ${typeName(s ?? null)}, want string`);
      return indentJson(
        s,
        optString('json.indent', 'prefix', prefix, ''),
        optString('json.indent', 'indent', indent, '\t'),
      );
    }),
    encode_indent: new Builtin('json.encode_indent', (a, k) => {
      const [x, prefix, indent] = unpackArgs('json.encode_indent', a, k, ['x', 'prefix?', 'indent?']);
      return indentJson(
        jsonEncode(x ?? null),
        optString('json.encode_indent', 'prefix', prefix, ''),
        optString('json.encode_indent', 'indent', indent, '\t'),
      );
    }),
  });
}
