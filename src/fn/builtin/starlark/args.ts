/**
 * Argument checking for builtins, like starlark-go's `UnpackArgs`: named parameters, `?` marks an
 * optional one; errors name the function and the parameter.
 */
import { fail } from './errors.js';
import { toNumber } from './numbers.js';
import { isInt, typeName, type Kwargs, type Value } from './values.js';

export function unpackArgs(
  fn: string,
  args: readonly Value[],
  kwargs: Kwargs,
  names: readonly string[],
): (Value | undefined)[] {
  const out: (Value | undefined)[] = new Array<Value | undefined>(names.length).fill(undefined);
  if (args.length > names.length) {
    fail(`${fn}: got ${args.length} arguments, want at most ${names.length}`);
  }
  for (let i = 0; i < args.length; i++) out[i] = args[i];
  for (const [k, v] of kwargs) {
    const i = names.findIndex((n) => n === k || n === `${k}?`);
    if (i < 0) fail(`${fn}: unexpected keyword argument ${k}`);
    if (out[i] !== undefined) fail(`${fn}: got multiple values for parameter ${k}`);
    out[i] = v;
  }
  names.forEach((n, i) => {
    if (!n.endsWith('?') && out[i] === undefined) fail(`${fn}: missing argument for ${n}`);
  });
  return out;
}

/** No arguments at all. */
export function noArgs(fn: string, args: readonly Value[], kwargs: Kwargs): void {
  if (args.length > 0 || kwargs.length > 0)
    fail(`${fn}: got ${args.length + kwargs.length} arguments, want 0`);
}

export function asString(fn: string, name: string, v: Value | undefined): string {
  if (typeof v !== 'string') fail(`${fn}: for parameter ${name}: got ${typeName(v ?? null)}, want string`);
  return v;
}

export function optString(fn: string, name: string, v: Value | undefined, dflt: string): string {
  return v === undefined || v === null ? dflt : asString(fn, name, v);
}

export function asInt(fn: string, name: string, v: Value | undefined): number {
  if (v === undefined || !isInt(v))
    fail(`${fn}: for parameter ${name}: got ${typeName(v ?? null)}, want int`);
  return toNumber(v);
}

export function optInt(fn: string, name: string, v: Value | undefined, dflt: number): number {
  return v === undefined || v === null ? dflt : asInt(fn, name, v);
}

export function asBool(fn: string, name: string, v: Value | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') fail(`${fn}: for parameter ${name}: got ${typeName(v)}, want bool`);
  return v;
}
