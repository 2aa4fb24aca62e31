/**
 * `ensure-name-substring` (catalog v0.2, kustomize prefix/suffix): makes sure every name contains
 * the substring, prepending or appending it where it is missing (CRDs, APIServices, Namespaces and
 * the Kptfile keep their names), at `metadata/name` and at the `additionalNameFields`; then follows
 * renamed objects in the fields that refer to them (kustomize's name references) and in
 * `config.kubernetes.io/depends-on` annotations.
 *
 * Like the catalog build of the kpt-fn-examples, the output items carry no file annotations: kpt
 * writes each to its default file (`[namespace/]kind_name.yaml`) with compact list indentation, and
 * kustomize's annotation handling leaves every `metadata.annotations` sorted.
 */
import { isMap, isScalar, isSeq, YAMLMap, Pair } from 'yaml';
import { defaultResourcePath, newYamlDocument, scalarString, type KrmResource } from '../../krm/index.js';
import type { ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  isConfigMap,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
} from './builtin-function.js';
import { fieldSpec, matchesSpec, parseFieldSpecs, walkFieldSpec, type FieldSpec } from './field-spec.js';
import {
  DEFAULT_NAMESPACE,
  apiGroupOf,
  field,
  isNamespaceScoped,
  nested,
  objectInfo,
  stringNode,
  stringValue,
  type ObjectInfo,
} from './kube-object.js';
import { setLineComment, setScalarText } from './kyaml-walk.js';
import { NAME_REFERENCES } from './name-references.js';

const DEPENDS_ON = 'config.kubernetes.io/depends-on';
const NAMESPACED_REF = /^([-.\w]*)\/namespaces\/([-.\w]*)\/([-.\w]*)\/([-.\w]*)$/;
const CLUSTER_REF = /^([-.\w]*)\/([-.\w]*)\/([-.\w]*)$/;

type EditMode = 'prepend' | 'append';

interface Config {
  substring: string;
  mode: EditMode;
  fields: FieldSpec[];
}

class ConfigError extends Error {}

function readConfig(list: ResourceListData): Config {
  const config = configObject(list.functionConfig);
  if (isConfigMap(config) && config.apiVersion === 'v1') {
    const data = configMapData(config);
    if (data.size !== 1)
      throw new ConfigError(`only 1 entry is allowed in the ConfigMap, but got: ${data.size}`);
    const [key, value] = [...data][0] ?? ['', ''];
    if (key !== 'prepend' && key !== 'append') {
      throw new ConfigError(`unknown editMode: ${key}, only prepend and append are allowed`);
    }
    return validate({ substring: value, mode: key, fields: [] }, false);
  }
  if (config.apiVersion === 'fn.kpt.dev/v1alpha1' && config.kind === 'EnsureNameSubstring') {
    const mode = stringValue(field(config.root, 'editMode')) ?? '';
    if (mode !== '' && mode !== 'prepend' && mode !== 'append') {
      throw new ConfigError(`unknown editMode: ${mode}, only prepend and append are allowed`);
    }
    const additional = field(config.root, 'additionalNameFields');
    const legacy = field(config.root, 'fieldSpecs');
    const both = isSeq(additional) && isSeq(legacy);
    return validate(
      {
        substring: stringValue(field(config.root, 'substring')) ?? '',
        mode: mode === '' ? 'prepend' : mode,
        fields: parseFieldSpecs(isSeq(additional) ? additional : legacy),
      },
      both,
    );
  }
  const gvk = (apiVersion: string, kind: string): string => {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    return `${group}/${version}, Kind=${kind}`;
  };
  throw new ConfigError(
    `function config must be either ${gvk('v1', 'ConfigMap')} or ${gvk('fn.kpt.dev/v1alpha1', 'EnsureNameSubstring')}, but we got: ${gvk(config.apiVersion, config.kind)}`,
  );
}

function validate(config: Config, both: boolean): Config {
  if (config.substring === '') throw new ConfigError('substring must not be empty');
  if (both)
    throw new ConfigError('`fieldSpecs` has been deprecated, please rename it to `additionalNameFields`');
  return config;
}

/** kustomize's GVK selection: empty selector parts match anything. */
function selects(
  info: Pick<ObjectInfo, 'apiVersion' | 'kind'>,
  sel: { kind: string; group: string; version: string },
): boolean {
  return matchesSpec(
    { kind: sel.kind, group: sel.group, version: sel.version, path: '', create: false },
    info,
  );
}

const SKIPPED = [
  { kind: 'CustomResourceDefinition', group: '', version: '' },
  { kind: 'APIService', group: 'apiregistration.k8s.io', version: '' },
  { kind: 'Namespace', group: '', version: '' },
  { kind: 'Kptfile', group: 'kpt.dev', version: '' },
];

interface Tracked {
  info: ObjectInfo;
  originalName: string;
  originalNamespace: string;
  renamed: boolean;
}

/** The renamed targets, in object order, that had `name` and are visible from the referrer. */
type Candidates = (name: string) => Tracked[];

function effectiveNamespace(info: ObjectInfo): string {
  return info.namespace === '' ? DEFAULT_NAMESPACE : info.namespace;
}

function clusterScoped(info: ObjectInfo): boolean {
  return !isNamespaceScoped({ ...info, hasNamespace: true });
}

class Renamer {
  readonly tracked: Tracked[];
  private readonly lookup = new Set<string>();

  constructor(
    objects: ObjectInfo[],
    private readonly config: Config,
  ) {
    this.tracked = objects.map((info) => ({
      info,
      originalName: info.name,
      originalNamespace: effectiveNamespace(info),
      renamed: false,
    }));
    for (const o of objects) this.lookup.add(`${apiGroupOf(o.apiVersion)}|${o.kind}|${o.name}`);
  }

  private edit(value: string): string {
    return this.config.mode === 'prepend' ? this.config.substring + value : value + this.config.substring;
  }

  run(): void {
    const specs = [fieldSpec('metadata/name'), ...this.config.fields];
    for (const t of this.tracked) {
      if (SKIPPED.some((s) => selects(t.info, s))) continue;
      for (const fs of specs) {
        if (!matchesSpec(fs, t.info)) continue;
        if (this.hasSubstring(t.info, fs)) continue;
        if (fs.path === 'metadata/name') t.renamed = true;
        walkFieldSpec(t.info.root, fs, undefined, (slot) => {
          const node = slot.node;
          if (!isScalar(node)) throw new Error(`expected a scalar at \`${fs.path}\``);
          setScalarText(node, this.edit(scalarString(node) ?? ''));
          setLineComment(node, '');
        });
        if (fs.path === 'metadata/name')
          t.info.name = stringValue(nested(t.info.root, ['metadata', 'name'])) ?? '';
        this.updateDependsOn(t.info);
      }
    }
  }

  private hasSubstring(info: ObjectInfo, fs: FieldSpec): boolean {
    if (fs.path === 'metadata/name') return info.name.includes(this.config.substring);
    const value = nested(info.root, fs.path.split('/'));
    const text = value === undefined || value === null ? '' : (stringValue(value) ?? JSON.stringify(value));
    return text.includes(this.config.substring);
  }

  private updateDependsOn(info: ObjectInfo): void {
    const value = info.annotations.get(DEPENDS_ON);
    if (value === undefined) return;
    let idx: [number, number, number];
    if (NAMESPACED_REF.test(value)) idx = [0, 3, 4];
    else if (CLUSTER_REF.test(value)) idx = [0, 1, 2];
    else return;
    const segments = value.split('/');
    const key = `${segments[idx[0]] ?? ''}|${segments[idx[1]] ?? ''}|${segments[idx[2]] ?? ''}`;
    if (!this.lookup.has(key)) return;
    segments[idx[2]] = this.edit(segments[idx[2]] ?? '');
    info.annotations.set(DEPENDS_ON, segments.join('/'));
  }

  /**
   * kustomize's name back-reference fix for the renamed objects. Targets are indexed by their
   * original name, and visibility is checked only for the targets a referring field names, so the
   * fix stays linear in the number of objects.
   */
  fixReferences(): void {
    const renamed = this.tracked.filter((t) => t.renamed && t.originalName !== t.info.name);
    if (renamed.length === 0) return;
    for (const ref of NAME_REFERENCES) {
      const byName = new Map<string, Tracked[]>();
      for (const t of renamed) {
        if (!selects(t.info, ref.target)) continue;
        const list = byName.get(t.originalName);
        if (list) list.push(t);
        else byName.set(t.originalName, [t]);
      }
      if (byName.size === 0) continue;
      for (const spec of ref.referrers) {
        for (const referrer of this.ofKind(spec.kind)) {
          if (!matchesSpec(spec, referrer.info)) continue;
          const candidates: Candidates = (name) =>
            (byName.get(name) ?? []).filter((t) => this.visible(referrer.info, t.info));
          walkFieldSpec(referrer.info.root, spec, undefined, (slot) =>
            this.fixField(slot.node, referrer, candidates, spec, ref.target.kind),
          );
        }
      }
    }
  }

  private byKind: Map<string, Tracked[]> | undefined;

  /** The tracked objects a spec of `kind` can match ('' matches all), in object order. */
  private ofKind(kind: string): readonly Tracked[] {
    if (kind === '') return this.tracked;
    if (!this.byKind) {
      this.byKind = new Map();
      for (const t of this.tracked) {
        const list = this.byKind.get(t.info.kind);
        if (list) list.push(t);
        else this.byKind.set(t.info.kind, [t]);
      }
    }
    return this.byKind.get(kind) ?? [];
  }

  /** Whether `target` can be referred to from `referrer` (same namespace, or cluster-scoped). */
  private visible(referrer: ObjectInfo, target: ObjectInfo): boolean {
    if (clusterScoped(referrer) || clusterScoped(target)) return true;
    if (target.kind === 'ServiceAccount') return true;
    return effectiveNamespace(referrer) === effectiveNamespace(target);
  }

  private pick(
    name: string,
    namespace: string | undefined,
    candidates: Candidates,
    roleKind?: string,
  ): Tracked | undefined {
    const matches = candidates(name).filter(
      (c) =>
        (namespace === undefined || c.originalNamespace === namespace) &&
        (roleKind === undefined || c.info.kind === roleKind),
    );
    const first = matches[0];
    if (!first) return undefined;
    if (matches.some((m) => m.info.name !== first.info.name)) {
      throw new Error(`found multiple possible referrals: ${matches.map((m) => m.info.name).join(', ')}`);
    }
    return first;
  }

  private fixField(
    node: unknown,
    referrer: Tracked,
    candidates: Candidates,
    spec: FieldSpec,
    kind: string,
  ): void {
    const roleKind = spec.path.endsWith('roleRef/name')
      ? (stringValue(nested(referrer.info.root, ['roleRef', 'kind'])) ?? '')
      : undefined;
    if (isScalar(node)) {
      const hit = this.pick(stringValue(node) ?? '', undefined, candidates, roleKind);
      if (hit) setScalarText(node, hit.info.name);
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        if (isScalar(item)) {
          const hit = this.pick(stringValue(item) ?? '', undefined, candidates, roleKind);
          if (hit) node.items[i] = stringNode(hit.info.name);
        } else if (isMap(item)) {
          const itemKind = stringValue(field(item, 'kind'));
          if (itemKind !== undefined && itemKind !== kind) return;
          this.fixMap(item, candidates);
        }
      });
    } else if (isMap(node)) {
      this.fixMap(node, candidates);
    }
  }

  private fixMap(map: YAMLMap, candidates: Candidates): void {
    const name = stringValue(field(map, 'name'));
    if (name === undefined) return;
    const ns = stringValue(field(map, 'namespace'));
    const hit = this.pick(name, ns, candidates);
    if (!hit) return;
    const pair = map.items.find((p) => stringValue(p.key) === 'name');
    if (pair && isScalar(pair.value)) setScalarText(pair.value, hit.info.name);
  }
}

/** kustomize rewrites `metadata.annotations` as a fresh map sorted by key. */
function rewriteAnnotations(info: ObjectInfo): void {
  const metadata = field(info.root, 'metadata');
  if (!isMap(metadata) || info.annotations.size === 0) return;
  const map = new YAMLMap();
  for (const key of [...info.annotations.keys()].sort()) {
    map.items.push(new Pair(stringNode(key), stringNode(info.annotations.get(key) ?? '')));
  }
  const pair = metadata.items.find((p) => stringValue(p.key) === 'annotations');
  if (pair) pair.value = map;
}

function detach(resource: KrmResource, info: ObjectInfo): KrmResource {
  const path = defaultResourcePath({
    kind: info.kind,
    name: info.name,
    namespace: info.hasNamespace ? info.namespace : '',
  });
  return { path, index: 0, document: newYamlDocument(resource.document.doc, 'compact') };
}

export const ensureNameSubstring: BuiltinFunction = {
  name: 'ensure-name-substring',
  run(list: ResourceListData): BuiltinOutcome {
    let message: string;
    try {
      const config = readConfig(list);
      const objects = list.items.map(objectInfo).filter((o): o is ObjectInfo => o !== undefined);
      const renamer = new Renamer(objects, config);
      try {
        renamer.run();
      } catch (err) {
        throw new Error(`failed to transform name substring: ${(err as Error).message}`, { cause: err });
      }
      try {
        renamer.fixReferences();
      } catch (err) {
        throw new Error(`failed to fix name back reference: ${(err as Error).message}`, { cause: err });
      }
      for (const o of objects) rewriteAnnotations(o);
      list.items = objects.map((o) => detach(o.resource, o));
      return { exitCode: 0 };
    } catch (err) {
      message =
        err instanceof ConfigError
          ? `failed to load the \`functionConfig\`: ${err.message}`
          : (err as Error).message;
    }
    list.results.push(result(message, { severity: 'error' }));
    return { exitCode: 1, stderr: message };
  },
};
