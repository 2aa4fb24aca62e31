/**
 * Go's `fmt` `%v` for JSON-shaped values (numbers are float64, as after `encoding/json`):
 * `<no value>` for a missing value, `map[a:1 b:2]` with sorted keys, `[a b]` for lists and
 * shortest `%g` floats (`1e+06`, `123456`, `1e-05`).
 */

/** strconv.FormatFloat(v, 'g', -1, 64). */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // Shortest round-trip digits from JS, then Go's layout rule.
  const [mantissa = '', expText = '0'] = v.toExponential().split('e');
  const neg = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const frac = digits.slice(1);
    const e = Math.abs(exp);
    return `${neg ? '-' : ''}${digits[0] ?? '0'}${frac ? `.${frac}` : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  let out: string;
  if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return (neg ? '-' : '') + out;
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '<no value>';
  return inner(v, true);
}

function inner(v: unknown, top: boolean): string {
  if (v === undefined || v === null) return top ? '<no value>' : '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => inner(x, false)).join(' ')}]`;
  if (typeof v === 'object') {
    const obj = v as Record<string, unknown>;
    return `map[${Object.keys(obj)
      .sort()
      .map((k) => `${k}:${inner(obj[k], false)}`)
      .join(' ')}]`;
  }
  return typeof v === 'bigint' ? v.toString() : typeof v;
}
