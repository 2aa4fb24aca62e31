/**
 * The part of CEL that package conditions use (`package-operator.run/condition`,
 * `spec.filter`, the `cel` template function): `true`/`false`, `null`, numbers, strings, field
 * selection on the template context and `cond`, `has(a.b)`, `!`, `&&`, `||`, `==`, `!=`, `<`,
 * `<=`, `>`, `>=`, `in` and parentheses. Anything else is a clear error, never a guess.
 */
import { BadRequestError } from '../apimachinery/index.js';

type Tok = { t: 'num' | 'str' | 'id' | 'op'; v: string };

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s*(?:(\d+(?:\.\d+)?)|("(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')|([A-Za-z_][A-Za-z0-9_]*)|(&&|\|\||==|!=|<=|>=|[!<>().,]))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) throw new Error(`unexpected ${JSON.stringify(src.slice(pos).trim()[0] ?? '')}`);
    if (m[1] !== undefined) out.push({ t: 'num', v: m[1] });
    else if (m[2] !== undefined) out.push({ t: 'str', v: m[2] });
    else if (m[3] !== undefined) out.push({ t: 'id', v: m[3] });
    else out.push({ t: 'op', v: m[4] ?? '' });
    pos = re.lastIndex;
  }
  return out;
}

const MISSING = Symbol('missing');

/** Evaluates `expression` over `vars`; it must yield a bool. Throws BadRequestError. */
export function evaluateCel(expression: string, vars: Record<string, unknown>): boolean {
  let toks: Tok[];
  try {
    toks = lex(expression);
  } catch (err) {
    throw new BadRequestError(`CEL expression ${JSON.stringify(expression)}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const eat = (v: string): boolean => {
    if (toks[i]?.t === 'op' && toks[i]?.v === v) {
      i++;
      return true;
    }
    return false;
  };
  const fail = (msg: string): never => {
    throw new BadRequestError(`CEL expression ${JSON.stringify(expression)}: ${msg}`);
  };
  const select = (base: unknown, key: string): unknown =>
    typeof base === 'object' && base !== null && !Array.isArray(base) && Object.hasOwn(base, key)
      ? (base as Record<string, unknown>)[key]
      : MISSING;
  const primary = (): unknown => {
    const tok = toks[i++];
    if (!tok) return fail('unexpected end of expression');
    let value: unknown;
    if (tok.t === 'num') value = Number(tok.v);
    else if (tok.t === 'str')
      value = JSON.parse(tok.v.startsWith("'") ? `"${tok.v.slice(1, -1).replace(/"/g, '\\"')}"` : tok.v);
    else if (tok.t === 'op' && tok.v === '(') {
      value = or();
      if (!eat(')')) fail('missing )');
    } else if (tok.t === 'id') {
      if (tok.v === 'true' || tok.v === 'false') return tok.v === 'true';
      if (tok.v === 'null') return null;
      if (tok.v === 'has') {
        if (!eat('(')) fail('has() needs a field selection');
        const idTok = toks[i++];
        if (idTok?.t !== 'id') return fail('has() needs a field selection');
        let v: unknown = Object.hasOwn(vars, idTok.v) ? vars[idTok.v] : MISSING;
        let last: unknown = MISSING;
        while (eat('.')) {
          const key = toks[i++];
          if (key?.t !== 'id') fail('expected a field name after "."');
          last = v === MISSING ? MISSING : select(v, key?.v ?? '');
          v = last;
        }
        if (!eat(')')) fail('missing ) after has(');
        return last !== MISSING;
      }
      if (!Object.hasOwn(vars, tok.v)) fail(`undeclared reference to '${tok.v}'`);
      value = vars[tok.v];
    } else return fail(`unexpected "${tok.v}"`);
    while (eat('.')) {
      const key = toks[i++];
      if (key?.t !== 'id') fail('expected a field name after "."');
      value = select(value, key?.v ?? '');
      if (value === MISSING) fail(`no such key: ${key?.v ?? ''}`);
    }
    return value;
  };
  const unary = (): unknown => {
    if (eat('!')) {
      const v = unary();
      if (typeof v !== 'boolean') fail("no matching overload for '!'");
      return !v;
    }
    return primary();
  };
  const comparison = (): unknown => {
    const left = unary();
    const op = peek();
    if (op?.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(op.v)) {
      i++;
      const right = unary();
      switch (op.v) {
        case '==':
          return JSON.stringify(left) === JSON.stringify(right);
        case '!=':
          return JSON.stringify(left) !== JSON.stringify(right);
        default:
          if (typeof left !== typeof right || (typeof left !== 'number' && typeof left !== 'string')) {
            fail(`no matching overload for '${op.v}'`);
          }
          return op.v === '<'
            ? (left as number) < (right as number)
            : op.v === '<='
              ? (left as number) <= (right as number)
              : op.v === '>'
                ? (left as number) > (right as number)
                : (left as number) >= (right as number);
      }
    }
    if (op?.t === 'id' && op.v === 'in') {
      i++;
      const right = unary();
      if (Array.isArray(right)) return right.some((x) => JSON.stringify(x) === JSON.stringify(left));
      if (typeof right === 'object' && right !== null) return Object.hasOwn(right, String(left));
      fail("no matching overload for 'in'");
    }
    return left;
  };
  const and = (): unknown => {
    let v = comparison();
    while (eat('&&')) {
      const r = comparison();
      if (typeof v !== 'boolean' || typeof r !== 'boolean') fail("no matching overload for '&&'");
      v = (v as boolean) && r;
    }
    return v;
  };
  const or = (): unknown => {
    let v = and();
    while (eat('||')) {
      const r = and();
      if (typeof v !== 'boolean' || typeof r !== 'boolean') fail("no matching overload for '||'");
      v = v || r;
    }
    return v;
  };
  const result = or();
  if (i < toks.length) fail(`unexpected "${toks[i]?.v ?? ''}"`);
  if (typeof result !== 'boolean') fail('expression must return a bool');
  return result as boolean;
}
