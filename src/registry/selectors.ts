/** Label and field selectors of list, watch and deletecollection requests, compiled per request. */
import {
  BadRequestError,
  evaluateJsonPath,
  parseFieldSelector,
  parseLabelSelector,
  type KubeObject,
} from '../apimachinery/index.js';
import type { KindDefinition } from './kind.js';

export type ObjectMatcher = (object: KubeObject) => boolean;

/** The fields a kind can be selected by: name and namespace for all, plus the kind's own. */
function fieldGetters(kind: KindDefinition): Map<string, (object: KubeObject) => string | undefined> {
  const getters = new Map<string, (object: KubeObject) => string | undefined>([
    ['metadata.name', (o) => o.metadata.name],
    ['metadata.namespace', (o) => o.metadata.namespace ?? ''],
  ]);
  for (const [field, get] of Object.entries(kind.strategy?.fieldSelectors ?? {})) getters.set(field, get);
  return getters;
}

/** Undefined when nothing is selected (the fast path: no parsing of stored objects). */
export function compileSelectors(
  kind: KindDefinition,
  request: { labelSelector?: string; fieldSelector?: string },
): ObjectMatcher | undefined {
  const labels = request.labelSelector ? parseLabelSelector(request.labelSelector) : undefined;
  const fields = request.fieldSelector ? parseFieldSelector(request.fieldSelector) : undefined;
  const getters = fieldGetters(kind);
  if (fields) {
    for (const field of fields.fields()) {
      if (!getters.has(field)) {
        throw new BadRequestError(`field label not supported: ${field}`);
      }
    }
  }
  const labelMatch = labels && !labels.empty ? labels : undefined;
  const fieldMatch = fields && !fields.empty ? fields : undefined;
  if (!labelMatch && !fieldMatch) return undefined;
  return (object) =>
    (labelMatch?.matches(object.metadata.labels ?? {}) ?? true) &&
    (fieldMatch?.matches((field) => getters.get(field)?.(object)) ?? true);
}

/** A getter for a CRD's `selectableFields` entry (a simple JSONPath). */
export function jsonPathField(path: string): (object: KubeObject) => string | undefined {
  return (object) => {
    const [value] = evaluateJsonPath(object, path);
    return value === undefined || value === null
      ? undefined
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  };
}
