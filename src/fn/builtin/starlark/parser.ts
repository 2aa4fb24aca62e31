/**
 * The Starlark parser: tokens to a syntax tree, by recursive descent over the grammar of the
 * Starlark specification (google/starlark-go `doc/spec.md`). This file has the statements;
 * expressions and the token cursor are in parse-expressions.ts.
 */
import type { NameExpr, Program, Stmt } from './ast.js';
import { tokenize } from './lexer.js';
import { AUGMENTED, ExpressionParser, nameExpr, newFunction } from './parse-expressions.js';

class Parser extends ExpressionParser {
  parseFile(): Program {
    const body: Stmt[] = [];
    while (this.kind() !== 'EOF') {
      if (this.kind() === 'NEWLINE') {
        this.i++;
        continue;
      }
      this.statement(body);
    }
    return { body, numLocals: 0, globals: [] };
  }

  private statement(out: Stmt[]): void {
    const t = this.tok;
    if (t.kind === 'INDENT') this.error('unexpected indent');
    if (t.kind === 'OP') {
      switch (t.text) {
        case 'def':
          out.push(this.defStmt());
          return;
        case 'if':
          out.push(this.ifStmt());
          return;
        case 'for':
          out.push(this.forStmt());
          return;
        case 'while':
          out.push(this.whileStmt());
          return;
      }
    }
    this.simpleStatement(out);
  }

  private defStmt(): Stmt {
    const pos = this.pos();
    this.expect('def');
    const nameTok = this.expectKind('NAME', 'function name');
    this.expect('(');
    const params = this.parameters(')');
    this.expect(')');
    this.expect(':');
    const body = this.suite();
    const name = nameExpr(nameTok.text, this.pos(nameTok));
    return { k: 'def', pos, name, fn: newFunction(nameTok.text, pos, params, body) };
  }

  private ifStmt(): Stmt {
    const pos = this.pos();
    this.i++; // `if` or `elif`
    const cond = this.test();
    this.expect(':');
    const then = this.suite();
    let otherwise: Stmt[] = [];
    if (this.is('elif')) otherwise = [this.ifStmt()];
    else if (this.accept('else')) {
      this.expect(':');
      otherwise = this.suite();
    }
    return { k: 'if', pos, cond, then, else: otherwise };
  }

  private forStmt(): Stmt {
    const pos = this.pos();
    this.expect('for');
    const target = this.loopVariables();
    this.expect('in');
    const iter = this.expression();
    this.expect(':');
    return { k: 'for', pos, target, iter, body: this.suite() };
  }

  private whileStmt(): Stmt {
    const pos = this.pos();
    this.expect('while');
    const cond = this.test();
    this.expect(':');
    return { k: 'while', pos, cond, body: this.suite() };
  }

  private suite(): Stmt[] {
    const body: Stmt[] = [];
    if (this.kind() !== 'NEWLINE') {
      this.simpleStatement(body);
      return body;
    }
    this.i++;
    this.expectKind('INDENT', 'an indented block');
    while (this.kind() !== 'OUTDENT' && this.kind() !== 'EOF') {
      if (this.kind() === 'NEWLINE') {
        this.i++;
        continue;
      }
      this.statement(body);
    }
    if (this.kind() === 'OUTDENT') this.i++;
    return body;
  }

  private simpleStatement(out: Stmt[]): void {
    for (;;) {
      out.push(this.smallStatement());
      if (!this.accept(';')) break;
      if (this.kind() === 'NEWLINE' || this.kind() === 'EOF') break;
    }
    if (this.kind() === 'EOF') return;
    this.expectKind('NEWLINE', 'newline');
  }

  private smallStatement(): Stmt {
    const t = this.tok;
    const pos = this.pos();
    if (t.kind === 'OP') {
      switch (t.text) {
        case 'return': {
          this.i++;
          const end = this.kind() === 'NEWLINE' || this.kind() === 'EOF' || this.is(';');
          return { k: 'return', pos, x: end ? undefined : this.expression() };
        }
        case 'break':
        case 'continue':
        case 'pass':
          this.i++;
          return { k: t.text, pos };
        case 'load':
          return this.loadStmt();
      }
    }
    const x = this.expression();
    const op = this.tok;
    if (op.kind === 'OP') {
      if (op.text === '=') {
        this.i++;
        return { k: 'assign', pos: this.pos(op), target: x, value: this.expression() };
      }
      const aug = AUGMENTED[op.text];
      if (aug !== undefined) {
        this.i++;
        return { k: 'augassign', pos: this.pos(op), op: aug, target: x, value: this.expression() };
      }
    }
    return { k: 'expr', pos, x };
  }

  private loadStmt(): Stmt {
    const pos = this.pos();
    this.expect('load');
    this.expect('(');
    const module = this.expectKind('STRING', 'module name string').text;
    const names: { local: NameExpr; remote: string }[] = [];
    while (this.accept(',')) {
      if (this.is(')')) break;
      const t = this.tok;
      if (t.kind === 'STRING') {
        this.i++;
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(t.text))
          this.error(`load: invalid identifier ${JSON.stringify(t.text)}`, t);
        names.push({ local: nameExpr(t.text, this.pos(t)), remote: t.text });
      } else {
        const local = this.expectKind('NAME', 'identifier or string');
        this.expect('=');
        const remote = this.expectKind('STRING', 'string').text;
        names.push({ local: nameExpr(local.text, this.pos(local)), remote });
      }
    }
    this.expect(')');
    if (names.length === 0) this.error('load statement must import at least 1 symbol');
    return { k: 'load', pos, module, names };
  }
}

/** Parses a program; throws StarlarkSyntaxError with the position of the first problem. */
export function parseProgram(src: string): Program {
  return new Parser(tokenize(src)).parseFile();
}
