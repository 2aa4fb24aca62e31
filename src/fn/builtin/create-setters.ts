/**
 * `create-setters` (catalog v0.1): the reverse of apply-setters. For every scalar whose value
 * contains a setter value it adds `# kpt-set: <value with ${name} in place>` (longer values first);
 * for every sequence whose sorted values equal a list setter's sorted values it adds
 * `# kpt-set: ${name}` to the field. No match at all is an error.
 */
import { isSeq, type Scalar, type YAMLMap } from 'yaml';
import { parseYamlDocument, rootMap, scalarString } from '../../krm/index.js';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import { keyOf } from './kube-object.js';
import { sequenceFieldComment, setKeyLineComment, setLineComment, walkNode } from './kyaml-walk.js';

interface ScalarSetter {
  name: string;
  value: string;
}

interface ArraySetter {
  name: string;
  values: string[];
}

interface Created {
  path: string;
  field: string;
  value: string;
  comment: string;
}

class CreateError extends Error {}

function goSort(values: string[]): string[] {
  return values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function decode(data: Map<string, string>): { scalars: ScalarSetter[]; arrays: ArraySetter[] } {
  if (data.size === 0) throw new CreateError('config map cannot be empty');
  const scalars: ScalarSetter[] = [];
  const arrays: ArraySetter[] = [];
  // Go ranges over a map in random order; sorting by name makes equal-length ties deterministic.
  for (const [name, value] of [...data].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    let parsed: unknown;
    try {
      parsed = parseYamlDocument('setter', value).contents;
    } catch (err) {
      throw new CreateError('parsing error', { cause: err });
    }
    if (isSeq(parsed)) {
      arrays.push({ name, values: goSort(parsed.items.map((i) => scalarString(i) ?? '')) });
    } else if (parsed === null || scalarString(parsed) !== undefined) {
      scalars.push({ name, value });
    }
  }
  scalars.sort((a, b) => b.value.length - a.value.length);
  return { scalars, arrays };
}

/** Go's `strings.Replacer`: at each position the first matching old string in argument order wins. */
function replaceAll(text: string, setters: ScalarSetter[]): string {
  let out = '';
  let i = 0;
  outer: while (i < text.length) {
    for (const s of setters) {
      if (s.value !== '' && text.startsWith(s.value, i)) {
        out += `\${${s.name}}`;
        i += s.value.length;
        continue outer;
      }
    }
    out += text[i] ?? '';
    i++;
  }
  return out;
}

class Creator {
  readonly created: Created[] = [];
  filePath = '';

  constructor(
    private readonly scalars: ScalarSetter[],
    private readonly arrays: ArraySetter[],
  ) {}

  mapping = (map: YAMLMap, path: string): void => {
    for (const pair of map.items) {
      const seq = pair.value;
      if (!isSeq(seq) || pair.key === null) continue;
      const field = `${path}.${keyOf(pair) ?? ''}`.replace(/^\./, '');
      const values = goSort(seq.items.map((i) => scalarString(i) ?? ''));
      let onKey = !seq.flow;
      if (seq.flow && values.some((v) => this.scalars.some((s) => v.includes(s.value)))) {
        // A flow list whose items will get their own comments is written as a block list.
        seq.flow = false;
        onKey = true;
      }
      for (const a of this.arrays) {
        if (a.values.length !== values.length || a.values.some((v, i) => v !== values[i])) continue;
        if (!onKey && values.length > 0) {
          seq.flow = false;
          onKey = true;
        }
        const comment = `kpt-set: \${${a.name}}`;
        if (onKey) {
          setKeyLineComment(pair, comment);
          if (sequenceFieldComment(pair, seq) !== '' && !seq.flow) setLineComment(seq, '');
        } else setLineComment(seq, comment);
        this.created.push({ path: this.filePath, field, value: `[${values.join(' ')}]`, comment });
        break;
      }
    }
  };

  scalar = (node: Scalar, path: string): void => {
    if (
      path.includes('.annotations.internal.config.kubernetes.io') ||
      path.includes('.annotations.config.kubernetes.io')
    ) {
      return;
    }
    const value = scalarString(node) ?? '';
    if (value.includes('\n')) return;
    const replaced = replaceAll(value, this.scalars);
    if (replaced === value) return;
    const comment = `kpt-set: ${replaced}`;
    setLineComment(node, comment);
    this.created.push({ path: this.filePath, field: path.replace(/^\./, ''), value, comment });
  };
}

function results(created: Created[]): FunctionResult[] {
  return created.map((c) => {
    const r = result(
      `Added line comment ${JSON.stringify(c.comment)} for field with value ${JSON.stringify(c.value)}`,
    );
    if (c.field !== '') r.field = { path: c.field };
    if (c.path !== '') r.file = { path: c.path };
    return r;
  });
}

export const createSetters: BuiltinFunction = {
  name: 'create-setters',
  run(list: ResourceListData): BuiltinOutcome {
    try {
      const { scalars, arrays } = decode(configMapData(configObject(list.functionConfig)));
      const creator = new Creator(scalars, arrays);
      for (const item of list.items) {
        creator.filePath = item.path;
        walkNode(rootMap(item.document.doc), creator);
      }
      if (creator.created.length === 0) throw new CreateError('no matches for the input list of setters');
      list.results.push(...results(creator.created));
      return { exitCode: 0 };
    } catch (err) {
      if (!(err instanceof CreateError)) throw err;
      list.results.push(result(`failed to create setters: ${err.message}`, { severity: 'error' }));
      return { exitCode: 1, stderr: err.message };
    }
  },
};
