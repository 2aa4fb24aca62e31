/** Argument binding of calls to Starlark functions (defs and lambdas). */
import type { FunctionDef } from './ast.js';
import { fail } from './errors.js';
import { StarDict, StarTuple, type Kwargs, type StarFunction, type Value } from './values.js';

/** Signature information of a def, computed on its first call. */
interface CallShape {
  names: string[];
  index: Map<string, number>;
}

const shapes = new WeakMap<FunctionDef, CallShape>();

function shapeOf(def: FunctionDef): CallShape {
  let shape = shapes.get(def);
  if (!shape) {
    const names = def.params.filter((p) => p.kind === 'normal').map((p) => p.name);
    shape = { names, index: new Map(names.map((n, i) => [n, i])) };
    shapes.set(def, shape);
  }
  return shape;
}

/** Binds a call's arguments to the parameter slots of `fn`'s frame, with Starlark's errors. */
export function bindArgs(fn: StarFunction, args: Value[], kwargs: Kwargs, locals: Value[]): void {
  const def = fn.def;
  const slots = def.paramSlots;
  const np = def.numPositional;
  const nk = def.numKwonly;
  if (kwargs.length === 0 && args.length === np && nk === 0 && !def.hasVarargs && !def.hasKwargs) {
    for (let i = 0; i < np; i++) locals[slots[i] as number] = args[i] as Value;
    return;
  }
  const what = `function ${fn.name}`;
  const n = Math.min(args.length, np);
  for (let i = 0; i < n; i++) locals[slots[i] as number] = args[i] as Value;
  if (def.hasVarargs) locals[slots[np + nk] as number] = new StarTuple(args.slice(np));
  else if (args.length > np) {
    fail(
      `${what} accepts ${np === 0 ? 'no' : `at most ${np}`} positional argument${np === 1 ? '' : 's'} (${args.length} given)`,
    );
  }
  const extra = def.hasKwargs ? new StarDict() : undefined;
  if (kwargs.length > 0) {
    const shape = shapeOf(def);
    for (const [name, v] of kwargs) {
      const i = shape.index.get(name);
      if (i === undefined) {
        if (!extra) fail(`${what} got an unexpected keyword argument ${name}`);
        if (extra.has(name)) fail(`${what} got multiple values for keyword argument ${name}`);
        extra.setUnchecked(name, v);
        continue;
      }
      const slot = slots[i] as number;
      if (locals[slot] !== undefined) fail(`${what} got multiple values for parameter ${name}`);
      locals[slot] = v;
    }
  }
  const missing: string[] = [];
  for (let i = 0; i < np + nk; i++) {
    const slot = slots[i] as number;
    if (locals[slot] !== undefined) continue;
    const d = fn.defaults[i];
    if (d === undefined) missing.push(shapeOf(def).names[i] ?? '?');
    else locals[slot] = d;
  }
  if (missing.length > 0) {
    fail(
      `${what} missing ${missing.length} argument${missing.length === 1 ? '' : 's'} (${missing.join(', ')})`,
    );
  }
  if (extra) locals[slots[np + nk + (def.hasVarargs ? 1 : 0)] as number] = extra;
}
