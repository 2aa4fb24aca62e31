/**
 * Behaviour shared by the catalog functions written on kpt's Go function SDK (`fn.AsMain` with a
 * `Runner`): how a failed run exits, how a config value's type is named in JSON decoding errors, and
 * the SDK's `IsGVK` (an empty group, version or kind on either side matches anything).
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { BuiltinOutcome } from './builtin-function.js';
import type { ObjectInfo } from './kube-object.js';

/** A Runner that returned false: exit 1 with the SDK's message. */
export function sdkFailure(): BuiltinOutcome {
  return { exitCode: 1, stderr: 'failed to evaluate function: error: function failure' };
}

/** The JSON type name Go's `encoding/json` reports for a YAML node (`array`, `object`, `string`…). */
export function goTypeName(node: unknown): string {
  if (isSeq(node)) return 'array';
  if (isMap(node)) return 'object';
  if (node === null || node === undefined) return 'null';
  if (isScalar(node)) {
    const v: unknown = node.value;
    if (v === null) return 'null';
    if (typeof v === 'number' || typeof v === 'bigint') return 'number';
    if (typeof v === 'boolean') return 'bool';
    return 'string';
  }
  return 'string';
}

function groupVersion(apiVersion: string): [string, string] {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? ['', apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

export function isGVK(
  o: Pick<ObjectInfo, 'apiVersion' | 'kind'>,
  group: string,
  version: string,
  kind: string,
): boolean {
  const [g, v] = groupVersion(o.apiVersion);
  if (o.kind !== '' && kind !== '' && o.kind !== kind) return false;
  if (g !== '' && group !== '' && g !== group) return false;
  if (v !== '' && version !== '' && v !== version) return false;
  return true;
}
