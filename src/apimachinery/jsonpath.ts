/**
 * The JSONPath subset Kubernetes uses in printer columns and selectable fields:
 * `.a.b`, `.a[0]`, `.a[*].b`, `['key.with.dots']`, `[?(@.type=="Ready")]`, optionally in `{…}`.
 */
import { BadRequestError } from './errors.js';

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

const cache = new Map<string, Step[]>();

/** Parses (and caches) a path. Throws BadRequestError naming the path when it is not supported. */
export function compileJsonPath(path: string): Step[] {
  const cached = cache.get(path);
  if (cached) return cached;
  const steps = parse(path);
  cache.set(path, steps);
  return steps;
}

function parse(original: string): Step[] {
  let p = original.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new BadRequestError(`invalid JSONPath "${original}": ${why}`);
  };
  while (i < p.length) {
    const c = p[i];
    if (c === '.') {
      const m = /^\.([A-Za-z0-9_\-/]+)/.exec(p.slice(i));
      if (!m?.[1]) fail(`expected a field name at offset ${i}`);
      steps.push({ kind: 'field', name: m![1]! });
      i += m![0].length;
    } else if (c === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) fail('unclosed "["');
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const f = /^\?\(@((?:\.[A-Za-z0-9_\-/]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^)\s]+))\s*\)$/.exec(
          inner,
        );
        if (!f) fail(`unsupported subscript "[${inner}]"`);
        steps.push({
          kind: 'filter',
          path: f![1]!.slice(1).split('.'),
          op: f![2] as '==' | '!=',
          value: f![3] ?? f![4] ?? f![5] ?? '',
        });
      }
    } else fail(`unexpected "${c}" at offset ${i}`);
  }
  return steps;
}

/** All values the path selects in `root` (empty when nothing matches). */
export function evaluateJsonPath(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const step of compileJsonPath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      switch (step.kind) {
        case 'field':
          if (value && typeof value === 'object' && !Array.isArray(value) && step.name in value) {
            next.push((value as Record<string, unknown>)[step.name]);
          }
          break;
        case 'index':
          if (Array.isArray(value)) {
            const item: unknown = value[step.index < 0 ? value.length + step.index : step.index];
            if (item !== undefined) next.push(item);
          }
          break;
        case 'all':
          if (Array.isArray(value)) next.push(...(value as readonly unknown[]));
          else if (value && typeof value === 'object')
            next.push(...Object.values(value as Record<string, unknown>));
          break;
        case 'filter':
          if (Array.isArray(value)) {
            for (const item of value as unknown[]) {
              let v: unknown = item;
              for (const key of step.path)
                v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
              const s = v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
              if ((s === step.value) === (step.op === '==')) next.push(item);
            }
          }
          break;
      }
    }
    current = next;
  }
  return current;
}
