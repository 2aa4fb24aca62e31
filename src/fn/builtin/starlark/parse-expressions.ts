/**
 * The expression half of the Starlark parser, and the token cursor both halves use (see
 * parser.ts). Operator precedence, lowest first: lambda, `if`-`else`, `or`, `and`, `not`,
 * comparisons and `in`, `|`, `^`, `&`, shifts, `+ -`, `* / // %`, unary `+ - ~`, then calls,
 * indexing, slicing and attribute selection.
 */
import type { Arg, BinaryOp, Clause, Expr, FunctionDef, NameExpr, Param, Stmt } from './ast.js';
import { Scope } from './ast.js';
import { StarlarkSyntaxError, type Position } from './errors.js';
import type { Token } from './lexer.js';
import { StarFloat } from './values.js';

export const AUGMENTED: Record<string, BinaryOp> = {
  '+=': '+',
  '-=': '-',
  '*=': '*',
  '/=': '/',
  '//=': '//',
  '%=': '%',
  '&=': '&',
  '|=': '|',
  '^=': '^',
  '<<=': '<<',
  '>>=': '>>',
};

/** Binary operators by precedence level, lowest first (`or` and `and` handled separately). */
const LEVELS: readonly (readonly string[])[] = [
  ['==', '!=', '<', '>', '<=', '>=', 'in', 'not'],
  ['|'],
  ['^'],
  ['&'],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '//', '%'],
];

const MAX_NESTING = 200;

export function nameExpr(name: string, pos: Position): NameExpr {
  return { k: 'name', pos, name, scope: Scope.Unresolved, index: -1, depth: 0 };
}

export function newFunction(name: string, pos: Position, params: Param[], body: Stmt[]): FunctionDef {
  return {
    name,
    pos,
    params,
    body,
    numLocals: 0,
    paramSlots: [],
    numPositional: 0,
    numKwonly: 0,
    hasVarargs: false,
    hasKwargs: false,
  };
}

export abstract class ExpressionParser {
  protected i = 0;
  protected nesting = 0;

  constructor(private readonly tokens: Token[]) {}

  protected get tok(): Token {
    return this.tokens[this.i] as Token;
  }

  /** The current token's kind (a method, so that checks do not narrow across `this.i++`). */
  protected kind(): Token['kind'] {
    return this.tok.kind;
  }

  protected peek(offset = 1): Token | undefined {
    return this.tokens[this.i + offset];
  }

  protected pos(t: Token = this.tok): Position {
    return { line: t.line, col: t.col };
  }

  protected is(text: string): boolean {
    const t = this.tok;
    return t.kind === 'OP' && t.text === text;
  }

  protected accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.i++;
    return true;
  }

  protected describe(t: Token): string {
    switch (t.kind) {
      case 'NAME':
        return `identifier ${t.text}`;
      case 'OP':
        return t.text;
      case 'STRING':
        return 'string literal';
      case 'INT':
      case 'FLOAT':
        return `number ${t.text}`;
      case 'NEWLINE':
        return 'newline';
      case 'INDENT':
        return 'indent';
      case 'OUTDENT':
        return 'outdent';
      case 'EOF':
        return 'end of file';
    }
  }

  protected error(message: string, t: Token = this.tok): never {
    throw new StarlarkSyntaxError(message, this.pos(t));
  }

  protected expect(text: string): Token {
    const t = this.tok;
    if (!this.is(text)) this.error(`got ${this.describe(t)}, want ${text}`);
    this.i++;
    return t;
  }

  protected expectKind(kind: Token['kind'], what: string): Token {
    const t = this.tok;
    if (t.kind !== kind) this.error(`got ${this.describe(t)}, want ${what}`);
    this.i++;
    return t;
  }
  protected parameters(end: string): Param[] {
    const params: Param[] = [];
    while (!this.is(end)) {
      const pos = this.pos();
      if (this.accept('**')) {
        params.push({
          kind: 'starstar',
          name: this.expectKind('NAME', 'parameter name').text,
          default: undefined,
          pos,
        });
      } else if (this.accept('*')) {
        const name = this.kind() === 'NAME' ? this.expectKind('NAME', 'parameter name').text : '';
        params.push({ kind: 'star', name, default: undefined, pos });
      } else {
        const name = this.expectKind('NAME', 'parameter name').text;
        const dflt = this.accept('=') ? this.test() : undefined;
        params.push({ kind: 'normal', name, default: dflt, pos });
      }
      if (!this.accept(',')) break;
    }
    return params;
  }

  /** `for` targets: primary expressions separated by commas (a tuple when more than one). */
  protected loopVariables(): Expr {
    const pos = this.pos();
    const first = this.primary();
    if (!this.is(',')) return first;
    const elts = [first];
    while (this.accept(',')) {
      if (this.is('in')) break;
      elts.push(this.primary());
    }
    return { k: 'tuple', pos, elts };
  }

  /** Expression = Test {',' Test}: a tuple when there is a comma. */
  protected expression(): Expr {
    const pos = this.pos();
    const first = this.test();
    if (!this.is(',')) return first;
    const elts = [first];
    while (this.accept(',')) {
      if (this.endsExpressionList()) break;
      elts.push(this.test());
    }
    return { k: 'tuple', pos, elts };
  }

  protected endsExpressionList(): boolean {
    const t = this.tok;
    if (t.kind === 'NEWLINE' || t.kind === 'EOF') return true;
    return (
      (t.kind === 'OP' && [')', ']', '}', '=', ':', ';', 'in'].includes(t.text)) ||
      (t.kind === 'OP' && t.text in AUGMENTED)
    );
  }

  protected enter(): void {
    if (++this.nesting > MAX_NESTING) this.error(`expression nested more than ${MAX_NESTING} levels deep`);
  }

  /** Test = LambdaExpr | IfExpr | OrExpr. */
  protected test(): Expr {
    this.enter();
    try {
      if (this.is('lambda')) return this.lambda();
      const pos = this.pos();
      const x = this.binary(0);
      if (!this.is('if')) return x;
      this.i++;
      const cond = this.binary(0);
      this.expect('else');
      const otherwise = this.test();
      return { k: 'cond', pos, cond, then: x, else: otherwise };
    } finally {
      this.nesting--;
    }
  }

  protected lambda(): Expr {
    const pos = this.pos();
    this.expect('lambda');
    const params = this.parameters(':');
    this.expect(':');
    const bodyPos = this.pos();
    const x = this.test();
    return { k: 'lambda', pos, fn: newFunction('lambda', pos, params, [{ k: 'return', pos: bodyPos, x }]) };
  }

  /** Levels: 0 `or`, 1 `and`, 2 `not`, 3.. the LEVELS table. */
  protected binary(level: number): Expr {
    if (level === 0 || level === 1) {
      const op = level === 0 ? 'or' : 'and';
      let x = this.binary(level + 1);
      while (this.is(op)) {
        const pos = this.pos();
        this.i++;
        x = { k: 'binary', pos, op, x, y: this.binary(level + 1) };
      }
      return x;
    }
    if (level === 2) {
      if (this.is('not')) {
        const pos = this.pos();
        this.i++;
        this.enter();
        try {
          return { k: 'unary', pos, op: 'not', x: this.binary(2) };
        } finally {
          this.nesting--;
        }
      }
      return this.binary(3);
    }
    const ops = LEVELS[level - 3];
    if (!ops) return this.unary();
    let x = this.binary(level + 1);
    for (let count = 0; ; count++) {
      const t = this.tok;
      if (t.kind !== 'OP' || !ops.includes(t.text)) return x;
      const pos = this.pos();
      let op = t.text as BinaryOp;
      if (t.text === 'not') {
        const next = this.peek();
        if (!next || next.kind !== 'OP' || next.text !== 'in') return x;
        this.i++;
        op = 'not in';
      }
      this.i++;
      // Comparisons do not chain in Starlark (`a < b < c` is an error).
      if (level === 3 && count > 0 && x.k === 'binary')
        this.error(`${op} does not associate with ${x.op} (use parens)`, t);
      const y = this.binary(level + 1);
      x = { k: 'binary', pos, op, x, y };
    }
  }

  protected unary(): Expr {
    const t = this.tok;
    if (t.kind === 'OP' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      const pos = this.pos();
      this.i++;
      this.enter();
      try {
        return { k: 'unary', pos, op: t.text, x: this.unary() };
      } finally {
        this.nesting--;
      }
    }
    return this.primary();
  }

  protected primary(): Expr {
    let x = this.operand();
    for (;;) {
      const t = this.tok;
      if (t.kind !== 'OP') return x;
      if (t.text === '.') {
        this.i++;
        const name = this.expectKind('NAME', 'attribute name');
        x = { k: 'dot', pos: this.pos(name), x, name: name.text };
      } else if (t.text === '(') {
        x = this.call(x);
      } else if (t.text === '[') {
        x = this.indexOrSlice(x);
      } else {
        return x;
      }
    }
  }

  protected call(fn: Expr): Expr {
    const pos = this.pos();
    this.expect('(');
    const args: Arg[] = [];
    let simple = true;
    while (!this.is(')')) {
      if (this.accept('**')) {
        args.push({ kind: 'starstar', name: '', value: this.test() });
        simple = false;
      } else if (this.accept('*')) {
        args.push({ kind: 'star', name: '', value: this.test() });
        simple = false;
      } else if (this.kind() === 'NAME' && this.peek()?.kind === 'OP' && this.peek()?.text === '=') {
        const name = this.tok.text;
        this.i += 2;
        args.push({ kind: 'kw', name, value: this.test() });
        simple = false;
      } else {
        const value = this.test();
        if (!simple && args.some((a) => a.kind !== 'pos'))
          this.error('positional argument may not follow named');
        args.push({ kind: 'pos', name: '', value });
      }
      if (!this.accept(',')) break;
    }
    this.expect(')');
    return { k: 'call', pos, fn, args, simple };
  }

  protected indexOrSlice(x: Expr): Expr {
    const pos = this.pos();
    this.expect('[');
    let lo: Expr | undefined;
    if (!this.is(':')) {
      lo = this.expression();
      if (this.accept(']')) return { k: 'index', pos, x, index: lo };
    }
    this.expect(':');
    let hi: Expr | undefined;
    let step: Expr | undefined;
    if (!this.is(':') && !this.is(']')) hi = this.test();
    if (this.accept(':') && !this.is(']')) step = this.test();
    this.expect(']');
    return { k: 'slice', pos, x, lo, hi, step };
  }

  protected operand(): Expr {
    const t = this.tok;
    const pos = this.pos();
    switch (t.kind) {
      case 'NAME':
        this.i++;
        return nameExpr(t.text, pos);
      case 'INT':
        this.i++;
        return { k: 'lit', pos, value: t.num ?? 0 };
      case 'FLOAT':
        this.i++;
        return { k: 'lit', pos, value: new StarFloat(Number(t.num ?? 0)) };
      case 'STRING':
        this.i++;
        if (this.kind() === 'STRING')
          this.error('adjacent string literals are not concatenated in Starlark; use +');
        return { k: 'lit', pos, value: t.text };
      case 'OP':
        break;
      case 'NEWLINE':
      case 'INDENT':
      case 'OUTDENT':
      case 'EOF':
        this.error(`got ${this.describe(t)}, want primary expression`);
    }
    this.enter();
    try {
      switch (t.text) {
        case '(': {
          this.i++;
          if (this.accept(')')) return { k: 'tuple', pos, elts: [] };
          const x = this.expression();
          this.expect(')');
          // `(x)` is x; `(x,)` and `(x, y)` are tuples (the expression parser built them).
          return x;
        }
        case '[': {
          this.i++;
          if (this.accept(']')) return { k: 'list', pos, elts: [] };
          const first = this.test();
          if (this.is('for')) {
            const clauses = this.clauses();
            this.expect(']');
            return { k: 'comp', pos, dict: false, body: first, value: undefined, clauses };
          }
          const elts = [first];
          while (this.accept(',')) {
            if (this.is(']')) break;
            elts.push(this.test());
          }
          this.expect(']');
          return { k: 'list', pos, elts };
        }
        case '{': {
          this.i++;
          if (this.accept('}')) return { k: 'dict', pos, keys: [], values: [] };
          const k = this.test();
          this.expect(':');
          const v = this.test();
          if (this.is('for')) {
            const clauses = this.clauses();
            this.expect('}');
            return { k: 'comp', pos, dict: true, body: k, value: v, clauses };
          }
          const keys = [k];
          const values = [v];
          while (this.accept(',')) {
            if (this.is('}')) break;
            keys.push(this.test());
            this.expect(':');
            values.push(this.test());
          }
          this.expect('}');
          return { k: 'dict', pos, keys, values };
        }
        default:
          this.error(`got ${this.describe(t)}, want primary expression`);
      }
    } finally {
      this.nesting--;
    }
  }

  protected clauses(): Clause[] {
    const clauses: Clause[] = [];
    for (;;) {
      const pos = this.pos();
      if (this.accept('for')) {
        const target = this.loopVariables();
        this.expect('in');
        // The iterable of a comprehension clause may not be a conditional expression.
        clauses.push({ k: 'for', pos, target, iter: this.binary(0) });
      } else if (this.accept('if')) {
        clauses.push({ k: 'if', pos, cond: this.binary(0) });
      } else {
        return clauses;
      }
    }
  }
}
