import { describe, expect, it } from 'vitest';
import { BadRequestError } from './errors.js';
import { labelSelectorFromObject, parseLabelSelector } from './labels.js';

const nameRegexError =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character " +
  "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('parseLabelSelector: canonical form', () => {
  const cases: { name: string; text: string; expected: string; empty?: boolean }[] = [
    { name: 'empty selector', text: '', expected: '', empty: true },
    { name: 'only whitespace', text: '  ', expected: '', empty: true },
    { name: 'equals', text: 'app=web', expected: 'app=web' },
    { name: 'double equals', text: 'app==web', expected: 'app==web' },
    { name: 'not equals', text: 'app!=web', expected: 'app!=web' },
    { name: 'empty value', text: 'app=', expected: 'app=' },
    { name: 'exists', text: 'tier', expected: 'tier' },
    { name: 'does not exist', text: '!tier', expected: '!tier' },
    { name: 'sorted by key, whitespace ignored', text: 'b = 1 , a in ( y, x )', expected: 'a in (x,y),b=1' },
    {
      name: 'the documented example',
      text: 'x in (foo,,baz),y,z notin ()',
      expected: 'x in (,baz,foo),y,z notin ()',
    },
    {
      name: 'keywords are values in value position',
      text: 'value in (in,notin)',
      expected: 'value in (in,notin)',
    },
    { name: 'prefixed key', text: 'app.kubernetes.io/name=web', expected: 'app.kubernetes.io/name=web' },
    { name: 'greater than', text: 'replicas>3', expected: 'replicas>3' },
    { name: 'duplicate values collapse', text: 'a in (x,x,y)', expected: 'a in (x,y)' },
  ];
  it.each(cases)('$name', ({ text, expected, empty = false }) => {
    const selector = parseLabelSelector(text);
    expect(selector.toString()).toBe(expected);
    expect(selector.empty).toBe(empty);
  });
});

describe('parseLabelSelector: matching', () => {
  const cases: {
    name: string;
    text: string;
    labels: Record<string, string> | undefined;
    expected: boolean;
  }[] = [
    { name: 'equal value matches', text: 'app=web', labels: { app: 'web' }, expected: true },
    { name: 'other value does not match', text: 'app=web', labels: { app: 'db' }, expected: false },
    { name: 'no labels do not match equality', text: 'app=web', labels: undefined, expected: false },
    { name: 'missing key matches !=', text: 'app!=web', labels: {}, expected: true },
    { name: 'same value fails !=', text: 'app!=web', labels: { app: 'web' }, expected: false },
    {
      name: 'in matches any listed value',
      text: 'env in (dev,prod)',
      labels: { env: 'prod' },
      expected: true,
    },
    { name: 'in needs the key', text: 'env in (dev,prod)', labels: {}, expected: false },
    { name: 'notin matches a missing key', text: 'env notin (prod)', labels: {}, expected: true },
    {
      name: 'notin rejects a listed value',
      text: 'env notin (prod)',
      labels: { env: 'prod' },
      expected: false,
    },
    { name: 'exists matches an empty value', text: 'tier', labels: { tier: '' }, expected: true },
    { name: 'exists needs the key', text: 'tier', labels: { other: 'x' }, expected: false },
    { name: 'does-not-exist', text: '!tier', labels: { app: 'x' }, expected: true },
    { name: 'does-not-exist rejects the key', text: '!tier', labels: { tier: 'x' }, expected: false },
    {
      name: 'all requirements must hold',
      text: 'app=web,tier=db',
      labels: { app: 'web', tier: 'fe' },
      expected: false,
    },
    { name: 'empty value selects empty label', text: 'app=', labels: { app: '' }, expected: true },
    { name: 'gt compares integers', text: 'n>5', labels: { n: '10' }, expected: true },
    { name: 'gt on a non-integer label is false', text: 'n>5', labels: { n: 'ten' }, expected: false },
    { name: 'lt', text: 'n<5', labels: { n: '-1' }, expected: true },
    { name: 'the empty selector matches everything', text: '', labels: undefined, expected: true },
    { name: 'prototype keys are not labels', text: 'constructor', labels: {}, expected: false },
  ];
  it.each(cases)('$name', ({ text, labels, expected }) => {
    expect(parseLabelSelector(text).matches(labels)).toBe(expected);
  });
});

describe('parseLabelSelector: errors carry Kubernetes messages', () => {
  const cases: { name: string; text: string; message: string }[] = [
    {
      name: 'colon instead of equals',
      text: 'app:monolith',
      message: `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part ${nameRegexError}`,
    },
    {
      name: 'bad prefix',
      text: 'app.kubernetes_io/name=x',
      message:
        'unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part a lowercase RFC 1123 subdomain must consist of ' +
        "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', " +
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    },
    {
      name: 'invalid value',
      text: 'a=b@',
      message:
        'unable to parse requirement: values[0][a]: Invalid value: "b@": a valid label must be an empty string or consist of alphanumeric ' +
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', " +
        "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
    },
    {
      name: 'missing operator',
      text: 'a b',
      message: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt",
    },
    {
      name: 'garbage after a requirement',
      text: 'a=b c',
      message: "found 'c', expected: ',' or 'end of string'",
    },
    { name: 'trailing comma', text: 'a=b,', message: "found '', expected: identifier after ','" },
    { name: 'leading comma', text: ',a', message: "found ',', expected: !, identifier, or 'end of string'" },
    {
      name: 'in without parenthesis',
      text: 'a in b',
      message: "unable to parse requirement: found 'b' expected: '('",
    },
    {
      name: 'unclosed value set',
      text: 'a in (b',
      message: "unable to parse requirement: found '', expected: ',' or ')'",
    },
    {
      name: 'operator as value',
      text: 'a=!b',
      message: "unable to parse requirement: found '!', expected: identifier",
    },
    {
      name: 'gt needs an integer',
      text: 'a>x',
      message:
        "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer",
    },
  ];
  it.each(cases)('$name', ({ text, message }) => {
    let thrown: unknown;
    try {
      parseLabelSelector(text);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(BadRequestError);
    expect((thrown as BadRequestError).message).toBe(message);
    expect((thrown as BadRequestError).code).toBe(400);
  });
});

describe('labelSelectorFromObject', () => {
  it('undefined selects nothing', () => {
    const selector = labelSelectorFromObject(undefined);
    expect(selector.matches({})).toBe(false);
    expect(selector.empty).toBe(false);
  });

  it('an empty selector selects everything', () => {
    const selector = labelSelectorFromObject({});
    expect(selector.matches(undefined)).toBe(true);
    expect(selector.empty).toBe(true);
  });

  it('combines matchLabels and matchExpressions', () => {
    const selector = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'team', operator: 'Exists' },
      ],
    });
    expect(selector.toString()).toBe('app=web,env notin (prod),!legacy,team,tier in (a,b)');
    expect(selector.matches({ app: 'web', tier: 'a', team: 'x' })).toBe(true);
    expect(selector.matches({ app: 'web', tier: 'a', team: 'x', legacy: '1' })).toBe(false);
    expect(selector.matches({ app: 'web', tier: 'c', team: 'x' })).toBe(false);
  });

  const errors: {
    name: string;
    expr: { key: string; operator: string; values?: string[] };
    message: string;
  }[] = [
    {
      name: 'unknown operator',
      expr: { key: 'a', operator: 'Foo' },
      message: '"Foo" is not a valid label selector operator',
    },
    {
      name: 'In without values',
      expr: { key: 'a', operator: 'In', values: [] },
      message:
        "unable to parse requirement: values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty",
    },
    {
      name: 'Exists with values',
      expr: { key: 'a', operator: 'Exists', values: ['x'] },
      message:
        'unable to parse requirement: values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    },
  ];
  it.each(errors)('rejects $name', ({ expr, message }) => {
    expect(() => labelSelectorFromObject({ matchExpressions: [expr] })).toThrow(message);
  });
});
