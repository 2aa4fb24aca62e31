/**
 * Whether a parsed scalar's source text still describes its value. Code elsewhere edits scalars in
 * place (`scalar.value = 'x'`), which leaves `source` stale; the writer must then use the value.
 */
import type { Scalar } from 'yaml';

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);

function numberOf(text: string): number {
  const t = text.replaceAll('_', '');
  if (/^[-+]?\.inf$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^\.nan$/i.test(t)) return NaN;
  return Number(t.replace(/^([-+]?)0o/i, '$10o'));
}

/** The scalar's source text when it is still current, else undefined. */
export function currentSource(node: Scalar): string | undefined {
  const source = node.source;
  if (typeof source !== 'string') return undefined;
  const v: unknown = node.value;
  if (typeof v === 'string') return v === source ? source : undefined;
  if (v === null || v === undefined) return NULLS.has(source) ? source : undefined;
  if (typeof v === 'boolean') return source.toLowerCase() === String(v) ? source : undefined;
  if (typeof v === 'number') {
    const n = numberOf(source);
    return n === v || (Number.isNaN(n) && Number.isNaN(v)) ? source : undefined;
  }
  if (typeof v === 'bigint') return numberOf(source) === Number(v) ? source : undefined;
  return undefined;
}
