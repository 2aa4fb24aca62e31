/**
 * JSON merge patch (RFC 7386, `application/merge-patch+json`): objects merge key by key, `null`
 * deletes a key, anything else (arrays included) replaces. A patch that is not an object
 * replaces the whole document; callers that need an object check the result.
 */
import { cloneJson, setOwn } from './json-value.js';
import { isPlainObject } from './object.js';

/** Returns the patched document as a new value; neither input is modified. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return mergeInto(cloneJson(doc), patch);
}

/** Merges `patch` into `target`, which it owns and may modify. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return cloneJson(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      setOwn(result, key, mergeInto(Object.hasOwn(result, key) ? result[key] : undefined, value));
    }
  }
  return result;
}
