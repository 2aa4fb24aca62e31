/**
 * Errors of the Starlark interpreter. Every error carries the position it happened at (line and
 * column, 1-based) once known; `fail()` keeps the catalog function's exact message (`fail: …`).
 */

export interface Position {
  line: number;
  col: number;
}

export class StarlarkError extends Error {
  /** Where the error happened; set by the innermost statement or expression that knows it. */
  pos: Position | undefined;
  /** A `fail()` call: reported without the position, as the catalog function does. */
  readonly isFail: boolean;
  constructor(message: string, pos?: Position, options: { isFail?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StarlarkError';
    this.pos = pos;
    this.isFail = options.isFail ?? false;
  }

  /** `<file>:<line>:<col>: <message>` (`<file>: <message>` without a position; bare for `fail()`). */
  describe(file: string): string {
    if (this.isFail) return this.message;
    if (!this.pos) return `${file}: ${this.message}`;
    return `${file}:${this.pos.line}:${this.pos.col}: ${this.message}`;
  }
}

/** A syntax or resolution error: found before the program runs. */
export class StarlarkSyntaxError extends StarlarkError {
  constructor(message: string, pos: Position) {
    super(message, pos);
    this.name = 'StarlarkSyntaxError';
  }
}

/** Throws a runtime error without a position (the evaluator adds it). */
export function fail(message: string): never {
  throw new StarlarkError(message);
}
