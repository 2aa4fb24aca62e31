/**
 * `search-replace` (catalog v0.2): finds fields by value (`by-value`, `by-value-regex`), by path
 * (`by-path`, `*` one element, `**` any number, `a[*]` list items) and by file (`by-file-path`, a
 * doublestar glob), and replaces their value (`put-value`, `${1}` for regex capture groups) or adds a
 * line comment (`put-comment`). An absolute `by-path` with only `put-value` creates the field.
 */
import { isSeq, type Scalar, type YAMLMap } from 'yaml';
import { rootMap, scalarString } from '../../krm/index.js';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import { ensureMapPath, keyOf, setField } from './kube-object.js';
import { globToRegExp } from './glob.js';
import {
  nodeText,
  rawScalar,
  setKeyLineComment,
  setLineComment,
  setScalarText,
  walkNode,
} from './kyaml-walk.js';

const MATCHERS = ['by-value', 'by-file-path', 'by-value-regex', 'by-path', 'put-value', 'put-comment'];

interface Config {
  byValue: string;
  byValueRegex: string;
  byPath: string;
  byFilePath: string;
  putValue: string;
  putComment: string;
}

interface Match {
  path: string;
  field: string;
  value: string;
}

class SearchError extends Error {}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function decode(data: Map<string, string>): Config {
  for (const key of data.keys()) {
    if (!MATCHERS.includes(key)) {
      throw new SearchError(
        `invalid matcher ${goQuote(key)}, must be one of [${MATCHERS.map(goQuote).join(' ')}]`,
      );
    }
  }
  const get = (k: string): string => data.get(k) ?? '';
  return {
    byValue: get('by-value'),
    byValueRegex: get('by-value-regex'),
    byPath: get('by-path'),
    byFilePath: get('by-file-path'),
    putValue: get('put-value'),
    putComment: get('put-comment'),
  };
}

function elementMatch(elem: string, pattern: string): boolean {
  if (elem === pattern) return true;
  if (!elem.includes('[')) return false;
  const e = elem.split('[');
  const p = pattern.split('[');
  if (p[0] !== '*' && e[0] !== p[0]) return false;
  return p.length > 1 && (p[1] === '*]' || e[1] === p[1]);
}

/** The catalog's path match: `*` is one element, `**` zero or more. */
export function pathMatches(byPath: string, yamlPath: string): boolean {
  if (byPath === '') return false;
  const pattern = byPath.split('.');
  const path = yamlPath.replace(/^\./, '').split('.');
  let prev: boolean[] = new Array<boolean>(pattern.length + 1).fill(false);
  prev[0] = true;
  for (let j = 1; j <= pattern.length; j++) if (pattern[j - 1] === '**') prev[j] = prev[j - 1] ?? false;
  for (let i = 1; i <= path.length; i++) {
    const cur = new Array<boolean>(pattern.length + 1).fill(false);
    for (let j = 1; j <= pattern.length; j++) {
      const p = pattern[j - 1] ?? '';
      if (p === '**') cur[j] = (cur[j - 1] ?? false) || (prev[j] ?? false);
      else if (p === '*' || elementMatch(path[i - 1] ?? '', p)) cur[j] = prev[j - 1] ?? false;
    }
    prev = cur;
  }
  return prev[pattern.length] ?? false;
}

function isAbsPath(path: string): boolean {
  return path.split('.').every((e) => e !== '' && !e.includes('*'));
}

function resolvePattern(value: string, regex: RegExp | undefined, pattern: string): string {
  if (!regex) return pattern;
  const m = regex.exec(value);
  let out = pattern;
  if (m) m.slice(1).forEach((g, i) => (out = out.split(`\${${i + 1}}`).join(g ?? '')));
  if (/\$\{[0-9]+\}/.test(out)) throw new SearchError('unable to resolve capture groups');
  return out;
}

class Searcher {
  readonly matches: Match[] = [];
  count = 0;
  filePath = '';
  readonly regex: RegExp | undefined;

  constructor(private readonly c: Config) {
    if (c.byValue !== '' && c.byValueRegex !== '') {
      throw new SearchError('only one of ["by-value", "by-value-regex"] can be provided');
    }
    if (c.byValueRegex !== '') {
      try {
        this.regex = new RegExp(c.byValueRegex);
      } catch (err) {
        throw new SearchError(`error parsing regexp: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  get mutates(): boolean {
    return this.c.putComment !== '' || this.c.putValue !== '';
  }

  putByPath(root: YAMLMap): void {
    const path = this.c.byPath.split('.');
    const parent = ensureMapPath(root, path.slice(0, -1));
    if (!parent) throw new SearchError(`wrong node kind at \`${this.c.byPath}\`: expected a mapping`);
    setField(parent, path[path.length - 1] ?? '', rawScalar(this.c.putValue), false);
    this.matches.push({ path: this.filePath, field: this.c.byPath, value: this.c.putValue });
    this.count++;
  }

  mapping = (map: YAMLMap, path: string): void => {
    if (this.c.putComment === '') return;
    for (const pair of map.items) {
      const seq = pair.value;
      if (!isSeq(seq) || seq.items.length === 0) continue;
      if (!pathMatches(this.c.byPath, `${path}.${(keyOf(pair) ?? '').trim()}`)) continue;
      setKeyLineComment(pair, this.c.putComment);
      setLineComment(seq, '');
      seq.flow = true;
      const value = nodeText(seq);
      seq.flow = false;
      this.matches.push({ path: this.filePath, field: `${this.c.byPath} # ${this.c.putComment}`, value });
      this.count++;
    }
  };

  scalar = (node: Scalar, path: string): void => {
    const value = scalarString(node) ?? '';
    const pathMatch = pathMatches(this.c.byPath, path);
    const valueMatch =
      (this.c.byValue !== '' && this.c.byValue === value) || (this.regex?.test(value) ?? false);
    const matched =
      (valueMatch && pathMatch) ||
      (valueMatch && this.c.byPath === '') ||
      (pathMatch && this.c.byValue === '' && this.c.byValueRegex === '');
    if (!matched) return;
    this.count++;
    if (this.c.putComment !== '') setLineComment(node, resolvePattern(value, this.regex, this.c.putComment));
    if (this.c.putValue !== '') setScalarText(node, resolvePattern(value, this.regex, this.c.putValue));
    if (this.filePath !== '') {
      this.matches.push({ path: this.filePath, field: path.replace(/^\./, ''), value: nodeText(node) });
    }
  };
}

function results(s: Searcher): FunctionResult[] {
  if (s.matches.length === 0) return [result('no matches')];
  return s.matches.map((m) => {
    const r = result(
      s.mutates ? `Mutated field value to ${goQuote(m.value)}` : `Matched field value ${goQuote(m.value)}`,
    );
    if (m.field !== '') r.field = { path: m.field };
    if (m.path !== '') r.file = { path: m.path };
    return r;
  });
}

export const searchReplace: BuiltinFunction = {
  name: 'search-replace',
  run(list: ResourceListData): BuiltinOutcome {
    try {
      const config = decode(configMapData(configObject(list.functionConfig)));
      const searcher = new Searcher(config);
      const fileGlob = config.byFilePath === '' ? undefined : globToRegExp(config.byFilePath);
      const byPath =
        isAbsPath(config.byPath) &&
        !config.byPath.includes('[') &&
        config.byValue === '' &&
        config.byValueRegex === '' &&
        config.putValue !== '';
      for (const item of list.items) {
        if (fileGlob && !fileGlob.test(item.path)) continue;
        searcher.filePath = item.path;
        const root = rootMap(item.document.doc);
        if (!root) continue;
        if (byPath) searcher.putByPath(root);
        else walkNode(root, searcher);
      }
      list.results.push(...results(searcher));
      return { exitCode: 0 };
    } catch (err) {
      if (!(err instanceof SearchError)) throw err;
      list.results.push(
        result(`failed to perform search-replace operation: ${goQuote(err.message)}`, { severity: 'error' }),
      );
      return { exitCode: 1, stderr: err.message };
    }
  },
};
