/**
 * `apply-setters` (catalog v0.2): sets the fields tagged with a `# kpt-set: <pattern>` line comment
 * from the setter values in the function config's `data`. A scalar gets the pattern with `${name}`
 * replaced (setters not given keep the value they have in the current field); a sequence tagged with
 * a single `${name}` gets the setter value parsed as a YAML list.
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
import {
  lineComment,
  sequenceFieldComment,
  setKeyLineComment,
  setLineComment,
  setScalarText,
  walkNode,
} from './kyaml-walk.js';

const IDENTIFIER = '# kpt-set: ';
const SETTER_REF = /\$\{([^}]*)\}/g;

interface Setter {
  name: string;
  value: string;
}

interface Applied {
  path: string;
  field: string;
  value: string;
}

function extractPattern(comment: string): string {
  return comment.startsWith(IDENTIFIER) ? comment.slice(IDENTIFIER.length).trim() : '';
}

function refsOf(pattern: string): string[] {
  return pattern.match(SETTER_REF) ?? [];
}

function clean(ref: string): string {
  const t = ref.trim();
  return t.replace(/^\$\{/, '').replace(/\}$/, '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Setter values read back from the current value through the pattern (all or nothing). */
function currentValues(pattern: string, value: string): Map<string, string> {
  const refs = refsOf(pattern);
  let source = escapeRegExp(pattern);
  for (const ref of refs) source = source.split(escapeRegExp(ref)).join('(.*)');
  const out = new Map<string, string>();
  let m: RegExpExecArray | null;
  try {
    m = new RegExp(source).exec(value);
  } catch {
    return out;
  }
  if (!m) return out;
  const groups = m.slice(1);
  if (groups.length !== refs.length) return out;
  for (const [i, g] of groups.entries()) {
    if (g === '' || g === undefined) return new Map();
    out.set(clean(refs[i] ?? ''), g);
  }
  return out;
}

class SetterError extends Error {}

class Applier {
  readonly applied: Applied[] = [];
  filePath = '';

  constructor(private readonly setters: Setter[]) {}

  private shouldSet(pattern: string): boolean {
    return this.setters.some((s) => pattern.includes(`\${${s.name}}`));
  }

  mapping = (map: YAMLMap, path: string): void => {
    for (const pair of map.items) {
      const seq = pair.value;
      if (!isSeq(seq) || pair.key === null) continue;
      const comment = sequenceFieldComment(pair, seq);
      const pattern = extractPattern(comment);
      if (pattern === '' || !this.shouldSet(pattern)) continue;
      const refs = refsOf(pattern);
      if (!(refs.length === 1 && pattern.startsWith('${') && pattern.endsWith('}'))) {
        throw new SetterError(`invalid setter pattern for array node: ${JSON.stringify(pattern)}`);
      }
      const name = clean(pattern);
      const value = this.setters.find((s) => s.name === name)?.value ?? '';
      const field = `${path}.${keyOf(pair) ?? ''}`.replace(/^\./, '');
      if (value === '') {
        seq.items = [];
        seq.flow = true;
        setLineComment(seq, comment);
        setKeyLineComment(pair, '');
      } else {
        let parsed: unknown;
        try {
          parsed = parseYamlDocument('setter', value).contents;
        } catch {
          parsed = undefined;
        }
        if (!isSeq(parsed)) {
          throw new SetterError(
            `input to array setter must be an array of values, but found ${JSON.stringify(value)}`,
          );
        }
        seq.items = parsed.items;
        seq.flow = false;
        setLineComment(seq, '');
        setKeyLineComment(pair, comment);
      }
      this.applied.push({ path: this.filePath, field, value });
    }
  };

  scalar = (node: Scalar, path: string): void => {
    const pattern = extractPattern(lineComment(node));
    if (pattern === '' || !this.shouldSet(pattern)) return;
    let text = pattern;
    for (const s of this.setters) text = text.split(`\${${s.name}}`).join(s.value);
    const current = scalarString(node) ?? '';
    for (const [name, value] of currentValues(pattern, current)) text = text.split(`\${${name}}`).join(value);
    const unresolved = refsOf(text);
    if (unresolved.length > 0)
      throw new SetterError(`values for setters [${unresolved.join(' ')}] must be provided`);
    setScalarText(node, text);
    if (text === '') node.type = 'QUOTE_DOUBLE';
    this.applied.push({ path: this.filePath, field: path.replace(/^\./, ''), value: text });
  };
}

function results(applied: Applied[]): FunctionResult[] {
  if (applied.length === 0) return [result('no matches for input setter(s)')];
  return applied.map((a) => {
    const r = result(`set field value to ${JSON.stringify(a.value)}`);
    if (a.field !== '') r.field = { path: a.field };
    if (a.path !== '') r.file = { path: a.path };
    return r;
  });
}

export const applySetters: BuiltinFunction = {
  name: 'apply-setters',
  run(list: ResourceListData): BuiltinOutcome {
    const setters = [...configMapData(configObject(list.functionConfig))].map(([name, value]) => ({
      name,
      value,
    }));
    const applier = new Applier(setters);
    try {
      for (const item of list.items) {
        applier.filePath = item.path;
        walkNode(rootMap(item.document.doc), applier);
      }
    } catch (err) {
      if (!(err instanceof SetterError)) throw err;
      list.results.push(result(`failed to apply setters: ${err.message}`, { severity: 'error' }));
      return { exitCode: 1, stderr: err.message };
    }
    list.results.push(...results(applier.applied));
    return { exitCode: 0 };
  },
};
