/**
 * `apply-replacements` (catalog v0.1, kustomize replacements): copies the value at a source field of
 * one resource to target fields of the selected resources. Field paths are `.`-separated (`[k=v]`
 * picks list items, `*` every item, a number an index); `options.delimiter`/`index` work on part of
 * a string; `options.create` creates missing target fields. A string source keeps its string typing
 * and quoting at scalar targets (the catalog's fix on top of kustomize).
 */
import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { cloneNode, scalarString } from '../../krm/index.js';
import type { ResourceListData } from '../function-runtime.js';
import {
  configObject,
  isEmptyConfig,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import {
  apiVersionOnly,
  apiGroupOf,
  field,
  findPair,
  objectInfo,
  stringNode,
  stringValue,
  type ObjectInfo,
} from './kube-object.js';
import { sdkFailure } from './sdk-runner.js';

interface ResId {
  group: string;
  version: string;
  kind: string;
  name: string;
  namespace: string;
}

interface Options {
  delimiter: string;
  index: number;
  create: boolean;
}

interface Target {
  select: ResId | undefined;
  reject: ResId[];
  fieldPaths: string[];
  options: Options;
}

interface Replacement {
  source: (ResId & { fieldPath: string; options: Options }) | undefined;
  targets: Target[];
}

class ReplacementError extends Error {}

function text(node: unknown, key: string): string {
  return stringValue(field(node, key)) ?? scalarString(field(node, key)) ?? '';
}

function resIdOf(node: unknown): ResId {
  const apiVersion = text(node, 'apiVersion');
  return {
    group: text(node, 'group') || (apiVersion.includes('/') ? apiGroupOf(apiVersion) : ''),
    version: text(node, 'version') || (apiVersion ? apiVersionOnly(apiVersion) : ''),
    kind: text(node, 'kind'),
    name: text(node, 'name'),
    namespace: text(node, 'namespace'),
  };
}

function optionsOf(node: unknown): Options {
  const opts = field(node, 'options');
  const index = Number(scalarString(field(opts, 'index')) ?? '0');
  const create = field(opts, 'create');
  return {
    delimiter: text(opts, 'delimiter'),
    index: Number.isFinite(index) ? index : 0,
    create: isScalar(create) && (create.value === true || create.value === 'true'),
  };
}

function readConfig(list: ResourceListData): Replacement[] {
  const config = configObject(list.functionConfig);
  if (isEmptyConfig(config))
    throw new ReplacementError('FunctionConfig is missing. Expect `ApplyReplacements`');
  if (config.kind !== 'ApplyReplacements' || config.apiVersion !== 'fn.kpt.dev/v1alpha1') {
    throw new ReplacementError(
      `received functionConfig of kind ${config.kind} and apiVersion ${config.apiVersion}, only functionConfig of kind ApplyReplacements and apiVersion fn.kpt.dev/v1alpha1 is supported`,
    );
  }
  const replacements = field(config.root, 'replacements');
  if (replacements !== undefined && replacements !== null && !isSeq(replacements)) {
    throw new ReplacementError(
      'unable to convert functionConfig to replacements:\n`replacements` must be a list of replacements',
    );
  }
  return (isSeq(replacements) ? replacements.items : []).map((r) => {
    const source = field(r, 'source');
    const targets = field(r, 'targets');
    return {
      source: isMap(source)
        ? {
            ...resIdOf(source),
            fieldPath: text(source, 'fieldPath') || 'metadata.name',
            options: optionsOf(source),
          }
        : undefined,
      targets: (isSeq(targets) ? targets.items : []).map((t) => {
        const select = field(t, 'select');
        const reject = field(t, 'reject');
        const paths = field(t, 'fieldPaths');
        const fieldPaths = isSeq(paths) ? paths.items.map((p) => scalarString(p) ?? '') : [];
        return {
          select: isMap(select) ? resIdOf(select) : undefined,
          reject: isSeq(reject) ? reject.items.map(resIdOf) : [],
          fieldPaths: fieldPaths.length > 0 ? fieldPaths : ['metadata.name'],
          options: optionsOf(t),
        };
      }),
    };
  });
}

function idOf(info: ObjectInfo): ResId {
  return {
    group: apiGroupOf(info.apiVersion),
    version: apiVersionOnly(info.apiVersion),
    kind: info.kind,
    name: info.name,
    namespace: info.namespace,
  };
}

/** Exact match on every field the selector sets (sources). */
const ID_FIELDS = ['group', 'version', 'kind', 'name', 'namespace'] as const;

function isSelectedBy(id: ResId, sel: ResId): boolean {
  return ID_FIELDS.every((k) => sel[k] === '' || sel[k] === id[k]);
}

const regexes = new Map<string, RegExp | undefined>();

function anchored(pattern: string): RegExp | undefined {
  if (!regexes.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = undefined;
    }
    regexes.set(pattern, re);
  }
  return regexes.get(pattern);
}

/** Anchored regular-expression match on every field the selector sets (targets). */
function regexSelects(id: ResId, sel: ResId): boolean {
  return ID_FIELDS.every((k) => {
    if (sel[k] === '') return true;
    const re = anchored(sel[k]);
    return re ? re.test(id[k]) : sel[k] === id[k];
  });
}

function describe(id: ResId): string {
  const gvk = [id.group, id.version, id.kind].filter((p) => p !== '').join('_');
  return `${gvk}|${id.namespace || '~X'}|${id.name}`;
}

/** kyaml's smarter path split: `.` separates, except inside `[...]`. */
export function splitPath(path: string): string[] {
  const out: string[] = [];
  let current = '';
  let depth = 0;
  for (const ch of path) {
    if (ch === '[') depth++;
    if (ch === ']') depth = Math.max(0, depth - 1);
    if (ch === '.' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function lookup(node: unknown, path: readonly string[]): Node | undefined {
  let current: unknown = node;
  for (const part of path) {
    if (isMap(current)) {
      current = field(current, part) ?? undefined;
    } else if (isSeq(current)) {
      const m = /^\[(.*)=(.*)\]$/.exec(part);
      if (m) current = current.items.find((i) => text(i, m[1] ?? '') === m[2]);
      else if (/^\d+$/.test(part)) current = current.items[Number(part)];
      else return undefined;
    } else return undefined;
    if (current === undefined || current === null) return undefined;
  }
  return current as Node;
}

type Kind = 'map' | 'seq' | 'scalar';

function emptyOf(kind: Kind): Node {
  if (kind === 'map') return new YAMLMap();
  if (kind === 'seq') return new YAMLSeq();
  return new Scalar('');
}

interface Slot {
  node: Node;
  replace(next: Node): void;
}

/** kyaml's PathMatcher: every field the path leads to, created where missing when `create` is set. */
function match(slot: Slot, path: readonly string[], create: Kind | undefined, out: Slot[]): void {
  if (path.length === 0) {
    out.push(slot);
    return;
  }
  const [part = '', ...rest] = path;
  const node = slot.node;
  const nextKind: Kind =
    rest.length === 0 ? (create ?? 'scalar') : /^\[.*\]$|^\*$|^\d+$/.test(rest[0] ?? '') ? 'seq' : 'map';
  if (isMap(node)) {
    let pair = findPair(node, part);
    if (
      !pair ||
      pair.value === null ||
      (isScalar(pair.value) && pair.value.value === null && rest.length > 0)
    ) {
      if (!create) return;
      const created = emptyOf(nextKind);
      if (pair) pair.value = created;
      else {
        pair = new Pair(stringNode(part), created);
        node.items.push(pair);
      }
    }
    const target = pair;
    match({ node: target.value as Node, replace: (n) => (target.value = n) }, rest, create, out);
    return;
  }
  if (isSeq(node)) {
    const at = (i: number): Slot => ({
      node: node.items[i] as Node,
      replace: (n) => {
        node.items[i] = n;
      },
    });
    if (part === '*') {
      node.items.forEach((_, i) => match(at(i), rest, create, out));
      return;
    }
    if (/^\d+$/.test(part)) {
      if (Number(part) < node.items.length) match(at(Number(part)), rest, create, out);
      return;
    }
    const m = /^\[(.*)=(.*)\]$/.exec(part);
    if (!m) return;
    let found = false;
    node.items.forEach((item, i) => {
      if (text(item, m[1] ?? '') !== m[2]) return;
      found = true;
      match(at(i), rest, create, out);
    });
    if (!found && create) {
      const item = new YAMLMap();
      item.items.push(new Pair(stringNode(m[1] ?? ''), stringNode(m[2] ?? '')));
      node.items.push(item);
      match(at(node.items.length - 1), rest, create, out);
    }
  }
}

function kindOf(node: Node): Kind {
  if (isMap(node)) return 'map';
  if (isSeq(node)) return 'seq';
  return 'scalar';
}

function sourceValue(items: ObjectInfo[], r: Replacement): Node {
  const source = r.source;
  if (!source) throw new ReplacementError('replacements must specify a source and at least one target');
  const matches = items.filter((o) => isSelectedBy(idOf(o), source));
  if (matches.length > 1) throw new ReplacementError(`more than one match for source ${describe(source)}`);
  const match0 = matches[0];
  if (!match0) throw new ReplacementError(`nothing selected by ${describe(source)}`);
  const value = lookup(match0.root, splitPath(source.fieldPath));
  const empty = value === undefined || (isScalar(value) && (value.value === null || value.value === ''));
  if (empty) {
    throw new ReplacementError(
      `fieldPath \`${source.fieldPath}\` is missing for replacement source ${describe(source)}`,
    );
  }
  if (source.options.delimiter === '') return value;
  const parts = (scalarString(value) ?? '').split(source.options.delimiter);
  const part = parts[source.options.index];
  if (source.options.index < 0 || part === undefined) {
    throw new ReplacementError(
      `options.index ${source.options.index} is out of bounds for value ${scalarString(value) ?? ''}`,
    );
  }
  return stringNode(part);
}

function setValue(slot: Slot, value: Node, options: Options): void {
  let v = cloneNode(value);
  if (options.delimiter !== '') {
    if (!isScalar(slot.node))
      throw new ReplacementError('delimiter option can only be used with scalar nodes');
    const parts = (scalarString(slot.node) ?? '').split(options.delimiter);
    const piece = scalarString(v) ?? '';
    if (options.index < 0) parts.unshift(piece);
    else if (options.index >= parts.length) parts.push(piece);
    else parts[options.index] = piece;
    v = new Scalar(parts.join(options.delimiter));
    if (isScalar(value) && value.type) v.type = value.type;
  }
  const target = slot.node;
  if (!isScalar(target) || !isScalar(v)) {
    slot.replace(v);
    return;
  }
  const newText = scalarString(v) ?? '';
  if (typeof v.value === 'string') {
    // A string source: the target becomes a string with the source's quoting.
    target.value = newText;
    delete target.source;
    if (v.type) target.type = v.type;
    else delete target.type;
    delete target.tag;
  } else if (typeof target.value === 'string') {
    // kustomize keeps the target's type: a string target stays a string (quoted where needed).
    target.value = newText;
    delete target.source;
  } else {
    target.value = newText;
    target.source = newText;
  }
}

function apply(items: ObjectInfo[], replacements: Replacement[]): void {
  for (const r of replacements) {
    const value = sourceValue(items, r);
    for (const t of r.targets) {
      const select = t.select;
      if (!select) throw new ReplacementError('target must specify resources to select');
      for (const o of items) {
        const id = idOf(o);
        if (!regexSelects(id, select) || t.reject.some((rj) => regexSelects(id, rj))) continue;
        for (const fp of t.fieldPaths) {
          const slots: Slot[] = [];
          match(
            { node: o.root, replace: () => undefined },
            splitPath(fp),
            t.options.create ? kindOf(value) : undefined,
            slots,
          );
          if (slots.length === 0) {
            throw new ReplacementError(
              t.options.create
                ? `unable to find or create field "${fp}" in replacement target`
                : `unable to find field "${fp}" in replacement target`,
            );
          }
          for (const s of slots) setValue(s, value, t.options);
        }
      }
    }
  }
}

export const applyReplacements: BuiltinFunction = {
  name: 'apply-replacements',
  run(list: ResourceListData): BuiltinOutcome {
    try {
      const replacements = readConfig(list);
      const items = list.items.map(objectInfo).filter((o): o is ObjectInfo => o !== undefined);
      apply(items, replacements);
      return { exitCode: 0 };
    } catch (err) {
      if (!(err instanceof ReplacementError)) throw err;
      list.results.push(result(err.message, { severity: 'error' }));
      return sdkFailure();
    }
  },
};
