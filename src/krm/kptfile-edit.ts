/**
 * Comment- and layout-preserving edits of a Kptfile held in a `yaml` Document. Each setter replaces
 * one section: keys that stay keep their comments, position and quoting; new keys go to the position
 * kpt's field order gives them; `undefined` removes the section. Serialize the document with
 * `serializeKptfile` (unchanged text stays byte-identical, changed text is formatted like kpt).
 */
import type { YAMLMap } from 'yaml';
import { isMap, type Document } from 'yaml';
import type {
  Condition,
  Kptfile,
  KptfileMetadata,
  PackageInfo,
  Pipeline,
  ReadinessGate,
  Upstream,
  UpstreamLock,
} from './kptfile.js';
import { KPTFILE_FIELDS, fieldSchema, type FieldSchema } from './kptfile-schema.js';
import { getField } from './resource-meta.js';
import { assignField, ensureMapField } from './yaml-object.js';
import { deriveSeqIndent, isDocumentChanged, formatDocument, type YamlDocument } from './yaml-file.js';

const ROOT_ORDER = KPTFILE_FIELDS.map(([name]) => name);

function root(doc: Document): YAMLMap {
  if (!isMap(doc.contents)) throw new Error('the Kptfile document is not a mapping');
  return doc.contents;
}

function schemaAt(path: readonly string[]): FieldSchema {
  const schema = fieldSchema(path);
  if (!schema) throw new Error(`Kptfile has no field ${path.join('.')}`);
  return schema;
}

function orderOf(path: readonly string[]): readonly string[] {
  if (path.length === 0) return ROOT_ORDER;
  const schema = schemaAt(path);
  return schema.type === 'object' ? schema.fields.map(([n]) => n) : [];
}

/** The mapping at `path` (created, in kpt's field order, when missing). */
function section(doc: Document, path: readonly string[]): YAMLMap {
  let map = root(doc);
  path.forEach((name, i) => {
    map = ensureMapField(map, name, orderOf(path.slice(0, i)));
  });
  return map;
}

/** Sets one field at `path` (e.g. ['info', 'description']); `undefined` removes it. */
export function setKptfileField(doc: Document, path: readonly string[], value: unknown): void {
  const schema = schemaAt(path);
  const name = path.at(-1) ?? '';
  const parentPath = path.slice(0, -1);
  if (value === undefined) {
    // Removing: do not create the sections above the field.
    let map: unknown = root(doc);
    for (const p of parentPath) map = getField(map, p);
    if (isMap(map)) assignField(map, name, undefined, schema, orderOf(parentPath));
    return;
  }
  assignField(section(doc, parentPath), name, value, schema, orderOf(parentPath));
}

export function setKptfileUpstream(doc: Document, upstream: Upstream | undefined): void {
  setKptfileField(doc, ['upstream'], upstream);
}

export function setUpstreamLock(doc: Document, lock: UpstreamLock | undefined): void {
  setKptfileField(doc, ['upstreamLock'], lock);
}

export function setInfo(doc: Document, info: PackageInfo | undefined): void {
  setKptfileField(doc, ['info'], info);
}

export function setReadinessGates(doc: Document, gates: ReadinessGate[] | undefined): void {
  setKptfileField(doc, ['info', 'readinessGates'], gates);
}

export function setPipeline(doc: Document, pipeline: Pipeline | undefined): void {
  setKptfileField(doc, ['pipeline'], pipeline);
}

export function setConditions(doc: Document, conditions: Condition[] | undefined): void {
  setKptfileField(doc, ['status', 'conditions'], conditions);
}

/** Adds or replaces the condition of the same `type`. */
export function upsertCondition(
  doc: Document,
  condition: Condition,
  current: readonly Condition[] = [],
): void {
  const list = current.filter((c) => c.type !== condition.type);
  const index = current.findIndex((c) => c.type === condition.type);
  list.splice(index < 0 ? list.length : index, 0, condition);
  setConditions(doc, list);
}

/**
 * Sets the given metadata fields; fields left out stay as they are, `null` removes one. Labels and
 * annotations are replaced as a whole when given.
 */
export function setPackageMetadata(
  doc: Document,
  metadata: { [K in keyof KptfileMetadata]?: KptfileMetadata[K] | null },
): void {
  for (const key of ['name', 'namespace', 'labels', 'annotations'] as const) {
    const value = metadata[key];
    if (value === undefined) continue;
    setKptfileField(doc, ['metadata', key], value === null ? undefined : value);
  }
}

/** Writes all sections of `kptfile` into the document (the whole Kptfile is replaced). */
export function setKptfile(doc: Document, kptfile: Kptfile): void {
  for (const [name] of KPTFILE_FIELDS)
    setKptfileField(doc, [name], (kptfile as unknown as Record<string, unknown>)[name]);
}

/** Text of an edited Kptfile: the original text when nothing changed, else kpt's formatting. */
export function serializeKptfile(doc: Document, originalText: string): string {
  const d: YamlDocument = { doc, source: originalText, seqIndent: deriveSeqIndent(originalText) };
  return originalText !== '' && !isDocumentChanged('Kptfile', d) ? originalText : formatDocument(d);
}
