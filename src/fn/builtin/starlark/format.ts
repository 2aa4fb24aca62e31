/**
 * Text of Starlark values: `str()` and `repr()` as starlark-go writes them (strings quoted Go-style
 * with double quotes, `set([...])`, `struct(a = 1)`), the `%` operator and `str.format`.
 */
import { fail } from './errors.js';
import { floatOf, floatToInt, formatFloat, formatFloatVerb, isNumber } from './numbers.js';
import {
  Builtin,
  StarDict,
  StarFloat,
  StarFunction,
  StarList,
  StarRange,
  StarSet,
  StarStruct,
  StarTuple,
  typeName,
  type Value,
} from './values.js';

const MAX_DEPTH = 100;

/** A string literal that reads back as `s` (Go's strconv.Quote conventions). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
        break;
    }
    if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function write(v: Value, asRepr: boolean, depth: number, seen: Set<object>): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return asRepr ? quote(v) : v;
  if (v instanceof StarFloat) return formatFloat(v.v);
  if (depth > MAX_DEPTH) fail('value nested too deeply to print');
  if (v instanceof StarList || v instanceof StarTuple || v instanceof StarDict || v instanceof StarSet) {
    if (seen.has(v)) return v instanceof StarDict ? '{...}' : '[...]';
    seen.add(v);
    try {
      const inner = (x: Value): string => write(x, true, depth + 1, seen);
      if (v instanceof StarList) return `[${v.items.map(inner).join(', ')}]`;
      if (v instanceof StarTuple) {
        return v.items.length === 1
          ? `(${inner(v.items[0] ?? null)},)`
          : `(${v.items.map(inner).join(', ')})`;
      }
      if (v instanceof StarDict)
        return `{${v
          .entries()
          .map(([k, x]) => `${inner(k)}: ${inner(x)}`)
          .join(', ')}}`;
      return `set([${v.values().map(inner).join(', ')}])`;
    } finally {
      seen.delete(v);
    }
  }
  if (v instanceof StarRange) {
    const { start, stop, step } = v;
    return step !== 1
      ? `range(${start}, ${stop}, ${step})`
      : start !== 0
        ? `range(${start}, ${stop})`
        : `range(${stop})`;
  }
  if (v instanceof StarFunction) return `<function ${v.name}>`;
  if (v instanceof Builtin) {
    return v.receiver === undefined
      ? `<built-in function ${v.name}>`
      : `<built-in method ${v.name} of ${typeName(v.receiver)} value>`;
  }
  if (v instanceof StarStruct) {
    if (v.kind === 'module') return `<module "${v.name}">`;
    const fields = [...v.fields.keys()]
      .sort()
      .map((k) => `${k} = ${write(v.get(k) ?? null, true, depth + 1, seen)}`);
    return `struct(${fields.join(', ')})`;
  }
  return '<unknown>';
}

export function str(v: Value): string {
  return typeof v === 'string' ? v : write(v, false, 0, new Set());
}

export function repr(v: Value): string {
  return write(v, true, 0, new Set());
}

/** `format % args`: %s %r %d %i %o %x %X %e %E %f %F %g %G %c %% and `%(name)s` with a dict. */
export function percentFormat(format: string, arg: Value): string {
  const args: readonly Value[] = arg instanceof StarTuple ? arg.items : [arg];
  let next = 0;
  let out = '';
  let usedDict = false;
  for (let i = 0; i < format.length; i++) {
    const c = format.charAt(i);
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= format.length) fail('incomplete format');
    let verb = format.charAt(i);
    if (verb === '%') {
      out += '%';
      continue;
    }
    let value: Value;
    if (verb === '(') {
      const close = format.indexOf(')', i);
      if (close < 0) fail('incomplete format key');
      const key = format.slice(i + 1, close);
      if (!(arg instanceof StarDict)) fail('format requires a mapping');
      const found = arg.get(key);
      if (found === undefined) fail(`key ${quote(key)} not in dict`);
      value = found;
      usedDict = true;
      i = close + 1;
      verb = format.charAt(i);
    } else {
      if (next >= args.length) fail('not enough arguments for format string');
      value = args[next++] ?? null;
    }
    out += convert(verb, value);
  }
  if (!usedDict && next < args.length) fail('too many arguments for format string');
  return out;
}

function convert(verb: string, value: Value): string {
  switch (verb) {
    case 's':
      return str(value);
    case 'r':
      return repr(value);
    case 'd':
    case 'i':
    case 'o':
    case 'x':
    case 'X': {
      if (!isNumber(value)) fail(`%${verb} format requires integer: ${typeName(value)}`);
      const n = value instanceof StarFloat ? floatToInt(value.v) : value;
      const s =
        verb === 'o'
          ? n.toString(8)
          : verb === 'x'
            ? n.toString(16)
            : verb === 'X'
              ? n.toString(16).toUpperCase()
              : n.toString();
      return s;
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      if (!isNumber(value)) fail(`%${verb} format requires float, not ${typeName(value)}`);
      return formatFloatVerb(floatOf(value), verb);
    case 'c':
      if (typeof value === 'string') {
        if ([...value].length !== 1) fail('%c format requires a single-character string');
        return value;
      }
      if (typeof value === 'number') return String.fromCodePoint(value);
      return fail(`%c format requires int or single-character string, not ${typeName(value)}`);
    case '':
      return fail('incomplete format');
    default:
      return fail(`unknown conversion %${verb}`);
  }
}

/** `str.format`: `{}`, `{0}`, `{name}`, `{!r}`/`{!s}`, `{{` and `}}`; no format specs. */
export function strFormat(
  format: string,
  args: readonly Value[],
  kwargs: ReadonlyMap<string, Value>,
): string {
  let out = '';
  let auto = 0;
  let manual = false;
  for (let i = 0; i < format.length; i++) {
    const c = format.charAt(i);
    if (c === '}') {
      if (format.charAt(i + 1) !== '}') fail("single '}' in format");
      out += '}';
      i++;
      continue;
    }
    if (c !== '{') {
      out += c;
      continue;
    }
    if (format.charAt(i + 1) === '{') {
      out += '{';
      i++;
      continue;
    }
    const close = format.indexOf('}', i);
    if (close < 0) fail("unmatched '{' in format");
    let field = format.slice(i + 1, close);
    i = close;
    let conversion = 's';
    const bang = field.indexOf('!');
    if (bang >= 0) {
      conversion = field.slice(bang + 1);
      field = field.slice(0, bang);
      if (conversion !== 's' && conversion !== 'r') fail(`unknown conversion "${conversion}"`);
    }
    if (field.includes(':')) fail('format spec features not supported in replacement fields');
    let value: Value;
    if (field === '') {
      if (manual) fail('cannot switch from manual field specification to automatic field numbering');
      if (auto >= args.length) fail(`index ${auto} out of range`);
      value = args[auto++] ?? null;
    } else if (/^\d+$/.test(field)) {
      if (auto > 0) fail('cannot switch from automatic field numbering to manual field specification');
      manual = true;
      const n = Number(field);
      if (n >= args.length) fail(`index ${n} out of range`);
      value = args[n] ?? null;
    } else {
      const found = kwargs.get(field);
      if (found === undefined) fail(`keyword ${field} not found`);
      value = found;
    }
    out += conversion === 'r' ? repr(value) : str(value);
  }
  return out;
}
