/**
 * The syntax tree of a Starlark program. Names are annotated by the resolver (`resolver.ts`) with
 * where their value lives, so the evaluator never looks a name up by string.
 */
import type { Position } from './errors.js';
import type { Value } from './values.js';

/** Where a resolved name lives. */
export const Scope = {
  /** A slot of the current function's frame. */
  Local: 0,
  /** A slot of an enclosing function's frame, `depth` frames up. */
  Free: 1,
  /** A module-level binding. */
  Global: 2,
  /** A predeclared (`ctx`) or universal (`len`, `True`…) binding: `value` holds it. */
  Constant: 3,
  /** Not yet resolved. */
  Unresolved: 4,
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];

export interface NameExpr {
  k: 'name';
  pos: Position;
  name: string;
  scope: Scope;
  index: number;
  depth: number;
  value?: Value;
}

export interface LiteralExpr {
  k: 'lit';
  pos: Position;
  value: Value;
}

export interface ListExpr {
  k: 'list' | 'tuple';
  pos: Position;
  elts: Expr[];
}

export interface DictExpr {
  k: 'dict';
  pos: Position;
  keys: Expr[];
  values: Expr[];
}

export type Clause =
  { k: 'for'; pos: Position; target: Expr; iter: Expr } | { k: 'if'; pos: Position; cond: Expr };

export interface CompExpr {
  k: 'comp';
  pos: Position;
  dict: boolean;
  /** The element (list) or key (dict). */
  body: Expr;
  /** The value of a dict comprehension. */
  value: Expr | undefined;
  clauses: Clause[];
}

export interface UnaryExpr {
  k: 'unary';
  pos: Position;
  op: '-' | '+' | '~' | 'not';
  x: Expr;
}

export type BinaryOp =
  | 'or'
  | 'and'
  | '=='
  | '!='
  | '<'
  | '>'
  | '<='
  | '>='
  | 'in'
  | 'not in'
  | '|'
  | '^'
  | '&'
  | '<<'
  | '>>'
  | '-'
  | '+'
  | '*'
  | '%'
  | '/'
  | '//';

export interface BinaryExpr {
  k: 'binary';
  pos: Position;
  op: BinaryOp;
  x: Expr;
  y: Expr;
}

export interface CondExpr {
  k: 'cond';
  pos: Position;
  cond: Expr;
  then: Expr;
  else: Expr;
}

export interface Arg {
  kind: 'pos' | 'kw' | 'star' | 'starstar';
  name: string;
  value: Expr;
}

export interface CallExpr {
  k: 'call';
  pos: Position;
  fn: Expr;
  args: Arg[];
  /** True when every argument is positional (the common, fast case). */
  simple: boolean;
}

export interface DotExpr {
  k: 'dot';
  pos: Position;
  x: Expr;
  name: string;
}

export interface IndexExpr {
  k: 'index';
  pos: Position;
  x: Expr;
  index: Expr;
}

export interface SliceExpr {
  k: 'slice';
  pos: Position;
  x: Expr;
  lo: Expr | undefined;
  hi: Expr | undefined;
  step: Expr | undefined;
}

export interface LambdaExpr {
  k: 'lambda';
  pos: Position;
  fn: FunctionDef;
}

export type Expr =
  | NameExpr
  | LiteralExpr
  | ListExpr
  | DictExpr
  | CompExpr
  | UnaryExpr
  | BinaryExpr
  | CondExpr
  | CallExpr
  | DotExpr
  | IndexExpr
  | SliceExpr
  | LambdaExpr;

export interface Param {
  kind: 'normal' | 'star' | 'starstar';
  /** Empty for a bare `*`. */
  name: string;
  default: Expr | undefined;
  pos: Position;
}

export interface FunctionDef {
  name: string;
  pos: Position;
  params: Param[];
  body: Stmt[];
  /** Filled by the resolver. */
  numLocals: number;
  /** Local slot of each parameter, in order (`*args` and `**kwargs` included). */
  paramSlots: number[];
  numPositional: number;
  numKwonly: number;
  hasVarargs: boolean;
  hasKwargs: boolean;
}

export type Stmt =
  | { k: 'expr'; pos: Position; x: Expr }
  | { k: 'assign'; pos: Position; target: Expr; value: Expr }
  | { k: 'augassign'; pos: Position; op: BinaryOp; target: Expr; value: Expr }
  | { k: 'if'; pos: Position; cond: Expr; then: Stmt[]; else: Stmt[] }
  | { k: 'for'; pos: Position; target: Expr; iter: Expr; body: Stmt[] }
  | { k: 'while'; pos: Position; cond: Expr; body: Stmt[] }
  | { k: 'def'; pos: Position; name: NameExpr; fn: FunctionDef }
  | { k: 'return'; pos: Position; x: Expr | undefined }
  | { k: 'break' | 'continue' | 'pass'; pos: Position }
  | { k: 'load'; pos: Position; module: string; names: { local: NameExpr; remote: string }[] };

export interface Program {
  body: Stmt[];
  /** Slots of the top level's frame (comprehension variables); filled by the resolver. */
  numLocals: number;
  /** Module-level names, by global slot. */
  globals: string[];
}
