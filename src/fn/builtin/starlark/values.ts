/**
 * Starlark values in TypeScript. `None` is `null`, bools are booleans, ints are JS numbers while
 * exact (|n| ≤ 2^53−1) and bigints beyond, strings are JS strings; floats, lists, tuples, dicts,
 * sets, functions, structs and ranges are the classes below. Dicts and sets keep insertion order.
 */
import type { YAMLMap, YAMLSeq } from 'yaml';
import type { FunctionDef } from './ast.js';
import { fail } from './errors.js';

export class StarFloat {
  constructor(readonly v: number) {}
}

/** Iteration guards: mutating a list, dict or set while a loop iterates over it is an error. */
interface Guarded {
  iterating: number;
  frozen: boolean;
}

export class StarList implements Guarded {
  iterating = 0;
  frozen = false;
  /** The YAML sequence this list was read from (the write-back keeps its comments and style). */
  origin: YAMLSeq | undefined;
  constructor(public items: Value[]) {}
}

export class StarTuple {
  constructor(readonly items: readonly Value[]) {}
}

/** Interned keys of tuple (and other composite) dict keys, so that equal tuples find one entry. */
const tupleKeys = new Map<string, object>();
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

function identityOf(o: object): number {
  let id = identities.get(o);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(o, id);
  }
  return id;
}

function encodeKey(v: Value): string {
  if (v === null) return 'N';
  if (typeof v === 'string') return `s${v.length}:${v}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  if (v instanceof StarFloat) return Number.isInteger(v.v) ? `i${v.v}` : `f${v.v}`;
  if (v instanceof StarTuple) return `(${v.items.map(encodeKey).join(',')})`;
  if (v instanceof StarList || v instanceof StarDict || v instanceof StarSet) {
    fail(`unhashable type: ${typeName(v)}`);
  }
  return `o${identityOf(v)}`;
}

/** The JS Map key of a Starlark value (equal values give the same key); throws for unhashable. */
export function hashKey(v: Value): unknown {
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean' || t === 'bigint' || v === null) return v;
  // An integral float finds the int of the same value (1.0 == 1); others cannot meet an int.
  if (v instanceof StarFloat) return v.v;
  if (v instanceof StarTuple) {
    const code = encodeKey(v);
    let key = tupleKeys.get(code);
    if (key === undefined) {
      key = { code };
      tupleKeys.set(code, key);
    }
    return key;
  }
  if (v instanceof StarList || v instanceof StarDict || v instanceof StarSet) {
    fail(`unhashable type: ${typeName(v)}`);
  }
  return v;
}

/** True when the original key object must be kept beside the hash key (floats, tuples). */
function needsOriginal(v: Value): boolean {
  return v instanceof StarFloat || v instanceof StarTuple;
}

export function checkMutable(x: Guarded, what: string): void {
  if (x.frozen) fail(`cannot ${what}: value is frozen`);
  if (x.iterating > 0) fail(`cannot ${what} during iteration`);
}

export class StarDict implements Guarded {
  iterating = 0;
  frozen = false;
  /** The YAML mapping this dict was read from. */
  origin: YAMLMap | undefined;
  /** Values by hash key, in insertion order. */
  readonly map = new Map<unknown, Value>();
  /** Original keys where the hash key is not the key itself. */
  private originals: Map<unknown, Value> | undefined;

  get size(): number {
    return this.map.size;
  }

  get(key: Value): Value | undefined {
    return this.map.get(typeof key === 'string' ? key : hashKey(key));
  }

  has(key: Value): boolean {
    return this.map.has(typeof key === 'string' ? key : hashKey(key));
  }

  set(key: Value, value: Value): void {
    checkMutable(this, 'insert into dict');
    this.setUnchecked(key, value);
  }

  /** For building fresh dicts (no frozen or iteration check). */
  setUnchecked(key: Value, value: Value): void {
    if (typeof key === 'string') {
      this.map.set(key, value);
      return;
    }
    const h = hashKey(key);
    if (needsOriginal(key) && !this.map.has(h)) (this.originals ??= new Map()).set(h, key);
    this.map.set(h, value);
  }

  delete(key: Value): Value | undefined {
    checkMutable(this, 'delete from dict');
    const h = typeof key === 'string' ? key : hashKey(key);
    const v = this.map.get(h);
    if (v === undefined) return undefined;
    this.map.delete(h);
    this.originals?.delete(h);
    return v;
  }

  clear(): void {
    checkMutable(this, 'clear dict');
    this.map.clear();
    this.originals = undefined;
  }

  keyOf(h: unknown): Value {
    return (this.originals?.get(h) ?? h) as Value;
  }

  keys(): Value[] {
    const out: Value[] = [];
    for (const h of this.map.keys()) out.push(this.keyOf(h));
    return out;
  }

  entries(): [Value, Value][] {
    const out: [Value, Value][] = [];
    for (const [h, v] of this.map) out.push([this.keyOf(h), v]);
    return out;
  }
}

export class StarSet implements Guarded {
  iterating = 0;
  frozen = false;
  readonly map = new Map<unknown, Value>();

  has(v: Value): boolean {
    return this.map.has(hashKey(v));
  }

  add(v: Value): void {
    checkMutable(this, 'insert into set');
    const h = hashKey(v);
    if (!this.map.has(h)) this.map.set(h, v);
  }

  addUnchecked(v: Value): void {
    const h = hashKey(v);
    if (!this.map.has(h)) this.map.set(h, v);
  }

  delete(v: Value): boolean {
    checkMutable(this, 'delete from set');
    return this.map.delete(hashKey(v));
  }

  values(): Value[] {
    return [...this.map.values()];
  }
}

export class StarRange {
  constructor(
    readonly start: number,
    readonly stop: number,
    readonly step: number,
  ) {}

  get length(): number {
    const { start, stop, step } = this;
    if (step > 0) return stop > start ? Math.floor((stop - start - 1) / step) + 1 : 0;
    return start > stop ? Math.floor((start - stop - 1) / -step) + 1 : 0;
  }

  at(i: number): number {
    return this.start + i * this.step;
  }
}

/** The frame of a running function: its local slots and the frame it was defined in. */
export interface Frame {
  locals: Value[];
  parent: Frame | undefined;
}

/** A function defined by `def` or `lambda`. */
export class StarFunction {
  constructor(
    readonly def: FunctionDef,
    /** Default values by parameter index (undefined for parameters without one). */
    readonly defaults: (Value | undefined)[],
    readonly parent: Frame | undefined,
    readonly globals: Value[],
  ) {}

  get name(): string {
    return this.def.name;
  }
}

/** Arguments of a call to a builtin: positional values and keyword pairs. */
export type Kwargs = [string, Value][];

export interface CallContext {
  /** Calls a Starlark callable (for `sorted(key=…)`, `map`-like builtins). */
  call(fn: Value, args: Value[], kwargs?: Kwargs): Value;
  /** Writes a line to the program's output (`print`). */
  print(line: string): void;
}

export type BuiltinImpl = (args: Value[], kwargs: Kwargs, ctx: CallContext) => Value;

export class Builtin {
  constructor(
    readonly name: string,
    readonly impl: BuiltinImpl,
    /** The value a method is bound to (`"a,b".split` has the string as receiver). */
    readonly receiver?: Value,
  ) {}
}

/** A struct (`ctx`) or a library module: named fields, some computed on first use. */
export class StarStruct {
  private readonly lazy: Map<string, () => Value>;
  constructor(
    readonly name: string,
    readonly kind: 'struct' | 'module',
    readonly fields: Map<string, Value>,
    lazy: Map<string, () => Value> = new Map(),
  ) {
    this.lazy = lazy;
  }

  get(name: string): Value | undefined {
    const v = this.fields.get(name);
    if (v !== undefined) return v;
    const make = this.lazy.get(name);
    if (!make) return undefined;
    const made = make();
    this.fields.set(name, made);
    return made;
  }

  names(): string[] {
    return [...new Set([...this.fields.keys(), ...this.lazy.keys()])].sort();
  }
}

export type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | StarFloat
  | StarList
  | StarTuple
  | StarDict
  | StarSet
  | StarRange
  | StarFunction
  | Builtin
  | StarStruct;

export function typeName(v: Value): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || typeof v === 'bigint') return 'int';
  if (typeof v === 'string') return 'string';
  if (v instanceof StarFloat) return 'float';
  if (v instanceof StarList) return 'list';
  if (v instanceof StarTuple) return 'tuple';
  if (v instanceof StarDict) return 'dict';
  if (v instanceof StarSet) return 'set';
  if (v instanceof StarRange) return 'range';
  if (v instanceof StarFunction) return 'function';
  if (v instanceof Builtin) return 'builtin_function_or_method';
  return v.kind;
}

export function truth(v: Value): boolean {
  if (v === null || v === false) return false;
  if (v === true) return true;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof StarFloat) return v.v !== 0;
  if (v instanceof StarList) return v.items.length > 0;
  if (v instanceof StarTuple) return v.items.length > 0;
  if (v instanceof StarDict) return v.size > 0;
  if (v instanceof StarSet) return v.map.size > 0;
  if (v instanceof StarRange) return v.length > 0;
  return true;
}

export function isInt(v: Value): v is number | bigint {
  return typeof v === 'number' || typeof v === 'bigint';
}

/** A list built from JS values. */
export function newList(items: Value[]): StarList {
  return new StarList(items);
}

export function newTuple(items: Value[]): StarTuple {
  return new StarTuple(items);
}

export function newDict(entries: Iterable<[Value, Value]> = []): StarDict {
  const d = new StarDict();
  for (const [k, v] of entries) d.setUnchecked(k, v);
  return d;
}

export function newStruct(
  name: string,
  fields: Record<string, Value>,
  kind: 'struct' | 'module' = 'module',
): StarStruct {
  return new StarStruct(name, kind, new Map(Object.entries(fields)));
}
