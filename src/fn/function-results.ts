/**
 * kpt's `FunctionResultList` (`kpt.dev/v1`): one item per function run, written to
 * `<results-dir>/results.yaml` and returned by render and eval.
 */
import { Document } from 'yaml';
import { emitDocument } from '../krm/index.js';
import type { FunctionResult, FunctionTarget } from './function-runtime.js';

export interface FunctionResultItem {
  image?: string;
  exec?: string;
  /** The step's `name` in the Kptfile (not written to results.yaml, as in kpt). */
  name?: string;
  stderr?: string;
  exitCode: number;
  results?: FunctionResult[];
  /** Why the function could not run (timeout, invalid output, no runtime…), when that is the case. */
  executionError?: string;
}

export interface FunctionResultList {
  apiVersion: 'kpt.dev/v1';
  kind: 'FunctionResultList';
  metadata: { name: 'fnresults' };
  exitCode: number;
  items: FunctionResultItem[];
}

export function newFunctionResultList(): FunctionResultList {
  return {
    apiVersion: 'kpt.dev/v1',
    kind: 'FunctionResultList',
    metadata: { name: 'fnresults' },
    exitCode: 0,
    items: [],
  };
}

export function resultItemTarget(item: FunctionResultItem): FunctionTarget {
  return item.image !== undefined ? { image: item.image } : { exec: item.exec ?? '' };
}

/** A result in kpt's field order, empty fields left out. */
export function orderedResult(r: FunctionResult): Record<string, unknown> {
  const out: Record<string, unknown> = { message: r.message };
  if (r.severity) out.severity = r.severity;
  if (r.resourceRef) {
    const ref = r.resourceRef;
    out.resourceRef = pick(ref, ['apiVersion', 'kind', 'name', 'namespace']);
  }
  if (r.field) {
    out.field = pick(r.field, ['path', 'currentValue', 'proposedValue']);
  }
  if (r.file) {
    out.file = pick(r.file, ['path', 'index']);
  }
  if (r.tags && Object.keys(r.tags).length > 0) out.tags = r.tags;
  return out;
}

function pick(obj: object, keys: readonly string[]): Record<string, unknown> {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    const v = source[k];
    if (v !== undefined && v !== null && v !== '') out[k] = v;
  }
  return out;
}

/** One item in kpt's field order, as written to results.yaml. */
export function orderedItem(item: FunctionResultItem): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (item.image !== undefined) out.image = item.image;
  if (item.exec !== undefined) out.exec = item.exec;
  if (item.stderr) out.stderr = item.stderr;
  out.exitCode = item.exitCode;
  if (item.results && item.results.length > 0) out.results = item.results.map(orderedResult);
  return out;
}

/** results.yaml text, formatted as kpt writes it. */
export function formatFunctionResultList(list: FunctionResultList): string {
  const doc = new Document({
    apiVersion: list.apiVersion,
    kind: list.kind,
    metadata: list.metadata,
    exitCode: list.exitCode,
    items: list.items.map(orderedItem),
  });
  return emitDocument(doc, 'wide');
}

/** Converts a ResourceList's `results` (plain data from YAML) into FunctionResults. */
export function toFunctionResults(raw: readonly unknown[]): FunctionResult[] {
  return raw.flatMap((r) => {
    if (r === null || typeof r !== 'object') return [];
    const o = r as Record<string, unknown>;
    const result: FunctionResult = {
      message: typeof o.message === 'string' ? o.message : JSON.stringify(o.message ?? ''),
    };
    if (o.severity === 'error' || o.severity === 'warning' || o.severity === 'info')
      result.severity = o.severity;
    if (o.resourceRef && typeof o.resourceRef === 'object') {
      result.resourceRef = o.resourceRef;
    }
    if (o.field && typeof o.field === 'object') result.field = o.field;
    if (o.file && typeof o.file === 'object') result.file = o.file;
    if (o.tags && typeof o.tags === 'object') result.tags = o.tags as Record<string, string>;
    return [result];
  });
}
