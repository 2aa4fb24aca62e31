/**
 * Serialization of objects for the store. The resourceVersion is only known inside the write
 * transaction, so an object is serialized once into a template — `prefix + String(rv) + suffix` —
 * and the backend splices the rv in (in JS for SQLite, in SQL for PostgreSQL). The result is
 * byte-identical to `JSON.stringify` of the object with `metadata.resourceVersion = String(rv)`.
 */
import type { KubeObject } from '../apimachinery/index.js';

export interface RvTemplate {
  prefix: string;
  suffix: string;
}

/** The serialized object with `rv` spliced in. */
export function withRv(template: RvTemplate, rv: number): string {
  return template.prefix + String(rv) + template.suffix;
}

/**
 * Serializes `object` around its `metadata.resourceVersion` (kept in place when present, appended to
 * `metadata` otherwise; `metadata` is appended when missing). Does not modify `object`.
 */
export function rvTemplate(object: KubeObject): RvTemplate {
  return splitMembers(object, 'metadata', (metadata) =>
    splitMembers(isRecord(metadata) ? metadata : {}, 'resourceVersion', () => ({ prefix: '"', suffix: '"' })),
  );
}

/**
 * Serializes the members of `record` like `JSON.stringify` does, except that member `splitKey` is
 * produced by `split` (which returns the text before and after the split point of its value).
 */
function splitMembers(
  record: Record<string, unknown>,
  splitKey: string,
  split: (value: unknown) => RvTemplate,
): RvTemplate {
  const before: string[] = [];
  const after: string[] = [];
  let inner: RvTemplate | undefined;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (key === splitKey) {
      inner = split(value);
      continue;
    }
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) continue; // JSON.stringify drops undefined, functions and symbols
    (inner === undefined ? before : after).push(`${JSON.stringify(key)}:${text}`);
  }
  inner ??= split(undefined);
  const head = `${JSON.stringify(splitKey)}:`;
  const prefix = `{${before.map((member) => `${member},`).join('')}${head}${inner.prefix}`;
  const suffix = `${inner.suffix}${after.map((member) => `,${member}`).join('')}}`;
  return { prefix, suffix };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The distinct `metadata.ownerReferences[].uid` of an object, for the dependents index. */
export function ownerUids(object: KubeObject): string[] {
  const refs = object.metadata?.ownerReferences;
  if (!Array.isArray(refs) || refs.length === 0) return [];
  const uids = new Set<string>();
  for (const ref of refs) {
    if (isRecord(ref) && typeof ref.uid === 'string' && ref.uid !== '') uids.add(ref.uid);
  }
  return [...uids];
}
