import { describe, expect, it } from 'vitest';
import { StarlarkError, execute } from './index.js';
import { MODULES, UNSUPPORTED_MODULES, loadModule } from './libraries.js';

function run(source: string): string {
  const lines: string[] = [];
  execute(source, { print: (l) => lines.push(l), load: loadModule });
  return lines.join('\n');
}

function failure(source: string): string {
  try {
    run(source);
  } catch (err) {
    if (err instanceof StarlarkError) return err.describe('prog');
    throw err;
  }
  throw new Error('the program did not fail');
}

describe('starlark libraries', () => {
  it.each<[string, string, string]>([
    [
      'json.encode sorts keys and keeps ints exact',
      'load("encoding/json.star", "json")\nprint(json.encode({"b": [1, 2.5, None, True], "a": "x\\"y", "n": 1 << 60}))',
      '{"a":"x\\"y","b":[1,2.5,null,true],"n":1152921504606846976}',
    ],
    [
      'json.decode reads ints, floats and nesting',
      'load("encoding/json.star", "json")\nv = json.decode(\'{"spec": {"replicas": 3, "f": 1.5, "l": [true, null]}}\')\nprint(v["spec"]["replicas"] + 1, type(v["spec"]["f"]), v)',
      '4 float {"spec": {"replicas": 3, "f": 1.5, "l": [True, None]}}',
    ],
    [
      'json.decode default for invalid input',
      'load("encoding/json.star", "json")\nprint(json.decode("{", default="d"), json.decode("[1]", "d"))',
      'd [1]',
    ],
    [
      'json.indent',
      'load("encoding/json.star", "json")\nprint(json.indent(\'{"x":1,"y":["a"],"z":{}}\', indent="  "))',
      '{\n  "x": 1,\n  "y": [\n    "a"\n  ],\n  "z": {}\n}',
    ],
    [
      'yaml.loads and yaml.dumps',
      'load("encoding/yaml.star", "yaml")\nv = yaml.loads("b: 1\\na: [x, \\"2\\"]\\n")\nprint(v)\nprint(yaml.dumps({"z": [1, "2"], "a": {"k": True}}))',
      '{"b": 1, "a": ["x", "2"]}\na:\n  k: true\nz:\n- 1\n- "2"\n',
    ],
    [
      'base64 encodings',
      'load("encoding/base64.star", "base64")\nprint(base64.encode("hi?"), base64.encode("hi?", encoding="url"), base64.encode("a", encoding="standard_raw"), base64.decode("aGk/"), base64.decode("aGk_", encoding="url"))',
      'aGk/ aGk_ YQ hi? hi?',
    ],
    [
      'csv read and write',
      'load("encoding/csv.star", "csv")\nrows = csv.read_all(\'a,b\\n"x,1",2\\n\')\nprint(rows)\nprint(csv.write_all([["a", "b,c"], [1, 2]]))',
      '[["a", "b"], ["x,1", "2"]]\na,"b,c"\n1,2\n',
    ],
    [
      'hash digests',
      'load("hash.star", "hash")\nprint(hash.md5("abc"), hash.sha1("abc")[:8], hash.sha256("abc")[:8])',
      '900150983cd24fb0d6963f7d28e17f72 a9993e36 ba7816bf',
    ],
    [
      'math',
      'load("math.star", "math")\nprint(math.ceil(1.2), math.floor(-1.2), math.round(2.5), math.sqrt(16), math.pow(2, 10), math.log(8, 2), math.pi > 3.14)',
      '2 -2 3.0 4.0 1024.0 3.0 True',
    ],
    [
      're like starlib',
      'load("re.star", "re")\nprint(re.findall("[0-9]+", "a1b22"), re.search("b+", "abbc"), re.search("z", "a"), re.match("(a)(b)?", "ab a"), re.sub("(\\\\w+)@(\\\\w+)", "$2 at $1", "me@home"), re.split(",", "a,b,c", 2))',
      '("1", "22") [1, 3] None [("ab", "a", "b"), ("a", "a", "")] home at me ("a", "b,c")',
    ],
    [
      'krmfn matchers',
      'load("krmfn.star", "krmfn")\nr = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "n", "namespace": "ns"}}\nprint(krmfn.match_gvk(r, "apps/v1", "Deployment"), krmfn.match_gvk(r, "v1", "Deployment"), krmfn.match_name(r, "n"), krmfn.match_namespace(r, "other"), krmfn.match_gvkn(r, "apps/v1", "Deployment", "n"))',
      'True False True False True',
    ],
    ['aliased load names', 'load("encoding/json.star", j="json")\nprint(j.encode([]))', '[]'],
  ])('%s', (_name, source, expected) => {
    expect(run(source)).toBe(expected);
  });

  it('loads every module the catalog function registers', () => {
    const source = [
      ...MODULES.map((m) => {
        const binding = UNSUPPORTED_MODULES[m]?.binding ?? m.replace(/^.*\//, '').replace('.star', '');
        return `load(${JSON.stringify(m)}, ${JSON.stringify(binding)})`;
      }),
      'print("loaded")',
    ].join('\n');
    expect(run(source)).toBe('loaded');
    expect(MODULES).toHaveLength(15);
  });

  it.each([
    ['http.get', 'load("http.star", "http")\nhttp.get("http://127.0.0.1:1/")'],
    ['time.now', 'load("time.star", "time")\ntime.now()'],
    ['ZipFile', 'load("zipfile.star", "ZipFile")\nZipFile("x")'],
    ['html', 'load("html.star", "html")\nhtml("<p>")'],
    ['xlsx.get_url', 'load("xlsx.star", "xlsx")\nxlsx.get_url("u")'],
  ])('%s loads but fails clearly when called (never touching the network)', (name, source) => {
    const col = (source.split('\n')[1] ?? '').indexOf('(') + 1;
    expect(failure(source)).toBe(
      `prog:2:${col}: ${name} is not supported by Lading's builtin starlark; run the function image in a container instead`,
    );
  });

  it('names the modules a load cannot find', () => {
    expect(failure('load("os.star", "os")')).toMatch(
      /^prog:1:1: cannot load os.star: no such module \(available: /,
    );
    expect(failure('load("math.star", "nope")')).toBe(
      'prog:1:1: load: name nope not found in module math.star',
    );
  });

  it('reports library errors with the function name', () => {
    expect(failure('load("encoding/json.star", "json")\njson.decode("[1,")')).toBe(
      'prog:2:12: json.decode: at offset 3, unexpected end of file',
    );
    expect(failure('load("encoding/json.star", "json")\njson.encode({1: 2})')).toBe(
      'prog:2:12: json.encode: dict has int key, want string',
    );
  });
});
