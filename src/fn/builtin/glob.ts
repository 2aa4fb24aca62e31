/**
 * doublestar globs (as `github.com/bmatcuk/doublestar` matches them) over `/`-separated paths: `**`
 * as a whole segment matches zero or more segments, `*` any run of characters within a segment, `?`
 * one character, `[abc]`/`[!a-z]` a class, `{a,b}` alternatives, `\` escapes.
 */

function escape(ch: string): string {
  return ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function translate(pattern: string): string {
  let out = '';
  let i = 0;
  let depth = 0;
  while (i < pattern.length) {
    const ch = pattern[i] ?? '';
    if (ch === '\\' && i + 1 < pattern.length) {
      out += escape(pattern[i + 1] ?? '');
      i += 2;
      continue;
    }
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        const atStart = i === 0 || pattern[i - 1] === '/';
        const atEnd = i + 2 === pattern.length || pattern[i + 2] === '/';
        if (atStart && atEnd) {
          if (pattern[i + 2] === '/') {
            out += '(?:[^/]*(?:/[^/]*)*/)?';
            i += 3;
          } else {
            out += '.*';
            i += 2;
          }
          continue;
        }
      }
      out += '[^/]*';
      i++;
      continue;
    }
    if (ch === '?') {
      out += '[^/]';
      i++;
      continue;
    }
    if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close > 0) {
        let body = pattern.slice(i + 1, close);
        if (body.startsWith('!') || body.startsWith('^')) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, '\\\\')}]`;
        i = close + 1;
        continue;
      }
    }
    if (ch === '{') {
      out += '(?:';
      depth++;
      i++;
      continue;
    }
    if (ch === '}' && depth > 0) {
      out += ')';
      depth--;
      i++;
      continue;
    }
    if (ch === ',' && depth > 0) {
      out += '|';
      i++;
      continue;
    }
    out += escape(ch);
    i++;
  }
  return out;
}

export function globToRegExp(pattern: string): RegExp {
  return new RegExp(`^${translate(pattern)}$`);
}
