import { describe, expect, it } from 'vitest';
import { evaluateCel } from './cel.js';

const vars = { cond: { yes: true, no: false }, config: { n: 3, s: 'a', l: ['x'] } };

describe('CEL subset', () => {
  it.each([
    ['true', true],
    ["'false' == 'false'", true],
    ['cond.yes && !cond.no', true],
    ['cond.no || (config.n > 2 && config.s == "a")', true],
    ['has(config.s) && !has(config.missing)', true],
    ['"x" in config.l', true],
    ['config.n <= 2', false],
  ])('%s', (expr, want) => expect(evaluateCel(expr, vars)).toBe(want));
  it.each([
    ['config.s', /must return a bool/],
    ['nope', /undeclared reference to 'nope'/],
    ['config.missing', /no such key: missing/],
    ['true &&', /unexpected end/],
    ['1 < "a"', /no matching overload/],
  ])('refuses %s', (expr, want) => expect(() => evaluateCel(expr, vars)).toThrow(want));
});
