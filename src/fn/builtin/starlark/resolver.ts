/**
 * Name resolution, done once before the program runs (as starlark-go's resolver does): every name
 * becomes a local slot, a slot of an enclosing function's frame, a module global, or a constant
 * (predeclared `ctx`, universal builtins). An unknown name is an error before anything runs.
 * Dialect: the kpt function's options — top-level `if`/`for`/`while`, global reassignment,
 * recursion and `set` — are always on.
 */
import {
  Scope,
  type Clause,
  type Expr,
  type FunctionDef,
  type NameExpr,
  type Program,
  type Stmt,
} from './ast.js';
import { StarlarkSyntaxError, type Position } from './errors.js';
import type { Value } from './values.js';

interface FnScope {
  parent: FnScope | undefined;
  /** Function-level bindings (parameters and assigned names); empty at module level. */
  locals: Map<string, number>;
  /** Comprehension blocks, innermost last. */
  blocks: Map<string, number>[];
  numLocals: number;
}

export interface ResolveOptions {
  /** Names given to the program (`ctx`), looked up after globals. */
  predeclared: ReadonlyMap<string, Value>;
  /** Builtins (`len`, `True`…), looked up last. */
  universe: ReadonlyMap<string, Value>;
}

class Resolver {
  private readonly globals = new Map<string, number>();
  private loops = 0;

  constructor(private readonly options: ResolveOptions) {}

  private error(message: string, pos: Position): never {
    throw new StarlarkSyntaxError(message, pos);
  }

  resolveProgram(program: Program): void {
    const names: NameExpr[] = [];
    for (const s of program.body) collectBindings(s, names);
    for (const n of names) if (!this.globals.has(n.name)) this.globals.set(n.name, this.globals.size);
    const scope: FnScope = { parent: undefined, locals: new Map(), blocks: [], numLocals: 0 };
    for (const s of program.body) this.stmt(s, scope, true);
    program.numLocals = scope.numLocals;
    program.globals = [...this.globals.keys()];
  }

  private stmt(s: Stmt, scope: FnScope, topLevel: boolean): void {
    switch (s.k) {
      case 'expr':
        this.expr(s.x, scope);
        return;
      case 'assign':
        this.expr(s.value, scope);
        this.target(s.target, scope);
        return;
      case 'augassign':
        if (s.target.k !== 'name' && s.target.k !== 'index' && s.target.k !== 'dot') {
          this.error('invalid target for augmented assignment', s.pos);
        }
        this.expr(s.value, scope);
        this.target(s.target, scope);
        return;
      case 'if':
        this.expr(s.cond, scope);
        for (const x of s.then) this.stmt(x, scope, false);
        for (const x of s.else) this.stmt(x, scope, false);
        return;
      case 'for':
        this.expr(s.iter, scope);
        this.target(s.target, scope);
        this.loops++;
        for (const x of s.body) this.stmt(x, scope, false);
        this.loops--;
        return;
      case 'while':
        this.expr(s.cond, scope);
        this.loops++;
        for (const x of s.body) this.stmt(x, scope, false);
        this.loops--;
        return;
      case 'def':
        this.fn(s.fn, scope);
        this.bind(s.name, scope);
        return;
      case 'return':
        if (this.functionDepth === 0) this.error('return statement not within a function', s.pos);
        if (s.x) this.expr(s.x, scope);
        return;
      case 'break':
      case 'continue':
        if (this.loops === 0) this.error(`${s.k} not in for/while loop`, s.pos);
        return;
      case 'pass':
        return;
      case 'load':
        if (this.functionDepth > 0) this.error('load statement within a function', s.pos);
        if (!topLevel) this.error('load statement within a conditional or loop', s.pos);
        for (const n of s.names) this.bind(n.local, scope);
        return;
    }
  }

  private functionDepth = 0;

  private fn(def: FunctionDef, outer: FnScope): void {
    const scope: FnScope = { parent: outer, locals: new Map(), blocks: [], numLocals: 0 };
    let seenStar = false;
    let seenOptional = false;
    for (const p of def.params) {
      if (p.default) this.expr(p.default, outer);
      if (p.kind === 'starstar') {
        if (p !== def.params[def.params.length - 1]) this.error('**kwargs must be the last parameter', p.pos);
        def.hasKwargs = true;
      } else if (p.kind === 'star') {
        if (seenStar) this.error('multiple * parameters not allowed', p.pos);
        seenStar = true;
        if (p.name !== '') def.hasVarargs = true;
        else {
          const rest = def.params.slice(def.params.indexOf(p) + 1);
          if (!rest.some((r) => r.kind === 'normal'))
            this.error('bare * must be followed by keyword-only parameters', p.pos);
        }
      } else if (seenStar) {
        def.numKwonly++;
      } else {
        if (p.default) seenOptional = true;
        else if (seenOptional) this.error('required parameter may not follow optional', p.pos);
        def.numPositional++;
      }
      if (p.name === '') continue;
      if (scope.locals.has(p.name)) this.error(`duplicate parameter: ${p.name}`, p.pos);
      scope.locals.set(p.name, scope.numLocals++);
    }
    // Positional, then keyword-only, then *args, then **kwargs: the order the call binder fills.
    const ordered = [
      ...def.params.filter((p) => p.kind === 'normal'),
      ...def.params.filter((p) => p.kind === 'star' && p.name !== ''),
      ...def.params.filter((p) => p.kind === 'starstar'),
    ];
    def.paramSlots = ordered.map((p) => scope.locals.get(p.name) ?? -1);
    const names: NameExpr[] = [];
    for (const s of def.body) collectBindings(s, names);
    for (const n of names) if (!scope.locals.has(n.name)) scope.locals.set(n.name, scope.numLocals++);
    const loops = this.loops;
    this.loops = 0;
    this.functionDepth++;
    for (const s of def.body) this.stmt(s, scope, false);
    this.functionDepth--;
    this.loops = loops;
    def.numLocals = scope.numLocals;
  }

  /** Resolves an assignment target: names bind, other parts are read. */
  private target(t: Expr, scope: FnScope): void {
    switch (t.k) {
      case 'name':
        this.bind(t, scope);
        return;
      case 'tuple':
      case 'list':
        if (t.elts.length === 0) this.error('cannot assign to empty sequence', t.pos);
        for (const e of t.elts) this.target(e, scope);
        return;
      case 'index':
        this.expr(t.x, scope);
        this.expr(t.index, scope);
        return;
      case 'dot':
        this.expr(t.x, scope);
        return;
      case 'lit':
      case 'dict':
      case 'comp':
      case 'unary':
      case 'binary':
      case 'cond':
      case 'call':
      case 'slice':
      case 'lambda':
        this.error(`cannot assign to ${describeTarget(t)}`, t.pos);
    }
  }

  /** A binding occurrence: the innermost block, the function's locals, or a global. */
  private bind(n: NameExpr, scope: FnScope): void {
    const block = scope.blocks[scope.blocks.length - 1];
    if (block?.has(n.name)) {
      n.scope = Scope.Local;
      n.index = block.get(n.name) ?? -1;
      return;
    }
    const local = scope.locals.get(n.name);
    if (local !== undefined) {
      n.scope = Scope.Local;
      n.index = local;
      return;
    }
    const global = this.globals.get(n.name);
    if (global === undefined) this.error(`internal error: unbound ${n.name}`, n.pos);
    n.scope = Scope.Global;
    n.index = global;
  }

  private use(n: NameExpr, scope: FnScope): void {
    let depth = 0;
    for (let s: FnScope | undefined = scope; s; s = s.parent, depth++) {
      for (let i = s.blocks.length - 1; i >= 0; i--) {
        const slot = s.blocks[i]?.get(n.name);
        if (slot !== undefined) return this.setSlot(n, depth, slot);
      }
      const slot = s.locals.get(n.name);
      if (slot !== undefined) return this.setSlot(n, depth, slot);
    }
    const global = this.globals.get(n.name);
    if (global !== undefined) {
      n.scope = Scope.Global;
      n.index = global;
      return;
    }
    const constant = this.options.predeclared.get(n.name) ?? this.options.universe.get(n.name);
    if (constant !== undefined || this.options.predeclared.has(n.name) || this.options.universe.has(n.name)) {
      n.scope = Scope.Constant;
      n.value = constant ?? null;
      return;
    }
    this.error(`undefined: ${n.name}`, n.pos);
  }

  private setSlot(n: NameExpr, depth: number, slot: number): void {
    n.scope = depth === 0 ? Scope.Local : Scope.Free;
    n.depth = depth;
    n.index = slot;
  }

  private expr(e: Expr, scope: FnScope): void {
    switch (e.k) {
      case 'name':
        this.use(e, scope);
        return;
      case 'lit':
        return;
      case 'list':
      case 'tuple':
        for (const x of e.elts) this.expr(x, scope);
        return;
      case 'dict':
        for (const x of e.keys) this.expr(x, scope);
        for (const x of e.values) this.expr(x, scope);
        return;
      case 'comp':
        this.comprehension(e.clauses, e.body, e.value, scope);
        return;
      case 'unary':
        this.expr(e.x, scope);
        return;
      case 'binary':
        this.expr(e.x, scope);
        this.expr(e.y, scope);
        return;
      case 'cond':
        this.expr(e.cond, scope);
        this.expr(e.then, scope);
        this.expr(e.else, scope);
        return;
      case 'call': {
        this.expr(e.fn, scope);
        const seen = new Set<string>();
        for (const a of e.args) {
          if (a.kind === 'kw') {
            if (seen.has(a.name)) this.error(`keyword argument ${a.name} repeated`, a.value.pos);
            seen.add(a.name);
          }
          this.expr(a.value, scope);
        }
        return;
      }
      case 'dot':
        this.expr(e.x, scope);
        return;
      case 'index':
        this.expr(e.x, scope);
        this.expr(e.index, scope);
        return;
      case 'slice':
        this.expr(e.x, scope);
        if (e.lo) this.expr(e.lo, scope);
        if (e.hi) this.expr(e.hi, scope);
        if (e.step) this.expr(e.step, scope);
        return;
      case 'lambda':
        this.fn(e.fn, scope);
        return;
    }
  }

  private comprehension(clauses: Clause[], body: Expr, value: Expr | undefined, scope: FnScope): void {
    const first = clauses[0];
    if (first?.k === 'for') this.expr(first.iter, scope);
    const block = new Map<string, number>();
    scope.blocks.push(block);
    try {
      for (const c of clauses) {
        if (c.k === 'for') {
          if (c !== first) this.expr(c.iter, scope);
          const names: NameExpr[] = [];
          targetNames(c.target, names);
          for (const n of names) if (!block.has(n.name)) block.set(n.name, scope.numLocals++);
          this.target(c.target, scope);
        } else {
          this.expr(c.cond, scope);
        }
      }
      this.expr(body, scope);
      if (value) this.expr(value, scope);
    } finally {
      scope.blocks.pop();
    }
  }
}

function describeTarget(t: Expr): string {
  if (t.k === 'lit') return 'literal';
  if (t.k === 'call') return 'function call';
  return `${t.k} expression`;
}

function targetNames(t: Expr, out: NameExpr[]): void {
  if (t.k === 'name') out.push(t);
  else if (t.k === 'tuple' || t.k === 'list') for (const e of t.elts) targetNames(e, out);
}

/** Names a statement binds in its own scope (not inside nested functions or comprehensions). */
function collectBindings(s: Stmt, out: NameExpr[]): void {
  switch (s.k) {
    case 'assign':
    case 'augassign':
      targetNames(s.target, out);
      return;
    case 'for':
      targetNames(s.target, out);
      for (const x of s.body) collectBindings(x, out);
      return;
    case 'if':
      for (const x of s.then) collectBindings(x, out);
      for (const x of s.else) collectBindings(x, out);
      return;
    case 'while':
      for (const x of s.body) collectBindings(x, out);
      return;
    case 'def':
      out.push(s.name);
      return;
    case 'load':
      for (const n of s.names) out.push(n.local);
      return;
    case 'expr':
    case 'return':
    case 'break':
    case 'continue':
    case 'pass':
      return;
  }
}

/** Resolves every name of the program in place; throws StarlarkSyntaxError for an unknown name. */
export function resolveProgram(program: Program, options: ResolveOptions): void {
  new Resolver(options).resolveProgram(program);
}
