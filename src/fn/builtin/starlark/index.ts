/**
 * Lading's Starlark interpreter (the dialect of kpt's `starlark` catalog function: starlark-go with
 * `set`, recursion, `while` and top-level `if`/`for`/`while` with global reassignment). `execute`
 * parses, resolves and runs a program; errors are StarlarkErrors with line and column.
 */
import { StarlarkError, StarlarkSyntaxError } from './errors.js';
import { DEFAULT_LIMITS, Thread, type Limits, type ThreadOptions } from './interpreter.js';
import { parseProgram } from './parser.js';
import { resolveProgram } from './resolver.js';
import { universe } from './universe.js';
import type { Value } from './values.js';

export interface ExecuteOptions extends ThreadOptions {
  /** Names the program sees besides the builtins (`ctx`). */
  predeclared?: ReadonlyMap<string, Value>;
}

const UNIVERSE = universe();

/** Runs `source`; returns the program's globals. Throws StarlarkError (syntax or runtime). */
export function execute(source: string, options: ExecuteOptions = {}): Map<string, Value> {
  const program = parseProgram(source);
  resolveProgram(program, { predeclared: options.predeclared ?? new Map(), universe: UNIVERSE });
  return new Thread(options).exec(program);
}

export { DEFAULT_LIMITS, StarlarkError, StarlarkSyntaxError, type Limits };
export { repr, str } from './format.js';
export * from './values.js';
