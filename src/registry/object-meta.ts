/** System-owned metadata: what the server sets on create and carries over on update. */
import { randomBytes, randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../apimachinery/index.js';

/** RFC 3339 with second precision, as Kubernetes writes timestamps. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters (Kubernetes' alphabet, no vowels), within 63 chars. */
export function generateName(prefix: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const b of bytes) suffix += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return prefix.slice(0, 58) + suffix;
}

/** Sets uid, creationTimestamp and generation on a new object; clears what clients may not set. */
export function initializeMeta(object: KubeObject): void {
  const meta = object.metadata;
  meta.uid = randomUUID();
  meta.creationTimestamp = nowTimestamp();
  meta.generation = 1;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.resourceVersion;
}

/** Carries the system fields of `old` over to `next`, as an update may not change them. */
export function carryOverMeta(next: KubeObject, old: KubeObject): void {
  const meta: ObjectMeta = next.metadata;
  const prev = old.metadata;
  for (const key of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
  ] as const) {
    if (prev[key] === undefined) delete meta[key];
    else (meta as Record<string, unknown>)[key] = prev[key];
  }
  if (prev.generateName !== undefined && meta.generateName === undefined)
    meta.generateName = prev.generateName;
}

/**
 * Bumps `metadata.generation` when anything but metadata and status changed (status only when it
 * is not a subresource), or when deletion starts — the rule Kubernetes applies to CRs.
 */
export function bumpGeneration(next: KubeObject, old: KubeObject, statusSubresource: boolean): void {
  const spec = (o: KubeObject): Record<string, unknown> => {
    const { metadata: _m, status, ...rest } = o;
    return statusSubresource ? rest : { ...rest, status };
  };
  const deletionStarted =
    next.metadata.deletionTimestamp !== undefined && old.metadata.deletionTimestamp === undefined;
  if (deletionStarted || !isDeepStrictEqual(spec(next), spec(old))) {
    next.metadata.generation = (old.metadata.generation ?? 0) + 1;
  }
}
