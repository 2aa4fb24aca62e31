/**
 * YAML ↔ Starlark values. Reading turns a YAML node into values the way kpt's function reads them
 * (go-yaml's resolution of plain scalars: null, bool, int, float, else string); dicts and lists read
 * from a document remember their node. Writing back (`reconcile`) changes a document in place and
 * only where the program changed something: untouched keys keep their position, comments and
 * quoting; changed scalars get go-yaml's default style and keep their comments; new keys go last
 * (kpt's SyncOrder); new dicts are written with sorted keys, as go-yaml marshals a Go map.
 */
import { Pair, Scalar, YAMLMap, YAMLSeq, isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Node, Document } from 'yaml';
import { cloneNode, getComments, setComments } from '../../../krm/index.js';
import { fail } from './errors.js';
import { repr } from './format.js';
import { normalize } from './numbers.js';
import { equals } from './ops.js';
import {
  StarDict,
  StarFloat,
  StarList,
  StarRange,
  StarSet,
  StarTuple,
  hashKey,
  typeName,
  type Value,
} from './values.js';

const INT = /^[-+]?(0|[1-9][0-9]*)$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const OCT = /^0o[0-7]+$/;

function plainInt(text: string): Value | undefined {
  const t = text.replace(/_/g, '');
  if (INT.test(t) || HEX.test(t) || OCT.test(t)) {
    const neg = t.startsWith('-');
    const body = t.replace(/^[-+]/, '');
    const n = BigInt(body);
    return normalize(neg ? -n : n);
  }
  return undefined;
}

/** The value of a scalar node (quoted and block scalars are strings). */
export function scalarValue(node: Scalar): Value {
  const v: unknown = node.value;
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  const source = typeof node.source === 'string' ? node.source : undefined;
  if (typeof v === 'number') {
    if (source !== undefined) {
      const asInt = plainInt(source);
      if (asInt !== undefined) return asInt;
      return new StarFloat(v);
    }
    return Number.isInteger(v) && Number.isSafeInteger(v) ? v : new StarFloat(v);
  }
  if (typeof v === 'bigint') return normalize(v);
  return node.source ?? '';
}

export interface ReadOptions {
  /** Remember each mapping and sequence, so that `reconcile` can update it in place. */
  track: boolean;
  doc?: Document;
}

/** A YAML node as a Starlark value. */
export function fromNode(node: unknown, options: ReadOptions, depth = 0): Value {
  if (depth > 500) fail('YAML value nested too deeply');
  if (node === null || node === undefined) return null;
  if (isAlias(node)) {
    const target = options.doc ? node.resolve(options.doc) : undefined;
    return fromNode(target, { ...options, track: false }, depth + 1);
  }
  if (isScalar(node)) return scalarValue(node);
  if (isMap(node)) {
    const d = new StarDict();
    for (const pair of node.items) {
      const key = fromNode(pair.key, { ...options, track: false }, depth + 1);
      // `<<` merge keys and other oddities are read as plain keys, as go-yaml v3 reads them into a map.
      d.setUnchecked(key, fromNode(pair.value, options, depth + 1));
    }
    if (options.track) d.origin = node;
    return d;
  }
  if (isSeq(node)) {
    const l = new StarList(node.items.map((x) => fromNode(x, options, depth + 1)));
    if (options.track) l.origin = node;
    return l;
  }
  return null;
}

/** Go's yaml map key order (sorted; keys of other types after strings by their text). */
function sortedEntries(d: StarDict): [Value, Value][] {
  return d.entries().sort(([a], [b]) => {
    const x = typeof a === 'string' ? a : repr(a);
    const y = typeof b === 'string' ? b : repr(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function keyNode(k: Value): Scalar {
  if (k === null || typeof k === 'string' || typeof k === 'boolean' || typeof k === 'number')
    return new Scalar(k);
  if (typeof k === 'bigint') return new Scalar(k);
  if (k instanceof StarFloat) return new Scalar(k.v);
  return fail(`cannot write a ${typeName(k)} dict key to YAML`);
}

/** Same type and equal value, recursively (1 and 1.0 differ here: their YAML text differs). */
function sameValue(a: Value, b: Value, depth = 0): boolean {
  if (depth > 500) return false;
  if (typeName(a) !== typeName(b)) return false;
  if (a instanceof StarList && b instanceof StarList) {
    return (
      a.items.length === b.items.length &&
      a.items.every((x, i) => sameValue(x, b.items[i] ?? null, depth + 1))
    );
  }
  if (a instanceof StarDict && b instanceof StarDict) {
    if (a.size !== b.size) return false;
    for (const [h, v] of a.map) {
      const w = b.map.get(h);
      if (w === undefined || !sameValue(v, w, depth + 1)) return false;
    }
    return true;
  }
  return equals(a, b);
}

/** Writes Starlark values back into YAML nodes; one writer per output (it tracks reused nodes). */
export class YamlWriter {
  private readonly placed = new Set<object>();

  constructor(private readonly doc?: Document) {}

  /** The node to hold `value` where `node` was: `node` itself, updated, when it can stay. */
  reconcile(node: unknown, value: Value): Node {
    // A dict or list read from YAML is its own node (updated in place), wherever it now lives.
    if ((value instanceof StarDict || value instanceof StarList) && value.origin) return this.build(value);
    if (node !== undefined && node !== null) {
      const current = fromNode(node, { track: false, ...(this.doc ? { doc: this.doc } : {}) });
      if (sameValue(current, value)) return node as Node;
    }
    const fresh = this.build(value);
    if (node !== null && typeof node === 'object') {
      const c = getComments(node);
      if (c) setComments(fresh, { ...c });
    }
    return fresh;
  }

  /** Nodes for a value: reused (and updated) nodes for dicts and lists read from YAML, else new. */
  build(value: Value, depth = 0): Node {
    if (depth > 500) fail('value nested too deeply to write as YAML');
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      typeof value === 'number'
    ) {
      return new Scalar(value);
    }
    if (typeof value === 'bigint') return new Scalar(value);
    if (value instanceof StarFloat) return new Scalar(value.v);
    if (value instanceof StarDict) {
      if (value.origin) {
        const target = this.placed.has(value.origin) ? cloneNode<YAMLMap>(value.origin) : value.origin;
        this.placed.add(target);
        this.updateMap(target, value);
        return target;
      }
      const map = new YAMLMap();
      for (const [k, v] of sortedEntries(value))
        map.items.push(new Pair(keyNode(k), this.build(v, depth + 1)));
      return map;
    }
    if (value instanceof StarList) {
      if (value.origin) {
        const target = this.placed.has(value.origin) ? cloneNode<YAMLSeq>(value.origin) : value.origin;
        this.placed.add(target);
        this.updateSeq(target, value);
        return target;
      }
      const seq = new YAMLSeq();
      for (const v of value.items) seq.items.push(this.build(v, depth + 1));
      return seq;
    }
    if (value instanceof StarTuple || value instanceof StarSet || value instanceof StarRange) {
      const seq = new YAMLSeq();
      const items = value instanceof StarTuple ? value.items : value instanceof StarSet ? value.values() : [];
      if (value instanceof StarRange)
        for (let i = 0; i < value.length; i++) seq.items.push(new Scalar(value.at(i)));
      for (const v of items) seq.items.push(this.build(v, depth + 1));
      return seq;
    }
    return fail(`cannot write a ${typeName(value)} value to YAML`);
  }

  private updateMap(map: YAMLMap, dict: StarDict): void {
    const kept: Pair[] = [];
    const done = new Set<unknown>();
    for (const pair of map.items) {
      let h: unknown;
      try {
        h = hashKey(fromNode(pair.key, { track: false }));
      } catch {
        continue;
      }
      if (done.has(h) || !dict.map.has(h)) continue;
      done.add(h);
      const value = dict.map.get(h) ?? null;
      const next = this.reconcile(pair.value, value);
      if (next !== pair.value) pair.value = next;
      kept.push(pair);
    }
    for (const [h, v] of dict.map) {
      if (done.has(h)) continue;
      kept.push(new Pair(keyNode(dict.keyOf(h)), this.build(v)));
    }
    map.items = kept;
  }

  private updateSeq(seq: YAMLSeq, list: StarList): void {
    const old = seq.items;
    seq.items = list.items.map((v, i) => this.reconcile(old[i], v));
  }
}
