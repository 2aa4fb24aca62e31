/**
 * `load('re.star', 're')`: starlib v0.5's re module, with its exact results: `search` gives the
 * `[start, end]` of the first match (or None), `match` gives a list of tuples of every match and its
 * groups (anywhere in the string, as starlib does), `findall` a tuple of every match, `split` Go's
 * `Regexp.Split` (maxsplit 0 gives an empty tuple, as in starlib), `sub` replaces every match with
 * Go's `$1`/`${name}` expansion. Patterns use Go RE2 syntax; Lading runs them on JavaScript's
 * engine after translating `(?P<name>` groups and leading `(?flags)`.
 */
import { asInt, asString, unpackArgs } from './args.js';
import { fail } from './errors.js';
import { Builtin, StarList, newStruct, newTuple, type StarStruct, type Value } from './values.js';

const cache = new Map<string, RegExp | Error>();

export function compileGoRegexp(fn: string, pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      let source = pattern.replace(/\(\?P</g, '(?<');
      let flags = 'g';
      const lead = /^\(\?([imsU]+)\)/.exec(source);
      if (lead) {
        source = source.slice(lead[0].length);
        for (const f of lead[1] ?? '') if (f !== 'U' && !flags.includes(f)) flags += f;
      }
      source = source.replace(/\\z/g, '$(?![\\s\\S])').replace(/\\A/g, '^');
      re = new RegExp(source, flags);
    } catch (err) {
      re = err as Error;
    }
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  if (re instanceof Error) fail(`${fn}: error parsing regexp: ${re.message}`);
  re.lastIndex = 0;
  return re;
}

function matches(re: RegExp, text: string): RegExpExecArray[] {
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push(m);
    if (m[0] === '') re.lastIndex++;
  }
  return out;
}

function args3(
  fn: string,
  a: Value[],
  k: [string, Value][],
  names: string[],
): [RegExp, string, (Value | undefined)[]] {
  const got = unpackArgs(fn, a, k, names);
  const re = compileGoRegexp(fn, asString(fn, 'pattern', got[0]));
  return [re, asString(fn, 'string', got[1]), got.slice(2)];
}

/** Go's `Regexp.Expand` template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(
    /\$(\$|\{(\w+)\}|(\w+))/g,
    (_all, dollar: string, braced?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const name = braced ?? bare ?? '';
      if (/^\d+$/.test(name)) return m[Number(name)] ?? '';
      return m.groups?.[name] ?? '';
    },
  );
}

export function reModule(): StarStruct {
  return newStruct('re', {
    search: new Builtin('re.search', (a, k) => {
      const [re, text] = args3('re.search', a, k, ['pattern', 'string', 'flags?']);
      const m = re.exec(text);
      return m ? new StarList([m.index, m.index + m[0].length]) : null;
    }),
    match: new Builtin('re.match', (a, k) => {
      const [re, text] = args3('re.match', a, k, ['pattern', 'string', 'flags?']);
      return new StarList(matches(re, text).map((m) => newTuple([...m].map((g) => g ?? ''))));
    }),
    findall: new Builtin('re.findall', (a, k) => {
      const [re, text] = args3('re.findall', a, k, ['pattern', 'string', 'flags?']);
      return newTuple(matches(re, text).map((m) => m[0]));
    }),
    split: new Builtin('re.split', (a, k) => {
      const [re, text, [max]] = args3('re.split', a, k, ['pattern', 'string', 'maxsplit?', 'flags?']);
      const n = max === undefined ? 0 : asInt('re.split', 'maxsplit', max);
      if (n === 0) return newTuple([]);
      const parts: string[] = [];
      let last = 0;
      for (const m of matches(re, text)) {
        if (n > 0 && parts.length === n - 1) break;
        if (m[0] === '' && (m.index === 0 || m.index === text.length)) continue;
        parts.push(text.slice(last, m.index));
        last = m.index + m[0].length;
      }
      parts.push(text.slice(last));
      return newTuple(parts);
    }),
    sub: new Builtin('re.sub', (a, k) => {
      const got = unpackArgs('re.sub', a, k, ['pattern', 'repl', 'string', 'count?', 'flags?']);
      const repl = asString('re.sub', 'repl', got[1]);
      const text = asString('re.sub', 'string', got[2]);
      let re: RegExp;
      try {
        re = compileGoRegexp('re.sub', asString('re.sub', 'pattern', got[0]));
      } catch {
        return null; // starlib answers None for an invalid pattern
      }
      let out = '';
      let last = 0;
      for (const m of matches(re, text)) {
        out += text.slice(last, m.index) + expand(repl, m);
        last = m.index + m[0].length;
      }
      return out + text.slice(last);
    }),
  });
}
