/**
 * Executes parsed Go templates over JSON-shaped data with Go's rules: `missingkey=error`, Go
 * truthiness, variables scoped to their control structure, `$` the root, pipelines passing the
 * previous result as the last argument, and Go's `fmt` printing of values.
 */
import { parseTemplate, TemplateError, type Node, type Operand, type Pipe } from './parse.js';
import { formatValue } from './format.js';

export type TemplateFunc = (this: TemplateSet, ...args: unknown[]) => unknown;

class BreakSignal extends Error {}
class ContinueSignal extends Error {}

/** Thrown by functions to report a problem; becomes `executing "<name>" at <…>: <message>`. */
export class FuncError extends Error {}

const STRING_MAPS = new WeakSet<object>();

/**
 * Marks `map` as Go `map[string]string` (package labels and annotations): `index` of a missing
 * key then yields "" instead of no value, as in Go.
 */
export function markStringMap<T extends object>(map: T): T {
  STRING_MAPS.add(map);
  return map;
}

export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'object') return 'map[string]interface {}';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function describe(op: Operand): string {
  switch (op.type) {
    case 'field':
      return op.path.length === 0 ? '.' : `.${op.path.join('.')}`;
    case 'var':
      return op.name + op.path.map((p) => `.${p}`).join('');
    case 'ident':
      return op.name;
    case 'string':
      return JSON.stringify(op.value);
    case 'number':
      return op.text;
    case 'bool':
      return String(op.value);
    case 'nil':
      return 'nil';
    case 'pipe':
      return `(${op.pipe.cmds.map((c) => c.map(describe).join(' ')).join(' | ')})${op.path.map((p) => `.${p}`).join('')}`;
  }
}

interface Scope {
  vars: { name: string; value: unknown }[];
}

/** A set of templates sharing `define`s and functions, like Go's `*template.Template`. */
export class TemplateSet {
  private readonly templates = new Map<string, Node[]>();
  readonly funcs: Map<string, TemplateFunc>;
  private depth = 0;
  /** Largest `template`/`include` nesting (Package Operator allows 1000). */
  maxDepth = 1000;

  constructor(funcs: Record<string, TemplateFunc> = {}) {
    this.funcs = new Map(Object.entries(funcs));
  }

  /** Parses `src` as template `name`; its `define`s join the set. Throws TemplateError. */
  add(name: string, src: string): void {
    const parsed = parseTemplate(src, name);
    this.templates.set(name, parsed.root);
    for (const [def, body] of parsed.defines) this.templates.set(def, body);
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  /** Runs template `name` with `data` as dot and `$`. Throws TemplateError. */
  execute(name: string, data: unknown): string {
    const body = this.templates.get(name);
    if (!body) throw new TemplateError(name, 0, `no such template "${name}"`);
    if (++this.depth > this.maxDepth) {
      this.depth = 0;
      throw new TemplateError(name, 0, `exceeded maximum template depth (${this.maxDepth})`);
    }
    try {
      const out: string[] = [];
      new Execution(this, name, data).list(body, data, { vars: [{ name: '$', value: data }] }, out);
      return out.join('');
    } finally {
      this.depth--;
    }
  }
}

class Execution {
  constructor(
    private readonly set: TemplateSet,
    private readonly name: string,
    private readonly root: unknown,
  ) {}

  private fail(line: number, at: string, message: string): never {
    throw new TemplateError(this.name, line, `executing "${this.name}" at <${at}>: ${message}`);
  }

  list(nodes: Node[], dot: unknown, scope: Scope, out: string[]): void {
    const mark = scope.vars.length;
    try {
      for (const node of nodes) this.node(node, dot, scope, out);
    } finally {
      scope.vars.length = mark;
    }
  }

  private node(node: Node, dot: unknown, scope: Scope, out: string[]): void {
    switch (node.type) {
      case 'text':
        out.push(node.text);
        return;
      case 'action': {
        const value = this.pipe(node.pipe, dot, scope, node.line);
        if (node.pipe.decl.length === 0) out.push(formatValue(value));
        return;
      }
      case 'if':
      case 'with': {
        const mark = scope.vars.length;
        const value = this.pipe(node.pipe, dot, scope, node.line);
        try {
          if (isTruthy(value)) this.list(node.list, node.type === 'with' ? value : dot, scope, out);
          else if (node.elseList) this.list(node.elseList, dot, scope, out);
        } finally {
          scope.vars.length = mark;
        }
        return;
      }
      case 'range':
        this.range(node, dot, scope, out);
        return;
      case 'template': {
        const arg = node.pipe ? this.pipe(node.pipe, dot, scope, node.line) : null;
        if (!this.set.has(node.name))
          this.fail(node.line, `template "${node.name}"`, `no such template "${node.name}"`);
        out.push(this.set.execute(node.name, arg));
        return;
      }
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private range(node: Extract<Node, { type: 'range' }>, dot: unknown, scope: Scope, out: string[]): void {
    const mark = scope.vars.length;
    const decl = node.pipe.decl;
    const value = this.pipe({ ...node.pipe, decl: [] }, dot, scope, node.line);
    let entries: [unknown, unknown][];
    if (Array.isArray(value)) entries = value.map((v, i) => [i, v]);
    else if (isMap(value))
      entries = Object.keys(value)
        .sort()
        .map((k) => [k, value[k]]);
    else if (value === null || value === undefined) entries = [];
    else if (typeof value === 'number' && Number.isInteger(value))
      entries = Array.from({ length: value }, (_, i) => [i, i]);
    else this.fail(node.line, 'range', `range can't iterate over ${formatValue(value)}`);
    try {
      if (entries.length === 0) {
        if (node.elseList) this.list(node.elseList, dot, scope, out);
        return;
      }
      for (const [key, item] of entries) {
        const m = scope.vars.length;
        if (decl.length === 1) scope.vars.push({ name: decl[0] ?? '', value: item });
        else if (decl.length === 2) {
          scope.vars.push({ name: decl[0] ?? '', value: key });
          scope.vars.push({ name: decl[1] ?? '', value: item });
        }
        try {
          this.list(node.list, item, scope, out);
        } catch (err) {
          if (err instanceof BreakSignal) break;
          if (!(err instanceof ContinueSignal)) throw err;
        } finally {
          scope.vars.length = m;
        }
      }
    } finally {
      scope.vars.length = mark;
    }
  }

  private pipe(pipe: Pipe, dot: unknown, scope: Scope, line: number): unknown {
    let value: unknown = undefined;
    let first = true;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, scope, line, first ? undefined : { value });
      first = false;
    }
    for (const name of pipe.decl) {
      if (pipe.assign) {
        const v = [...scope.vars].reverse().find((x) => x.name === name);
        if (!v) this.fail(line, name, `undefined variable: ${name}`);
        v.value = value;
      } else scope.vars.push({ name, value });
    }
    return value;
  }

  private command(
    cmd: Operand[],
    dot: unknown,
    scope: Scope,
    line: number,
    piped: { value: unknown } | undefined,
  ): unknown {
    const head = cmd[0] as Operand;
    if (head.type === 'ident') {
      const fn = this.set.funcs.get(head.name) ?? BUILTINS.get(head.name);
      if (!fn) this.fail(line, head.name, `function "${head.name}" not defined`);
      if (head.name === 'and' || head.name === 'or')
        return this.andOr(head.name, cmd.slice(1), dot, scope, line, piped);
      const args = cmd.slice(1).map((op) => this.arg(op, dot, scope, line));
      if (piped) args.push(piped.value);
      try {
        return fn.apply(this.set, args);
      } catch (err) {
        if (err instanceof TemplateError) throw err;
        const message = err instanceof Error ? err.message : String(err);
        return this.fail(line, cmd.map(describe).join(' '), `error calling ${head.name}: ${message}`);
      }
    }
    if (cmd.length > 1 || piped) {
      this.fail(line, describe(head), `can't give argument to non-function ${describe(head)}`);
    }
    return this.arg(head, dot, scope, line);
  }

  private andOr(
    name: 'and' | 'or',
    ops: Operand[],
    dot: unknown,
    scope: Scope,
    line: number,
    piped: { value: unknown } | undefined,
  ): unknown {
    const thunks: (() => unknown)[] = ops.map((op) => () => this.arg(op, dot, scope, line));
    if (piped) thunks.push(() => piped.value);
    if (thunks.length === 0) this.fail(line, name, `wrong number of args for ${name}: want at least 1 got 0`);
    let v: unknown;
    for (const t of thunks) {
      v = t();
      if (name === 'and' ? !isTruthy(v) : isTruthy(v)) return v;
    }
    return v;
  }

  private arg(op: Operand, dot: unknown, scope: Scope, line: number): unknown {
    switch (op.type) {
      case 'field':
        return this.walk(dot, op.path, describe(op), line);
      case 'var': {
        const v = [...scope.vars].reverse().find((x) => x.name === op.name);
        if (!v) {
          if (op.name === '$') return this.walk(this.root, op.path, describe(op), line);
          this.fail(line, op.name, `undefined variable: ${op.name}`);
        }
        return this.walk(v.value, op.path, describe(op), line);
      }
      case 'ident': {
        const fn = this.set.funcs.get(op.name) ?? BUILTINS.get(op.name);
        if (!fn) this.fail(line, op.name, `function "${op.name}" not defined`);
        return fn.apply(this.set, []);
      }
      case 'string':
      case 'number':
      case 'bool':
        return op.value;
      case 'nil':
        return null;
      case 'pipe':
        return this.walk(this.pipe(op.pipe, dot, scope, line), op.path, describe(op), line);
    }
  }

  private walk(value: unknown, path: string[], at: string, line: number): unknown {
    let v = value;
    for (const key of path) {
      if (isMap(v)) {
        if (!Object.hasOwn(v, key)) this.fail(line, at, `map has no entry for key "${key}"`);
        v = v[key];
      } else if (v === null || v === undefined) {
        this.fail(line, at, `nil pointer evaluating interface {}.${key}`);
      } else {
        this.fail(line, at, `can't evaluate field ${key} in type ${typeName(v)}`);
      }
    }
    return v;
  }
}

function basicKind(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'object') return Array.isArray(v) ? 'slice' : 'map';
  return typeof v;
}

function compare(a: unknown, b: unknown, op: string): number {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka !== kb) throw new FuncError('incompatible types for comparison');
  if (ka === 'map' || ka === 'slice')
    throw new FuncError(`non-comparable type ${formatValue(a)}: ${typeName(a)}`);
  if (op !== 'eq' && (ka === 'boolean' || ka === 'nil')) throw new FuncError('invalid type for comparison');
  if (a === b) return 0;
  return (a as number | string) < (b as number | string) ? -1 : 1;
}

function sprintf(format: string, args: unknown[]): string {
  let i = 0;
  return (
    format.replace(
      /%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
      (_m, _flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
        if (verb === '%') return '%';
        if (i >= args.length) return `%!${verb}(MISSING)`;
        const a = args[i++];
        let s: string;
        switch (verb) {
          case 'd':
            s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeName(a)}=${formatValue(a)})`;
            break;
          case 'f':
            s =
              typeof a === 'number'
                ? a.toFixed(prec === undefined ? 6 : Number(prec))
                : `%!f(${typeName(a)}=${formatValue(a)})`;
            break;
          case 'q':
            s = JSON.stringify(typeof a === 'string' ? a : formatValue(a));
            break;
          case 'x':
            s =
              typeof a === 'number'
                ? Math.trunc(a).toString(16)
                : Buffer.from(formatValue(a)).toString('hex');
            break;
          case 't':
            s = typeof a === 'boolean' ? String(a) : `%!t(${typeName(a)}=${formatValue(a)})`;
            break;
          default:
            s = formatValue(a);
        }
        return width ? s.padStart(Number(width)) : s;
      },
    ) +
    (i < args.length
      ? `%!(EXTRA ${args
          .slice(i)
          .map((a) => `${typeName(a)}=${formatValue(a)}`)
          .join(', ')})`
      : '')
  );
}

/** Go's predefined template functions. */
const BUILTINS = new Map<string, TemplateFunc>([
  ['and', () => undefined],
  ['or', () => undefined],
  ['not', (v) => !isTruthy(v)],
  [
    'len',
    (v) => {
      if (typeof v === 'string') return Buffer.byteLength(v);
      if (Array.isArray(v)) return v.length;
      if (isMap(v)) return Object.keys(v).length;
      throw new FuncError(`len of ${v === null || v === undefined ? 'nil pointer' : `type ${typeName(v)}`}`);
    },
  ],
  [
    'index',
    (item, ...keys) => {
      let v = item;
      for (const k of keys) {
        if (v === null || v === undefined) throw new FuncError('index of untyped nil');
        if (Array.isArray(v)) {
          if (typeof k !== 'number' || k < 0 || k >= v.length)
            throw new FuncError(`index out of range: ${formatValue(k)}`);
          v = v[k];
        } else if (isMap(v)) v = Object.hasOwn(v, String(k)) ? v[String(k)] : STRING_MAPS.has(v) ? '' : null;
        else throw new FuncError(`can't index item of type ${typeName(v)}`);
      }
      return v;
    },
  ],
  [
    'print',
    (...args) =>
      args
        .map(
          (a, i) =>
            (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a),
        )
        .join(''),
  ],
  ['println', (...args) => `${args.map(formatValue).join(' ')}\n`],
  ['printf', (format, ...args) => sprintf(String(format), args)],
  [
    'eq',
    (a, ...bs) => {
      if (bs.length === 0) throw new FuncError('missing argument for comparison');
      return bs.some((b) => compare(a, b, 'eq') === 0);
    },
  ],
  ['ne', (a, b) => compare(a, b, 'eq') !== 0],
  ['lt', (a, b) => compare(a, b, 'lt') < 0],
  ['le', (a, b) => compare(a, b, 'le') <= 0],
  ['gt', (a, b) => compare(a, b, 'gt') > 0],
  ['ge', (a, b) => compare(a, b, 'ge') >= 0],
  ['urlquery', (...args) => encodeURIComponent(args.map(formatValue).join(''))],
  [
    'html',
    (...args) =>
      args
        .map(formatValue)
        .join('')
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&#34;')
        .replace(/'/g, '&#39;'),
  ],
]);

export { sprintf };
