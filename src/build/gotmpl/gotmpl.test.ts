import { describe, expect, it } from 'vitest';
import { formatFloat, SPRIG, TemplateSet } from './index.js';

function render(src: string, data: unknown): string {
  const set = new TemplateSet(SPRIG);
  set.add('t', src);
  return set.execute('t', data);
}

describe('Go text/template', () => {
  it.each([
    { name: 'field', src: '{{ .a.b }}', data: { a: { b: 'x' } }, want: 'x' },
    { name: 'trim markers', src: 'a  {{- .v -}}  b', data: { v: 1 }, want: 'a1b' },
    { name: 'comment', src: 'a{{/* c */}}b{{- /* d */ -}} c', data: {}, want: 'abc' },
    {
      name: 'if else if else',
      src: '{{if eq .v 1}}one{{else if eq .v 2}}two{{else}}many{{end}}',
      data: { v: 2 },
      want: 'two',
    },
    {
      name: 'range map sorted with vars',
      src: '{{range $k, $v := .m}}{{$k}}={{$v}};{{end}}',
      data: { m: { b: 2, a: 1 } },
      want: 'a=1;b=2;',
    },
    { name: 'range else', src: '{{range .l}}x{{else}}empty{{end}}', data: { l: [] }, want: 'empty' },
    {
      name: 'range break continue',
      src: '{{range .l}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}',
      data: { l: [1, 2, 3, 4, 5] },
      want: '13',
    },
    {
      name: 'with and $',
      src: '{{with .a}}{{.b}}{{$.c}}{{end}}',
      data: { a: { b: 'B' }, c: 'C' },
      want: 'BC',
    },
    {
      name: 'define and template',
      src: '{{define "x"}}[{{.}}]{{end}}{{template "x" .v}}',
      data: { v: 'y' },
      want: '[y]',
    },
    {
      name: 'include piped',
      src: '{{define "x"}}hi {{.}}{{end}}{{include "x" .v | upper}}',
      data: { v: 'y' },
      want: 'HI Y',
    },
    {
      name: 'pipeline and parens',
      src: '{{ (index .m "k") | quote }}',
      data: { m: { k: 'v' } },
      want: '"v"',
    },
    {
      name: 'and or short-circuit',
      src: '{{ and (hasKey . "a") .a.b }}|{{ or .missing "d" }}',
      data: { a: { b: 'x' }, missing: '' },
      want: 'x|d',
    },
    {
      name: 'toJson sorts and escapes like Go',
      src: '{{ .v | toJson }}',
      data: { v: { b: '<&>', a: 1 } },
      want: '{"a":1,"b":"\\u003c\\u0026\\u003e"}',
    },
    {
      name: 'print map and list as Go',
      src: '{{ .m }} {{ .l }} {{ .n }}',
      data: { m: { b: 1, a: 'x' }, l: [1, 'a'], n: null },
      want: 'map[a:x b:1] [1 a] <no value>',
    },
    {
      name: 'sprig strings',
      src: '{{ "abcdef" | trunc 3 }} {{ "x" | sha256sum | trunc 8 }} {{ "a\\nb" | indent 2 }}',
      data: {},
      want: 'abc 2d711642   a\n  b',
    },
    {
      name: 'default and empty',
      src: '{{ default "d" .v }} {{ empty .l }}',
      data: { v: '', l: [] },
      want: 'd true',
    },
    { name: 'variable assignment', src: '{{ $x := 1 }}{{ $x = 2 }}{{ $x }}', data: {}, want: '2' },
    { name: 'printf', src: '{{ printf "%s-%d-%v" "a" 3 true }}', data: {}, want: 'a-3-true' },
  ])('$name', ({ src, data, want }) => expect(render(src, data)).toBe(want));

  it.each([
    {
      name: 'missing key is an error (missingkey=error)',
      src: '{{ .a.nope }}',
      data: { a: {} },
      want: /map has no entry for key "nope"/,
    },
    {
      name: 'field of nil',
      src: '{{ .a.b }}',
      data: { a: null },
      want: /nil pointer evaluating interface \{\}.b/,
    },
    { name: 'unknown function', src: '{{ nope 1 }}', data: {}, want: /function "nope" not defined/ },
    { name: 'unclosed action', src: '{{ .a ', data: {}, want: /unclosed action/ },
    { name: 'missing end', src: '{{ if .a }}x', data: {}, want: /unexpected EOF/ },
    { name: 'fail', src: '{{ fail "boom" }}', data: {}, want: /error calling fail: boom/ },
    {
      name: 'incompatible comparison',
      src: '{{ eq 1 "1" }}',
      data: {},
      want: /incompatible types for comparison/,
    },
    { name: 'newline in a quoted string', src: '{{ "a\nb" }}', data: {}, want: /invalid quoted string/ },
    { name: 'break outside range', src: '{{ break }}', data: {}, want: /outside \{\{range\}\}/ },
  ])('error: $name', ({ src, data, want }) => expect(() => render(src, data)).toThrow(want));

  it.each([
    [1, '1'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5, '1.5'],
    [-2, '-2'],
  ])('formats %d as Go %%v: %s', (v, want) => expect(formatFloat(v)).toBe(want));
});
