/**
 * Renders a Package Operator package the way Package Operator does before deploying it: CEL path
 * filters, `.gotmpl` templates (one template set, `define`s shared across files, `_`-prefixed
 * helpers not rendered), YAML objects split on `---` lines, per-object CEL conditions, then the
 * object checks (GroupVersionKind, phase annotation, duplicates, labels).
 */
import { parse } from 'yaml';
import { isQualifiedName, isValidLabelValue } from '../apimachinery/index.js';
import { evaluateCel } from './cel.js';
import { markStringMap, SPRIG, TemplateError, TemplateSet } from './gotmpl/index.js';
import {
  CONDITION_ANNOTATION,
  LOCK_FILES,
  MANIFEST_FILES,
  PHASE_ANNOTATION,
  type PackageManifest,
} from './manifest.js';

const PACKAGE_FILES = new Set<string>([...MANIFEST_FILES, ...LOCK_FILES]);
import { comparePaths, fileText, type PackageFileMap } from './package-source.js';
import { PackageViolationError, VIOLATION } from './violation.js';

export interface TemplateContext {
  package: {
    metadata: {
      name: string;
      namespace: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    };
    image?: string;
  };
  config: Record<string, unknown>;
  images: Record<string, string>;
  environment: Record<string, unknown> & { kubernetes: { version: string } };
}

export interface PackageObject {
  /** Rendered path (without `.gotmpl`). */
  path: string;
  index: number;
  object: Record<string, unknown>;
  phase: string;
}

export interface RenderedPackage {
  /** Rendered YAML files that still hold at least one object, as text: the template test fixtures. */
  files: Map<string, string>;
  objects: PackageObject[];
}

/** Placeholder PKO substitutes for every image in template tests. */
export const STATIC_TEST_IMAGE = 'registry.package-operator.run/static-image';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): Record<string, string> {
  return isRecord(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};
}

/** A context with PKO's defaults (empty maps, empty Kubernetes version) filled in. */
export function templateContext(input: {
  metadata?: Record<string, unknown>;
  image?: string;
  config?: Record<string, unknown>;
  images?: Record<string, string>;
  environment?: Record<string, unknown>;
}): TemplateContext {
  const m = input.metadata ?? {};
  const env = input.environment ?? {};
  const kube = isRecord(env.kubernetes) ? env.kubernetes : {};
  return {
    package: {
      metadata: {
        name: typeof m.name === 'string' ? m.name : '',
        namespace: typeof m.namespace === 'string' ? m.namespace : '',
        labels: markStringMap(strings(m.labels)),
        annotations: markStringMap(strings(m.annotations)),
      },
      ...(input.image ? { image: input.image } : {}),
    },
    config: input.config ?? {},
    images: input.images ?? {},
    environment: { ...env, kubernetes: { version: typeof kube.version === 'string' ? kube.version : '' } },
  };
}

/** doublestar-style glob → RegExp (`**` crosses `/`, `*` and `?` do not, `{a,b}`, `[…]`). */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${glob
          .slice(i + 1, end)
          .split(',')
          .map((a) => a.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('|')})`;
        i = end;
      }
    } else if (c === '[') {
      const end = glob.indexOf(']', i);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function celVars(context: TemplateContext, cond: Record<string, boolean>): Record<string, unknown> {
  return { ...(JSON.parse(JSON.stringify(context)) as Record<string, unknown>), cond };
}

function isHelper(path: string): boolean {
  return (path.split('/').pop() ?? '').startsWith('_');
}

function isYaml(path: string): boolean {
  return /\.ya?ml$/.test(path);
}

/** Splits on lines that are exactly `---`, as Package Operator does. */
export function splitYamlDocuments(text: string): string[] {
  return text.split(/^---[ \t]*$/m);
}

/**
 * Renders `files` (a single package or component, dot-files already dropped) with `context`.
 * Throws PackageViolationError on template errors, invalid YAML or invalid objects.
 */
export function renderPackage(
  files: PackageFileMap,
  manifest: PackageManifest,
  context: TemplateContext,
  options: { component?: string } = {},
): RenderedPackage {
  const component = options.component;
  const cond: Record<string, boolean> = {};
  for (const c of manifest.spec.filter?.conditions ?? []) {
    cond[c.name] = evaluateCel(c.expression, celVars(context, cond));
  }
  const excluded = (manifest.spec.filter?.paths ?? []).filter(
    (p) => !evaluateCel(p.expression, celVars(context, cond)),
  );
  const kept = [...files].filter(([path]) => !excluded.some((p) => globToRegExp(p.glob).test(path)));

  const set = new TemplateSet({
    ...SPRIG,
    getFile: (path) => {
      const bytes = files.get(String(path));
      return bytes ? fileText(String(path), bytes) : '';
    },
    getFileGlob: (glob) => {
      const re = globToRegExp(String(glob));
      return Object.fromEntries([...files].filter(([p]) => re.test(p)).map(([p, b]) => [p, fileText(p, b)]));
    },
    cel: (expr) => evaluateCel(String(expr), celVars(context, cond)),
  });
  const templates = kept.filter(([p]) => p.endsWith('.gotmpl'));
  const data = context;
  const rendered = new Map<string, string>();
  try {
    for (const [path, bytes] of templates) set.add(path, fileText(path, bytes));
    for (const [path] of templates) {
      if (isHelper(path)) continue;
      rendered.set(path.slice(0, -'.gotmpl'.length), set.execute(path, data));
    }
  } catch (err) {
    if (err instanceof TemplateError) {
      throw new PackageViolationError(VIOLATION.templateError, {
        ...(component ? { component } : {}),
        details: err.message,
        cause: err,
      });
    }
    throw err;
  }
  for (const [path, bytes] of kept)
    if (!path.endsWith('.gotmpl') && isYaml(path)) rendered.set(path, fileText(path, bytes));

  const phases = new Set(manifest.spec.phases.map((p) => p.name));
  const result: RenderedPackage = { files: new Map(), objects: [] };
  const seen = new Map<string, string>();
  for (const path of [...rendered.keys()].sort(comparePaths)) {
    if (!isYaml(path) || isHelper(path) || PACKAGE_FILES.has(path)) continue;
    const text = rendered.get(path) ?? '';
    let index = 0;
    const keptDocs: string[] = [];
    let filtered = false;
    for (const doc of splitYamlDocuments(text)) {
      if (doc.trim() === '') continue;
      const at = { path, index, ...(component ? { component } : {}) };
      let object: unknown;
      try {
        object = parse(doc, { uniqueKeys: false, maxAliasCount: 100 });
      } catch (err) {
        throw new PackageViolationError(VIOLATION.invalidYaml, {
          ...at,
          details: (err as Error).message.split('\n')[0] ?? '',
          cause: err,
        });
      }
      index++;
      if (object === null || object === undefined) continue;
      if (!isRecord(object))
        throw new PackageViolationError(VIOLATION.invalidYaml, {
          ...at,
          details: 'a document must be a mapping',
        });
      const meta = isRecord(object.metadata) ? object.metadata : {};
      const annotations = strings(meta.annotations);
      const condition = annotations[CONDITION_ANNOTATION];
      if (condition !== undefined && !evaluateCel(condition, celVars(context, cond))) {
        filtered = true;
        continue;
      }
      checkObject(object, at, phases);
      const key = objectKey(object);
      const other = seen.get(key);
      if (other !== undefined) {
        throw new PackageViolationError(VIOLATION.duplicateObject, {
          ...at,
          details: `${key} is also defined in ${other}`,
        });
      }
      seen.set(key, `${path} idx ${at.index}`);
      result.objects.push({ path, index: at.index, object, phase: annotations[PHASE_ANNOTATION] ?? '' });
      keptDocs.push(doc);
    }
    // A file with objects filtered out is written back with the kept documents only.
    if (keptDocs.length > 0) {
      result.files.set(
        path,
        filtered ? keptDocs.map((d) => d.replace(/^\n+/, '').replace(/\n*$/, '\n')).join('---\n') : text,
      );
    }
  }
  return result;
}

function objectKey(object: Record<string, unknown>): string {
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const group = scalar(object.apiVersion).includes('/') ? scalar(object.apiVersion).split('/')[0] : '';
  return `${group ? `${group}/` : ''}${scalar(object.kind)} ${typeof meta.namespace === 'string' && meta.namespace ? `${meta.namespace}/` : ''}${scalar(meta.name)}`;
}

function checkObject(
  object: Record<string, unknown>,
  at: { path: string; index: number; component?: string },
  phases: Set<string>,
): void {
  if (
    typeof object.apiVersion !== 'string' ||
    object.apiVersion === '' ||
    typeof object.kind !== 'string' ||
    object.kind === ''
  ) {
    throw new PackageViolationError(VIOLATION.missingGvk, at);
  }
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const annotations = strings(meta.annotations);
  const phase = annotations[PHASE_ANNOTATION];
  if (phase === undefined || phase === '')
    throw new PackageViolationError(VIOLATION.missingPhaseAnnotation, at);
  if (!phases.has(phase))
    throw new PackageViolationError(VIOLATION.phaseNotFound, { ...at, details: `phase "${phase}"` });
  const problems: string[] = [];
  for (const [k, v] of Object.entries(isRecord(meta.labels) ? meta.labels : {})) {
    for (const msg of isQualifiedName(k))
      problems.push(`metadata.labels: Invalid value: ${JSON.stringify(k)}: ${msg}`);
    const value = typeof v === 'string' ? v : JSON.stringify(v);
    for (const msg of isValidLabelValue(value))
      problems.push(`metadata.labels: Invalid value: ${JSON.stringify(value)}: ${msg}`);
  }
  if (problems.length > 0)
    throw new PackageViolationError(VIOLATION.labelsInvalid, { ...at, details: problems.join(', ') });
}

/** A scalar field as text ('' when absent, JSON for anything that is not a string). */
function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : JSON.stringify(v);
}
