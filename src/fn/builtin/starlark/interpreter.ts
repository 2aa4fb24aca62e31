/**
 * The tree-walking evaluator. A program is parsed and resolved once; statements then run against
 * frames of local slots. Control flow uses completion codes rather than exceptions; errors are
 * StarlarkErrors stamped with the innermost position that knows them. Runaway programs are stopped
 * by a step budget (statements, loop iterations and calls) and a call depth limit.
 */
import { Scope, type Expr, type FunctionDef, type Program, type Stmt } from './ast.js';
import { StarlarkError, fail, type Position } from './errors.js';
import { repr } from './format.js';
import { bindArgs } from './bind-args.js';
import { attribute, callMethod } from './methods.js';
import { binary, getIndex, guarded, iterate, setIndex, slice, unary } from './ops.js';
import { intAdd, intMul, intSub } from './numbers.js';
import {
  Builtin,
  StarDict,
  StarFunction,
  StarList,
  StarRange,
  StarStruct,
  StarTuple,
  checkMutable,
  hashKey,
  truth,
  typeName,
  type CallContext,
  type Frame,
  type Kwargs,
  type Value,
} from './values.js';

const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;
type Completion = typeof NORMAL | typeof BREAK | typeof CONTINUE | typeof RETURN;

export interface Limits {
  /** Statements, loop iterations and calls a program may execute. */
  maxSteps: number;
  /** Nested calls of Starlark functions. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = { maxSteps: 20_000_000, maxDepth: 500 };

export interface ThreadOptions {
  limits?: Partial<Limits>;
  print?: (line: string) => void;
  /** The members a `load()` of `module` binds from; throw for an unknown module. */
  load?: (module: string) => ReadonlyMap<string, Value>;
  signal?: AbortSignal | undefined;
}

function withPos(err: unknown, pos: Position): unknown {
  if (err instanceof StarlarkError && !err.pos) err.pos = pos;
  return err;
}

export class Thread implements CallContext {
  private steps = 0;
  private depth = 0;
  private retval: Value = null;
  private readonly limits: Limits;
  globals: Value[] = [];
  private globalNames: string[] = [];

  constructor(private readonly options: ThreadOptions = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  print(line: string): void {
    this.options.print?.(line);
  }

  /** Runs a resolved program; returns its globals by name. */
  exec(program: Program): Map<string, Value> {
    this.globals = new Array<Value>(program.globals.length);
    this.globalNames = program.globals;
    const frame: Frame = { locals: new Array<Value>(program.numLocals), parent: undefined };
    try {
      this.block(program.body, frame);
    } catch (err) {
      if (err instanceof RangeError && /call stack/i.test(err.message)) {
        throw new StarlarkError(
          'the program nests calls or expressions too deeply for the interpreter (stack overflow)',
          undefined,
          { cause: err },
        );
      }
      throw err;
    }
    const out = new Map<string, Value>();
    program.globals.forEach((n, i) => {
      const v = this.globals[i];
      if (v !== undefined) out.set(n, v);
    });
    return out;
  }

  private step(): void {
    if (++this.steps > this.limits.maxSteps) {
      fail(`the program exceeded ${this.limits.maxSteps} execution steps (an endless loop?)`);
    }
    if ((this.steps & 0xffff) === 0) this.options.signal?.throwIfAborted();
  }

  private block(stmts: readonly Stmt[], frame: Frame): Completion {
    for (let i = 0; i < stmts.length; i++) {
      const c = this.stmt(stmts[i] as Stmt, frame);
      if (c !== NORMAL) return c;
    }
    return NORMAL;
  }

  private stmt(s: Stmt, frame: Frame): Completion {
    this.step();
    try {
      switch (s.k) {
        case 'expr':
          this.eval(s.x, frame);
          return NORMAL;
        case 'assign':
          this.assign(s.target, this.eval(s.value, frame), frame);
          return NORMAL;
        case 'augassign':
          this.augassign(s.op, s.target, s.value, frame);
          return NORMAL;
        case 'if':
          return this.block(truth(this.eval(s.cond, frame)) ? s.then : s.else, frame);
        case 'for':
          return this.forLoop(s.target, this.eval(s.iter, frame), s.body, frame);
        case 'while':
          while (truth(this.eval(s.cond, frame))) {
            const c = this.block(s.body, frame);
            if (c === BREAK) break;
            if (c === RETURN) return c;
            this.step();
          }
          return NORMAL;
        case 'def':
          this.assign(s.name, this.makeFunction(s.fn, frame), frame);
          return NORMAL;
        case 'return':
          this.retval = s.x ? this.eval(s.x, frame) : null;
          return RETURN;
        case 'break':
          return BREAK;
        case 'continue':
          return CONTINUE;
        case 'pass':
          return NORMAL;
        case 'load': {
          const members = this.load(s.module);
          for (const n of s.names) {
            const v = members.get(n.remote);
            if (v === undefined) fail(`load: name ${n.remote} not found in module ${s.module}`);
            this.assign(n.local, v, frame);
          }
          return NORMAL;
        }
      }
    } catch (err) {
      throw withPos(err, s.pos);
    }
  }

  private load(module: string): ReadonlyMap<string, Value> {
    if (!this.options.load) fail(`cannot load ${module}: no modules are available`);
    return this.options.load(module);
  }

  private forLoop(target: Expr, iterable: Value, body: readonly Stmt[], frame: Frame): Completion {
    if (iterable instanceof StarRange) {
      for (let i = 0, n = iterable.length; i < n; i++) {
        this.assign(target, iterable.at(i), frame);
        const c = this.block(body, frame);
        if (c === BREAK) break;
        if (c === RETURN) return c;
        this.step();
      }
      return NORMAL;
    }
    const items = iterate(iterable);
    return guarded(iterable, () => {
      for (let i = 0; i < items.length; i++) {
        this.assign(target, items[i] as Value, frame);
        const c = this.block(body, frame);
        if (c === BREAK) break;
        if (c === RETURN) return c;
        this.step();
      }
      return NORMAL;
    });
  }

  private makeFunction(def: FunctionDef, frame: Frame): StarFunction {
    const defaults: (Value | undefined)[] = [];
    for (const p of def.params) {
      if (p.kind === 'normal') defaults.push(p.default ? this.eval(p.default, frame) : undefined);
    }
    return new StarFunction(def, defaults, frame, this.globals);
  }

  private assign(target: Expr, value: Value, frame: Frame): void {
    switch (target.k) {
      case 'name':
        if (target.scope === Scope.Local) frame.locals[target.index] = value;
        else if (target.scope === Scope.Global) this.globals[target.index] = value;
        else fail(`cannot assign to ${target.name}`);
        return;
      case 'tuple':
      case 'list': {
        const items = unpackable(value);
        const n = target.elts.length;
        if (items.length !== n) {
          fail(
            items.length > n
              ? `too many values to unpack (got ${items.length}, want ${n})`
              : `not enough values to unpack (got ${items.length}, want ${n})`,
          );
        }
        for (let i = 0; i < n; i++) this.assign(target.elts[i] as Expr, items[i] as Value, frame);
        return;
      }
      case 'index':
        setIndex(this.eval(target.x, frame), this.eval(target.index, frame), value);
        return;
      case 'dot':
        return fail(
          `cannot set .${target.name} field: ${typeName(this.eval(target.x, frame))} value is immutable`,
        );
      case 'lit':
      case 'dict':
      case 'comp':
      case 'unary':
      case 'binary':
      case 'cond':
      case 'call':
      case 'slice':
      case 'lambda':
        fail(`cannot assign to ${target.k} expression`);
    }
  }

  private augassign(op: Parameters<typeof binary>[0], target: Expr, rhs: Expr, frame: Frame): void {
    const update = (old: Value, y: Value): Value => {
      if (op === '+' && old instanceof StarList) {
        checkMutable(old, 'extend list');
        old.items.push(...iterate(y));
        return old;
      }
      return binary(op, old, y);
    };
    if (target.k === 'index') {
      const container = this.eval(target.x, frame);
      const key = this.eval(target.index, frame);
      const old = getIndex(container, key);
      setIndex(container, key, update(old, this.eval(rhs, frame)));
      return;
    }
    const old = this.eval(target, frame);
    this.assign(target, update(old, this.eval(rhs, frame)), frame);
  }

  private lookup(e: Expr & { k: 'name' }, frame: Frame): Value {
    let v: Value | undefined;
    switch (e.scope) {
      case Scope.Local:
        v = frame.locals[e.index];
        if (v === undefined) fail(`local variable ${e.name} referenced before assignment`);
        return v;
      case Scope.Free: {
        let f: Frame | undefined = frame;
        for (let d = 0; d < e.depth && f; d++) f = f.parent;
        v = f?.locals[e.index];
        if (v === undefined) fail(`local variable ${e.name} referenced before assignment`);
        return v;
      }
      case Scope.Global:
        v = this.globals[e.index];
        if (v === undefined) fail(`global variable ${e.name} referenced before assignment`);
        return v;
      case Scope.Constant:
        return e.value ?? null;
      case Scope.Unresolved:
        return fail(`internal error: unresolved name ${e.name}`);
    }
  }

  eval(e: Expr, frame: Frame): Value {
    switch (e.k) {
      case 'name':
        try {
          return this.lookup(e, frame);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      case 'lit':
        return e.value;
      case 'list': {
        const items: Value[] = new Array<Value>(e.elts.length);
        for (let i = 0; i < e.elts.length; i++) items[i] = this.eval(e.elts[i] as Expr, frame);
        return new StarList(items);
      }
      case 'tuple': {
        const items: Value[] = new Array<Value>(e.elts.length);
        for (let i = 0; i < e.elts.length; i++) items[i] = this.eval(e.elts[i] as Expr, frame);
        return new StarTuple(items);
      }
      case 'dict': {
        const d = new StarDict();
        for (let i = 0; i < e.keys.length; i++) {
          const k = this.eval(e.keys[i] as Expr, frame);
          const v = this.eval(e.values[i] as Expr, frame);
          try {
            if (d.has(k)) fail(`duplicate key: ${repr(k)}`);
            d.setUnchecked(k, v);
          } catch (err) {
            throw withPos(err, (e.keys[i] as Expr).pos);
          }
        }
        return d;
      }
      case 'comp': {
        const out: Value[] | StarDict = e.dict ? new StarDict() : [];
        this.comprehension(e, 0, frame, out);
        return out instanceof StarDict ? out : new StarList(out);
      }
      case 'unary': {
        const x = this.eval(e.x, frame);
        try {
          return unary(e.op, x);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      }
      case 'binary': {
        if (e.op === 'and') {
          const x = this.eval(e.x, frame);
          return truth(x) ? this.eval(e.y, frame) : x;
        }
        if (e.op === 'or') {
          const x = this.eval(e.x, frame);
          return truth(x) ? x : this.eval(e.y, frame);
        }
        const x = this.eval(e.x, frame);
        const y = this.eval(e.y, frame);
        if (typeof x === 'number' && typeof y === 'number') {
          // The common int cases without the generic dispatch.
          const op = e.op;
          if (op === '+') return intAdd(x, y);
          if (op === '-') return intSub(x, y);
          if (op === '*') return intMul(x, y);
          if (op === '<') return x < y;
          if (op === '>') return x > y;
          if (op === '<=') return x <= y;
          if (op === '>=') return x >= y;
          if (op === '==') return x === y;
          if (op === '!=') return x !== y;
        } else if (typeof x === 'string' && typeof y === 'string') {
          if (e.op === '==') return x === y;
          if (e.op === '!=') return x !== y;
        }
        try {
          return binary(e.op, x, y);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      }
      case 'cond':
        return truth(this.eval(e.cond, frame)) ? this.eval(e.then, frame) : this.eval(e.else, frame);
      case 'call':
        return this.callExpr(e, frame);
      case 'dot': {
        const x = this.eval(e.x, frame);
        try {
          return attribute(x, e.name);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      }
      case 'index': {
        const x = this.eval(e.x, frame);
        const i = this.eval(e.index, frame);
        if (x instanceof StarDict) {
          const v = typeof i === 'string' ? x.map.get(i) : x.get(i);
          if (v !== undefined) return v;
        }
        try {
          return getIndex(x, i);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      }
      case 'slice': {
        const x = this.eval(e.x, frame);
        const lo = e.lo ? this.eval(e.lo, frame) : null;
        const hi = e.hi ? this.eval(e.hi, frame) : null;
        const st = e.step ? this.eval(e.step, frame) : null;
        try {
          return slice(x, lo, hi, st);
        } catch (err) {
          throw withPos(err, e.pos);
        }
      }
      case 'lambda':
        return this.makeFunction(e.fn, frame);
    }
  }

  private comprehension(e: Expr & { k: 'comp' }, i: number, frame: Frame, out: Value[] | StarDict): void {
    const clause = e.clauses[i];
    if (!clause) {
      if (out instanceof StarDict) {
        const k = this.eval(e.body, frame);
        try {
          hashKey(k);
        } catch (err) {
          throw withPos(err, e.body.pos);
        }
        out.setUnchecked(k, this.eval(e.value as Expr, frame));
      } else {
        out.push(this.eval(e.body, frame));
      }
      return;
    }
    if (clause.k === 'if') {
      if (truth(this.eval(clause.cond, frame))) this.comprehension(e, i + 1, frame, out);
      return;
    }
    const iterable = this.eval(clause.iter, frame);
    let items: readonly Value[];
    try {
      items = iterate(iterable);
    } catch (err) {
      throw withPos(err, clause.pos);
    }
    guarded(iterable, () => {
      for (let j = 0; j < items.length; j++) {
        this.step();
        try {
          this.assign(clause.target, items[j] as Value, frame);
        } catch (err) {
          throw withPos(err, clause.pos);
        }
        this.comprehension(e, i + 1, frame, out);
      }
    });
  }

  private callExpr(e: Expr & { k: 'call' }, frame: Frame): Value {
    let receiver: Value | undefined;
    let fn: Value | undefined;
    const callee = e.fn;
    if (callee.k === 'dot') receiver = this.eval(callee.x, frame);
    else fn = this.eval(callee, frame);
    const args: Value[] = [];
    const kwargs: Kwargs = [];
    if (e.simple) {
      for (const a of e.args) args.push(this.eval(a.value, frame));
    } else {
      for (const a of e.args) {
        const v = this.eval(a.value, frame);
        try {
          switch (a.kind) {
            case 'pos':
              args.push(v);
              break;
            case 'kw':
              kwargs.push([a.name, v]);
              break;
            case 'star':
              args.push(...iterate(v));
              break;
            case 'starstar':
              if (!(v instanceof StarDict)) fail(`argument after ** must be a dict, not ${typeName(v)}`);
              for (const [k, x] of v.entries()) {
                if (typeof k !== 'string') fail(`keywords must be strings, not ${typeName(k)}`);
                if (kwargs.some(([n]) => n === k)) fail(`got multiple values for keyword argument ${k}`);
                kwargs.push([k, x]);
              }
              break;
          }
        } catch (err) {
          throw withPos(err, a.value.pos);
        }
      }
    }
    try {
      if (receiver !== undefined)
        return callMethod(receiver, (callee as Expr & { k: 'dot' }).name, args, kwargs, this);
      return this.call(fn ?? null, args, kwargs);
    } catch (err) {
      throw withPos(err, e.pos);
    }
  }

  /** Calls a Starlark callable with evaluated arguments. */
  call(fn: Value, args: Value[], kwargs: Kwargs = []): Value {
    if (fn instanceof StarFunction) return this.callFunction(fn, args, kwargs);
    if (fn instanceof Builtin) {
      this.step();
      return fn.impl(args, kwargs, this);
    }
    return fail(`invalid call of non-function (${typeName(fn)})`);
  }

  private callFunction(fn: StarFunction, args: Value[], kwargs: Kwargs): Value {
    this.step();
    if (++this.depth > this.limits.maxDepth) {
      this.depth--;
      fail(
        `call stack depth exceeded the limit of ${this.limits.maxDepth} (endless recursion in ${fn.name}?)`,
      );
    }
    try {
      const def = fn.def;
      const frame: Frame = { locals: new Array<Value>(def.numLocals), parent: fn.parent };
      bindArgs(fn, args, kwargs, frame.locals);
      const c = this.block(def.body, frame);
      if (c === RETURN) {
        const v = this.retval;
        this.retval = null;
        return v;
      }
      return null;
    } finally {
      this.depth--;
    }
  }
}

/** The values an assignment `a, b = x` unpacks (any iterable but a string). */
function unpackable(v: Value): readonly Value[] {
  if (v instanceof StarStruct || typeof v === 'string') fail(`got ${typeName(v)} in sequence assignment`);
  try {
    return iterate(v);
  } catch {
    return fail(`got ${typeName(v)} in sequence assignment`);
  }
}
