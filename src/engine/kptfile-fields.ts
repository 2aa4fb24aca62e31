/**
 * The PackageRevision fields that live in the package's Kptfile (porch.md §2.1–2.2):
 * `spec.readinessGates` ↔ `info.readinessGates`, `spec.packageMetadata` ↔ Kptfile `metadata`
 * labels and annotations, `status.conditions` ↔ `status.conditions`, and `status.upstreamLock`
 * (read only). Reading them never fails: a Kptfile that can't be read yields no fields.
 */
import { isMap } from 'yaml';
import { BadRequestError, isPlainObject, type KubeObject } from '../apimachinery/index.js';
import {
  KPTFILE,
  parseKptfileDocument,
  serializeKptfile,
  setConditions,
  setPackageMetadata,
  setReadinessGates,
  type Condition,
  type ReadinessGate,
} from '../krm/index.js';

export interface KptfileFields {
  readinessGates?: ReadinessGate[];
  packageMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  conditions?: Condition[];
  upstreamLock?: unknown;
}

/** Kpt's own marker on every Kptfile: not package metadata a client set. */
const LOCAL_CONFIG = 'config.kubernetes.io/local-config';

const nonEmpty = <T extends object>(value: T | undefined): T | undefined =>
  value !== undefined && Object.keys(value).length > 0 ? value : undefined;

type Loose = { [K in keyof KptfileFields]: KptfileFields[K] | undefined };

function compact(fields: Loose): KptfileFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** The fields a Kptfile's text gives; none when the text is missing or not a valid Kptfile. */
export function kptfileFields(text: string | undefined): KptfileFields {
  if (text === undefined) return {};
  let kptfile;
  try {
    kptfile = parseKptfileDocument(text).kptfile;
  } catch {
    return {};
  }
  const gates = kptfile.info?.readinessGates;
  const { labels } = kptfile.metadata;
  const annotations = { ...kptfile.metadata.annotations };
  delete annotations[LOCAL_CONFIG];
  const metadata = {
    ...(nonEmpty(labels) ? { labels } : {}),
    ...(nonEmpty(annotations) ? { annotations } : {}),
  };
  return compact({
    readinessGates: gates && gates.length > 0 ? gates : undefined,
    packageMetadata: nonEmpty(metadata),
    conditions: kptfile.status?.conditions?.length ? kptfile.status.conditions : undefined,
    upstreamLock: kptfile.upstreamLock,
  });
}

const spec = (object: KubeObject): Record<string, unknown> => (isPlainObject(object.spec) ? object.spec : {});
const status = (object: KubeObject): Record<string, unknown> =>
  isPlainObject(object.status) ? object.status : {};

/** The Kptfile-held fields of an index object. */
export function fieldsOf(object: KubeObject): KptfileFields {
  return compact({
    readinessGates: spec(object).readinessGates as ReadinessGate[] | undefined,
    packageMetadata: spec(object).packageMetadata as KptfileFields['packageMetadata'],
    conditions: status(object).conditions as Condition[] | undefined,
    upstreamLock: status(object).upstreamLock,
  });
}

/** Sets the fields on an index object (spec and status are copied, not shared). */
export function withFields(object: KubeObject, fields: KptfileFields): KubeObject {
  const { readinessGates, packageMetadata, conditions, upstreamLock } = fields;
  return {
    ...object,
    spec: {
      ...spec(object),
      ...(readinessGates ? { readinessGates } : {}),
      ...(packageMetadata ? { packageMetadata } : {}),
    },
    status: {
      ...status(object),
      ...(upstreamLock !== undefined ? { upstreamLock } : {}),
      ...(conditions ? { conditions } : {}),
    },
  };
}

/**
 * What a client asks to change on a Draft (`spec.readinessGates`, `spec.packageMetadata`,
 * `status.conditions`) compared with the index object; undefined when nothing changes.
 */
export function requestedFieldChanges(current: KubeObject, wanted: KubeObject): KptfileFields | undefined {
  const had = fieldsOf(current);
  const want = fieldsOf(wanted);
  const changed: KptfileFields = {};
  let any = false;
  for (const key of ['readinessGates', 'packageMetadata', 'conditions'] as const) {
    if (JSON.stringify(had[key] ?? null) === JSON.stringify(want[key] ?? null)) continue;
    Object.assign(changed, { [key]: want[key] ?? [] });
    any = true;
  }
  return any ? changed : undefined;
}

/**
 * The package's files with the fields written into the Kptfile (comments and formatting of the
 * rest kept). An empty list or map removes the field.
 */
export function applyFieldsToKptfile(
  files: ReadonlyMap<string, string>,
  fields: KptfileFields,
): Map<string, string> {
  const text = files.get(KPTFILE);
  if (text === undefined)
    throw new BadRequestError(`the package has no ${KPTFILE} to record these fields in`);
  const { doc } = parseKptfileDocument(text);
  if (fields.readinessGates !== undefined)
    setReadinessGates(doc, fields.readinessGates.length > 0 ? fields.readinessGates : undefined);
  if (fields.conditions !== undefined)
    setConditions(doc, fields.conditions.length > 0 ? fields.conditions : undefined);
  if (fields.packageMetadata !== undefined) {
    const { labels, annotations: wanted } = fields.packageMetadata;
    const local = parseKptfileDocument(text).kptfile.metadata.annotations?.[LOCAL_CONFIG];
    const annotations = { ...wanted, ...(local !== undefined ? { [LOCAL_CONFIG]: local } : {}) };
    setPackageMetadata(doc, {
      labels: nonEmpty(labels) ?? null,
      annotations: nonEmpty(annotations) ?? null,
    });
  }
  // Sections emptied by a removal go too (kpt writes no `status: {}`).
  for (const section of ['info', 'status']) {
    const node = doc.get(section);
    if (isMap(node) && node.items.length === 0) doc.delete(section);
  }
  return new Map(files).set(KPTFILE, serializeKptfile(doc, text));
}

/** Readiness gates whose condition is not `True` (empty when the revision is ready). */
export function unmetGates(object: KubeObject): string[] {
  const { readinessGates = [], conditions = [] } = fieldsOf(object);
  return readinessGates
    .map((g) => g.conditionType ?? '')
    .filter((type) => type !== '' && !conditions.some((c) => c.type === type && c.status === 'True'));
}
