/**
 * `load('math.star', 'math')`: starlark-go's math module. `ceil` and `floor` give ints, `round`
 * rounds half away from zero; the rest follow Go's math package on floats.
 */
import { unpackArgs } from './args.js';
import { fail } from './errors.js';
import { floatOf, floatToInt, isNumber } from './numbers.js';
import { Builtin, StarFloat, isInt, newStruct, typeName, type StarStruct, type Value } from './values.js';

function num(fn: string, name: string, v: Value | undefined): number {
  if (v === undefined || !isNumber(v))
    fail(`${fn}: for parameter ${name}: got ${typeName(v ?? null)}, want float or int`);
  return floatOf(v);
}

function unary(name: string, f: (x: number) => number, check?: (x: number) => string | undefined): Builtin {
  const fn = `math.${name}`;
  return new Builtin(fn, (a, k) => {
    const x = num(fn, 'x', unpackArgs(fn, a, k, ['x'])[0]);
    const problem = check?.(x);
    if (problem) fail(`${fn}: ${problem}`);
    return new StarFloat(f(x));
  });
}

function binary(
  name: string,
  f: (x: number, y: number) => number,
  names: [string, string] = ['x', 'y'],
): Builtin {
  const fn = `math.${name}`;
  return new Builtin(fn, (a, k) => {
    const [x, y] = unpackArgs(fn, a, k, names);
    return new StarFloat(f(num(fn, names[0], x), num(fn, names[1], y)));
  });
}

function toInt(name: string, f: (x: number) => number): Builtin {
  const fn = `math.${name}`;
  return new Builtin(fn, (a, k) => {
    const [x] = unpackArgs(fn, a, k, ['x']);
    if (x !== undefined && isInt(x)) return x;
    return floatToInt(f(num(fn, 'x', x)));
  });
}

/** IEEE remainder: x - n*y with n the integer nearest x/y (ties to even). */
function remainder(x: number, y: number): number {
  const q = x / y;
  let n = Math.round(q);
  if (Math.abs(q - Math.trunc(q)) === 0.5) n = 2 * Math.round(q / 2);
  return x - n * y;
}

function gamma(x: number): number {
  // Lanczos approximation (g = 7), accurate to about 15 digits.
  const p = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  const z = x - 1;
  let s = p[0] ?? 0;
  for (let i = 1; i < 9; i++) s += (p[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return Math.sqrt(2 * Math.PI) * t ** (z + 0.5) * Math.exp(-t) * s;
}

export function mathModule(): StarStruct {
  const positive = (x: number): string | undefined => (x < 0 ? 'math domain error' : undefined);
  return newStruct('math', {
    ceil: toInt('ceil', Math.ceil),
    floor: toInt('floor', Math.floor),
    round: unary('round', (x) => Math.sign(x) * Math.round(Math.abs(x))),
    fabs: unary('fabs', Math.abs),
    copysign: binary('copysign', (x, y) =>
      Math.sign(y) < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x),
    ),
    mod: binary('mod', (x, y) => {
      if (y === 0) fail('math.mod: division by zero');
      return x % y;
    }),
    pow: binary('pow', (x, y) => x ** y),
    remainder: binary('remainder', remainder),
    exp: unary('exp', Math.exp),
    sqrt: unary('sqrt', Math.sqrt, positive),
    acos: unary('acos', Math.acos),
    asin: unary('asin', Math.asin),
    atan: unary('atan', Math.atan),
    atan2: binary('atan2', Math.atan2, ['y', 'x']),
    cos: unary('cos', Math.cos),
    hypot: binary('hypot', Math.hypot),
    sin: unary('sin', Math.sin),
    tan: unary('tan', Math.tan),
    degrees: unary('degrees', (x) => (x * 180) / Math.PI),
    radians: unary('radians', (x) => (x * Math.PI) / 180),
    acosh: unary('acosh', Math.acosh),
    asinh: unary('asinh', Math.asinh),
    atanh: unary('atanh', Math.atanh),
    cosh: unary('cosh', Math.cosh),
    sinh: unary('sinh', Math.sinh),
    tanh: unary('tanh', Math.tanh),
    log: new Builtin('math.log', (a, k) => {
      const [x, base] = unpackArgs('math.log', a, k, ['x', 'base?']);
      const v = num('math.log', 'x', x);
      if (v <= 0) fail('math.log: math domain error');
      if (base === undefined) return new StarFloat(Math.log(v));
      const b = num('math.log', 'base', base);
      if (b <= 0 || b === 1) fail('math.log: math domain error');
      return new StarFloat(Math.log(v) / Math.log(b));
    }),
    gamma: unary('gamma', gamma),
    e: new StarFloat(Math.E),
    pi: new StarFloat(Math.PI),
  });
}
