/**
 * `pattern` keywords are Go (RE2) regular expressions. This compiles them to JavaScript RegExps,
 * translating the RE2-only spellings that real CRDs use (a leading `(?i)`/`(?s)`/`(?m)` flag
 * group, `\z`, `\A`), and caches the result per pattern text.
 */

export type CompiledPattern = { ok: true; regexp: RegExp } | { ok: false; error: string };

const cache = new Map<string, CompiledPattern>();
const MAX_CACHE = 2_000;

function translate(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead) {
    flags = [...new Set(lead[1])].join('');
    source = source.slice(lead[0].length);
  }
  // `\z` / `\A` are RE2's absolute end/start; JavaScript has no equivalent escape outside `^`/`$`.
  source = source.replace(/(?<!\\)((?:\\\\)*)\\z/g, '$1$').replace(/(?<!\\)((?:\\\\)*)\\A/g, '$1^');
  return { source, flags };
}

/**
 * Compiles an RE2 pattern. Tries Unicode mode first (needed for `\p{…}`), then legacy mode,
 * which accepts RE2's escaping of any punctuation (`\-`, `\/`).
 */
export function compilePattern(pattern: string): CompiledPattern {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const { source, flags } = translate(pattern);
  let result: CompiledPattern;
  try {
    result = { ok: true, regexp: new RegExp(source, `${flags}u`) };
  } catch {
    try {
      result = { ok: true, regexp: new RegExp(source, flags) };
    } catch (err) {
      result = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  if (cache.size >= MAX_CACHE) cache.clear();
  cache.set(pattern, result);
  return result;
}
