/**
 * Resource selection for a function step, as kpt does it: a resource is selected when it matches
 * any of `selectors` (all resources when there are none) and none of `exclude`. Within one selector
 * every field that is set must match; labels and annotations must all be present with their values.
 */
import type { Selector } from '../krm/index.js';
import { objectMeta, type KrmResource } from '../krm/index.js';

function isEmptySelector(s: Selector): boolean {
  return (
    !s.apiVersion &&
    !s.kind &&
    !s.name &&
    !s.namespace &&
    Object.keys(s.labels ?? {}).length === 0 &&
    Object.keys(s.annotations ?? {}).length === 0
  );
}

function subset(want: Record<string, string> | undefined, have: Record<string, string>): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have[k] === v);
}

export function matchesSelector(resource: KrmResource, selector: Selector): boolean {
  const meta = objectMeta(resource.document.doc);
  return (
    (!selector.name || selector.name === meta.name) &&
    (!selector.namespace || selector.namespace === meta.namespace) &&
    (!selector.kind || selector.kind === meta.kind) &&
    (!selector.apiVersion || selector.apiVersion === meta.apiVersion) &&
    subset(selector.labels, meta.labels) &&
    subset(selector.annotations, meta.annotations)
  );
}

export function hasSelection(selectors?: readonly Selector[], exclude?: readonly Selector[]): boolean {
  return (selectors?.length ?? 0) > 0 || (exclude?.length ?? 0) > 0;
}

/** The resources a step runs on, in input order. */
export function selectResources(
  input: readonly KrmResource[],
  selectors: readonly Selector[] = [],
  exclude: readonly Selector[] = [],
): KrmResource[] {
  const chosen =
    selectors.length === 0 ? [...input] : input.filter((r) => selectors.some((s) => matchesSelector(r, s)));
  const exclusions = exclude.filter((s) => !isEmptySelector(s));
  if (exclusions.length === 0) return chosen;
  return chosen.filter((r) => !exclusions.some((s) => matchesSelector(r, s)));
}
