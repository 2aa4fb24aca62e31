import { describe, expect, it } from 'vitest';
import { StarlarkError, execute } from './index.js';

/** Runs a program; answers what it printed, one line per print. */
function run(source: string, limits?: { maxSteps?: number; maxDepth?: number }): string {
  const lines: string[] = [];
  execute(source, { print: (l) => lines.push(l), ...(limits ? { limits } : {}) });
  return lines.join('\n');
}

/** The error a program stops with, as the function reports it (`prog:<line>:<col>: …`). */
function failure(source: string, limits?: { maxSteps?: number; maxDepth?: number }): string {
  try {
    run(source, limits);
  } catch (err) {
    if (err instanceof StarlarkError) return err.describe('prog');
    throw err;
  }
  throw new Error('the program did not fail');
}

describe('starlark language', () => {
  it.each<[string, string, string]>([
    ['int arithmetic', 'print(1 + 2 * 3, 7 // 2, -7 // 2, 7 % -3, -7 % 3, 2 - 5)', '7 3 -4 -2 2 -3'],
    [
      'big ints stay exact',
      'print(1 << 70, (1 << 64) * 3 - 1, 9007199254740993 + 0)',
      '1180591620717411303424 55340232221128654847 9007199254740993',
    ],
    [
      'float arithmetic and str',
      'print(1 / 2, 0.1 + 0.2, 3.0, 1e6, 100000.0, 2.5 // 1, -1.5 % 1, 1e-5)',
      '0.5 0.30000000000000004 3.0 1e+06 100000.0 2.0 0.5 1e-05',
    ],
    ['int/float equality', 'print(1 == 1.0, 2 < 2.5, {1: "a"}[1.0])', 'True True a'],
    ['bitwise', 'print(6 & 3, 6 | 3, 6 ^ 3, ~5, 1 << 3, 256 >> 4)', '2 7 5 -6 8 16'],
    [
      'strings and escapes',
      'print("a\\tb", len("a\\nb"), "\\x41\\u00e9", r"\\n", \'it\\\'s\')',
      "a\tb 3 Aé \\n it's",
    ],
    ['triple-quoted strings', 's = """line1\nline2"""\nprint(s.splitlines())', '["line1", "line2"]'],
    [
      'string methods',
      'print("a,b,,c".split(","), " x ".strip(), "Hello".lower().upper(), "abc".startswith("ab"), "abc".endswith(("x", "c")))',
      '["a", "b", "", "c"] x HELLO True True',
    ],
    [
      'more string methods',
      'print("a-b-c".replace("-", "+", 1), "abcabc".find("c"), "abcabc".rfind("c"), "abc".count("b"), "x".join(["1", "2"]), "  a b  ".split())',
      'a+b-c 2 5 1 1x2 ["a", "b"]',
    ],
    [
      'partition and strip chars',
      'print("k=v=w".partition("="), "k=v=w".rpartition("="), "xxhixx".strip("x"), "a b c".rsplit(" ", 1))',
      '("k", "=", "v=w") ("k=v", "=", "w") hi ["a b", "c"]',
    ],
    [
      'percent formatting',
      'print("%s-%d-%r-%x-%%" % ("a", 42, "q", 255), "%(k)s" % {"k": 1}, "%5s" if False else "%.0s" if False else "%s" % [1])',
      'a-42-"q"-ff-% 1 [1]',
    ],
    [
      'str.format',
      'print("{} {}".format(1, "b"), "{1}{0}".format("a", "b"), "{x}!r".format(x=1), "{!r}".format("s"), "{{}}".format())',
      '1 b ba 1!r "s" {}',
    ],
    [
      'string indexing and slicing',
      's = "hello"\nprint(s[0], s[-1], s[1:3], s[::-1], s[:-2], s[10:])',
      'h o el olleh hel ',
    ],
    [
      'lists',
      'l = [3, 1, 2]\nl.append(4)\nl.extend([5])\nl.insert(0, 0)\nprint(l, l.pop(), l.index(2), len(l), l[1:3], 2 in l)',
      '[0, 3, 1, 2, 4] 5 3 5 [3, 1] True',
    ],
    [
      'list remove and clear',
      'l = [1, 2, 1]\nl.remove(1)\nprint(l)\nl.clear()\nprint(l, l * 2, [1] * 3, [1] + [2])',
      '[2, 1]\n[] [] [1, 1, 1] [1, 2]',
    ],
    [
      'list slice assignment of index',
      'l = [1, 2, 3]\nl[-1] = 9\nl[0] += 10\nprint(l, l[::2], l[::-1])',
      '[11, 2, 9] [11, 9] [9, 2, 11]',
    ],
    [
      'tuples',
      't = (1, "a")\nprint(t, (1,), (), t + (2,), t[1], len(t), type(t))',
      '(1, "a") (1,) () (1, "a", 2) a 2 tuple',
    ],
    [
      'dicts keep insertion order',
      'd = {"b": 1, "a": 2}\nd["c"] = 3\nd["b"] = 4\nprint(d, d.keys(), d.values(), d.items())',
      '{"b": 4, "a": 2, "c": 3} ["b", "a", "c"] [4, 2, 3] [("b", 4), ("a", 2), ("c", 3)]',
    ],
    [
      'dict methods',
      'd = {"a": 1}\nprint(d.get("a"), d.get("x"), d.get("x", 5), d.setdefault("y", 2), d.pop("a"), d)\nd.update({"z": 3}, w=4)\nprint(d, "z" in d, len(d))',
      '1 None 5 2 1 {"y": 2}\n{"y": 2, "z": 3, "w": 4} True 3',
    ],
    [
      'dict union and tuple keys',
      'print({"a": 1} | {"b": 2}, {(1, 2): "t"}[(1, 2)], dict([("k", "v")], x=1))',
      '{"a": 1, "b": 2} t {"k": "v", "x": 1}',
    ],
    [
      'sets',
      's = set(["foo", "bar"])\ns.add("baz")\nprint(s, "foo" in s, len(s), s | set(["q"]), s & set(["bar"]), sorted(s - set(["foo"])))',
      'set(["foo", "bar", "baz"]) True 3 set(["foo", "bar", "baz", "q"]) set(["bar"]) ["bar", "baz"]',
    ],
    [
      'None and bool',
      'print(None, True and False, None or "x", not None, bool([]), bool("a"), 0 or [] or "last")',
      'None False x True False True last',
    ],
    ['conditional expression', 'x = 5\nprint("big" if x > 3 else "small", "a" if None else "b")', 'big b'],
    [
      'list and dict comprehensions',
      'print([x * x for x in range(5) if x % 2 == 0], {k: v for k, v in [("a", 1)]}, [(x, y) for x in range(2) for y in "ab".elems()])',
      '[0, 4, 16] {"a": 1} [(0, "a"), (0, "b"), (1, "a"), (1, "b")]',
    ],
    [
      'comprehension variables stay local',
      'x = "outer"\ny = [x for x in range(3)]\nprint(x, y)',
      'outer [0, 1, 2]',
    ],
    [
      'if elif else',
      'def f(n):\n  if n < 0:\n    return "neg"\n  elif n == 0:\n    return "zero"\n  else:\n    return "pos"\nprint(f(-1), f(0), f(1))',
      'neg zero pos',
    ],
    [
      'for with break and continue',
      'out = []\nfor i in range(10):\n  if i % 2 == 1:\n    continue\n  if i > 6:\n    break\n  out.append(i)\nprint(out)',
      '[0, 2, 4, 6]',
    ],
    ['while loops', 'i = 0\nwhile i < 5:\n  i += 1\nprint(i)', '5'],
    ['pass and top-level if', 'if True:\n  pass\nelse:\n  x = 1\nprint("ok")', 'ok'],
    ['global reassignment', 'x = 1\nx = x + 1\nfor x in [5]:\n  pass\nprint(x)', '5'],
    [
      'unpacking',
      'a, b = 1, 2\n(c, [d, e]) = (3, [4, 5])\nfor k, v in {"x": 1}.items():\n  print(k, v)\nprint(a, b, c, d, e)',
      'x 1\n1 2 3 4 5',
    ],
    [
      'augmented assignment',
      'x = 10\nx -= 3\nx *= 2\nx //= 3\nx %= 3\ns = "a"\ns += "b"\nl = [1]\nm = l\nl += [2]\nprint(x, s, m)',
      '1 ab [1, 2]',
    ],
    [
      'functions with defaults, *args, **kwargs',
      'def f(a, b=2, *args, c=3, **kw):\n  return (a, b, args, c, kw)\nprint(f(1), f(1, 5, 6, 7, c=8, z=9), f(*[1, 2], **{"c": 0}))',
      '(1, 2, (), 3, {}) (1, 5, (6, 7), 8, {"z": 9}) (1, 2, (), 0, {})',
    ],
    ['keyword-only parameters', 'def f(a, *, key):\n  return a + key\nprint(f(1, key=2))', '3'],
    ['defaults are evaluated once at def', 'n = 1\ndef f(x=n):\n  return x\nn = 2\nprint(f())', '1'],
    [
      'closures and lambdas',
      'def adder(n):\n  return lambda x: x + n\nadd2 = adder(2)\nprint(add2(3), (lambda: "k")(), sorted([3, 1, 2], key=lambda v: -v))',
      '5 k [3, 2, 1]',
    ],
    [
      'nested functions see enclosing locals',
      'def outer():\n  v = "a"\n  def inner():\n    return v + "b"\n  return inner()\nprint(outer())',
      'ab',
    ],
    ['recursion', 'def fib(n):\n  return n if n < 2 else fib(n - 1) + fib(n - 2)\nprint(fib(15))', '610'],
    [
      'builtins',
      'print(len("abc"), list(range(2, 8, 3)), enumerate(["a", "b"], 1), zip([1, 2], [3]), reversed([1, 2]), any([0, 1]), all([1, 0]))',
      '3 [2, 5] [(1, "a"), (2, "b")] [(1, 3)] [2, 1] True False',
    ],
    [
      'conversions',
      'print(str(1), repr("a"), int("-12"), int("ff", 16), int("0x10", 0), int(3.9), float("1.5"), float(2), bool(0), tuple([1]), list("ab".elems()))',
      '1 "a" -12 255 16 3 1.5 2.0 False (1,) ["a", "b"]',
    ],
    [
      'min max abs hash',
      'print(min(3, 1, 2), max([1, 5, 3]), max(["a", "bbb"], key=len), abs(-2), abs(-2.5), hash("abc"), hash("") )',
      '1 5 bbb 2 2.5 96354 0',
    ],
    [
      'sorted stable with reverse',
      'print(sorted([(1, "b"), (0, "z"), (1, "a")]), sorted(["b", "a", "c"], reverse=True))',
      '[(0, "z"), (1, "a"), (1, "b")] ["c", "b", "a"]',
    ],
    [
      'type, dir, hasattr, getattr',
      'print(type(1), type(1.0), type("s"), type([]), type({}), type(None), type(len), hasattr("", "split"), getattr([], "x", 7), dir({})[:3])',
      'int float string list dict NoneType builtin_function_or_method True 7 ["clear", "get", "items"]',
    ],
    ['print with sep and repr of nested values', 'print(1, "a", [None, True], sep="|")', '1|a|[None, True]'],
    ['line continuation and brackets', 'x = [1,\n     2]\ny = 1 + \\\n    2\nprint(x, y)', '[1, 2] 3'],
    ['semicolons', 'a = 1; b = 2; print(a + b)', '3'],
    [
      'range objects',
      'r = range(10)[2:8:2]\nprint(r, len(r), list(r), 4 in r, 5 in r, range(3))',
      'range(2, 8, 2) 3 [2, 4, 6] True False range(3)',
    ],
  ])('%s', (_name, source, expected) => {
    expect(run(source)).toBe(expected);
  });
});

describe('starlark errors say where and what', () => {
  it.each<[string, string, string]>([
    ['syntax error', 'x = (1,\nprint(x', 'prog:2:8: got end of file, want )'],
    ['unexpected indent', 'x = 1\n  y = 2', 'prog:2:3: unexpected indent'],
    ['bad escape', 's = "\\q"', 'prog:1:6: invalid escape sequence \\q'],
    ['undefined name before running', 'print("never")\nprint(nope)', 'prog:2:7: undefined: nope'],
    ['reserved keyword', 'class = 1', 'prog:1:1: keyword class is reserved'],
    ['chained comparison', 'print(1 < 2 < 3)', 'prog:1:13: < does not associate with < (use parens)'],
    ['missing dict key', 'd = {"a": 1}\nx = d["b"]', 'prog:2:6: key "b" not in dict'],
    ['index out of range', 'l = [1]\nl[3]', 'prog:2:2: list index 3 out of range [-1:1]'],
    ['type error in binary op', 'x = 1 + "a"', 'prog:1:7: unknown binary op: int + string'],
    ['calling a non-function', 'x = 1\nx()', 'prog:2:2: invalid call of non-function (int)'],
    [
      'wrong arguments',
      'def f(a):\n  return a\nf(1, 2)',
      'prog:3:2: function f accepts at most 1 positional argument (2 given)',
    ],
    ['missing argument', 'def f(a, b):\n  return a\nf(1)', 'prog:3:2: function f missing 1 argument (b)'],
    [
      'unexpected keyword',
      'def f(a):\n  return a\nf(a=1, b=2)',
      'prog:3:2: function f got an unexpected keyword argument b',
    ],
    [
      'local before assignment',
      'def f():\n  print(x)\n  x = 1\nf()',
      'prog:2:9: local variable x referenced before assignment',
    ],
    [
      'error inside a function points into it',
      'def f(d):\n  return d["k"]\nf({})',
      'prog:2:11: key "k" not in dict',
    ],
    ['strings are not iterable', 'for c in "abc":\n  pass', 'prog:1:1: string value is not iterable'],
    [
      'mutation during iteration',
      'l = [1, 2]\nfor x in l:\n  l.append(x)',
      'prog:3:11: cannot append to list during iteration',
    ],
    ['unhashable key', 'd = {[1]: 2}', 'prog:1:6: unhashable type: list'],
    ['unpacking count', 'a, b = [1, 2, 3]', 'prog:1:6: too many values to unpack (got 3, want 2)'],
    ['fail keeps the catalog message', 'fail("bad", "input")', 'fail: bad input'],
    ['return outside a function', 'return 1', 'prog:1:1: return statement not within a function'],
    ['break outside a loop', 'break', 'prog:1:1: break not in for/while loop'],
    [
      'load inside a function',
      'def f():\n  load("x.star", "y")',
      'prog:2:3: load statement within a function',
    ],
    [
      'load of an unknown module',
      'load("nope.star", "x")',
      'prog:1:1: cannot load nope.star: no modules are available',
    ],
    ['division by zero', 'x = 1 // 0', 'prog:1:7: integer division by zero'],
    ['attribute error', 'x = [].nope', 'prog:1:8: list has no .nope field or method'],
  ])('%s', (_name, source, expected) => {
    expect(failure(source)).toBe(expected);
  });

  it('stops an endless loop with a step budget', () => {
    expect(failure('while True:\n  pass', { maxSteps: 10_000 })).toMatch(
      /^prog:\d+:\d+: the program exceeded 10000 execution steps \(an endless loop\?\)$/,
    );
  });

  it('stops endless recursion at the call depth limit', () => {
    expect(failure('def f(n):\n  return f(n + 1)\nf(0)', { maxDepth: 50 })).toBe(
      'prog:2:11: call stack depth exceeded the limit of 50 (endless recursion in f?)',
    );
  });

  it('reaches the default depth limit without overflowing the JavaScript stack', () => {
    expect(failure('def f(n):\n  return f(n + 1)\nf(0)')).toMatch(
      /call stack depth exceeded the limit of 500/,
    );
  });

  it('refuses expressions nested too deeply to parse', () => {
    expect(failure(`x = ${'('.repeat(300)}1${')'.repeat(300)}`)).toMatch(/nested more than 200 levels/);
  });
});
