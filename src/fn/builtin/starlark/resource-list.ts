/**
 * `ctx.resource_list` for a run of the starlark function, and the resources it leaves behind.
 *
 * The items are the resources as dicts, with the orchestrator's annotations kpt puts on every item
 * (`config.kubernetes.io/path|index`, `internal.config.kubernetes.io/path|index|seqindent`, and the
 * internal id beside a legacy `config.k8s.io/id`), so `metadata.annotations` exists as it does
 * under kpt. Afterwards those annotations say where each item goes (a changed path moves it; a new
 * item without one gets kyaml's default file name) and are removed again; every other change is
 * written into the resource's own YAML document in place.
 */
import { Document, type YAMLMap } from 'yaml';
import { defaultResourcePath, newYamlDocument, rootMap, type KrmResource } from '../../../krm/index.js';
import { fail } from './errors.js';
import { StarDict, StarList, typeName, type Value } from './values.js';
import { YamlWriter, fromNode } from './yaml-bridge.js';

const LEGACY_PATH = 'config.kubernetes.io/path';
const LEGACY_INDEX = 'config.kubernetes.io/index';
const PATH = 'internal.config.kubernetes.io/path';
const INDEX = 'internal.config.kubernetes.io/index';
const SEQ_INDENT = 'internal.config.kubernetes.io/seqindent';
export const LEGACY_ID = 'config.k8s.io/id';
export const ID = 'internal.config.kubernetes.io/id';
const TRACKING = [LEGACY_INDEX, LEGACY_PATH, INDEX, PATH, SEQ_INDENT, ID];

export interface StarlarkInput {
  /** The `ctx.resource_list` value. */
  value: StarDict;
  /** Input resources by the root mapping of their document. */
  byRoot: Map<YAMLMap, KrmResource>;
}

function annotationsOf(item: StarDict, create: boolean): StarDict | undefined {
  let metadata = item.get('metadata');
  if (!(metadata instanceof StarDict)) {
    if (!create || metadata !== undefined) return undefined;
    metadata = new StarDict();
    item.setUnchecked('metadata', metadata);
  }
  const meta = metadata;
  const annotations = meta.get('annotations');
  if (annotations instanceof StarDict) return annotations;
  if (!create || (annotations !== undefined && annotations !== null)) return undefined;
  const fresh = new StarDict();
  meta.setUnchecked('annotations', fresh);
  return fresh;
}

export function buildResourceList(
  items: readonly KrmResource[],
  functionConfig: Document | undefined,
): StarlarkInput {
  const byRoot = new Map<YAMLMap, KrmResource>();
  const values: Value[] = [];
  for (const r of items) {
    const root = rootMap(r.document.doc);
    const item = fromNode(root ?? null, { track: true, doc: r.document.doc });
    if (root && item instanceof StarDict) {
      byRoot.set(root, r);
      const a = annotationsOf(item, true);
      if (a) {
        const legacyId = a.get(LEGACY_ID);
        if (typeof legacyId === 'string' && !a.has(ID)) a.setUnchecked(ID, legacyId);
        a.setUnchecked(LEGACY_INDEX, String(r.index));
        a.setUnchecked(LEGACY_PATH, r.path);
        a.setUnchecked(INDEX, String(r.index));
        a.setUnchecked(PATH, r.path);
        a.setUnchecked(SEQ_INDENT, r.document.seqIndent);
      }
    }
    values.push(item);
  }
  const list = new StarDict();
  list.setUnchecked('apiVersion', 'config.kubernetes.io/v1');
  list.setUnchecked('kind', 'ResourceList');
  list.setUnchecked('items', new StarList(values));
  const fc = functionConfig ? rootMap(functionConfig) : undefined;
  list.setUnchecked(
    'functionConfig',
    fc && functionConfig ? fromNode(fc, { track: false, doc: functionConfig }) : null,
  );
  return { value: list, byRoot };
}

interface Placement {
  path: string | undefined;
  index: number | undefined;
}

/** Removes the tracking annotations from an output item; answers where they say it goes. */
function takePlacement(item: StarDict): Placement {
  const a = annotationsOf(item, false);
  if (!a) return { path: undefined, index: undefined };
  const text = (k: string): string | undefined => {
    const v = a.get(k);
    return typeof v === 'string' ? v : undefined;
  };
  const path = text(PATH) ?? text(LEGACY_PATH);
  const indexText = text(INDEX) ?? text(LEGACY_INDEX);
  const index = indexText !== undefined && /^\d+$/.test(indexText) ? Number(indexText) : undefined;
  for (const k of TRACKING) if (a.has(k)) a.delete(k);
  if (a.size === 0 && !a.origin) (item.get('metadata') as StarDict).delete('annotations');
  return { path, index };
}

/** The resources after the program: updated documents of kept items, new documents for new ones. */
export function readResourceList(
  input: StarlarkInput,
  seqIndentDefault: 'compact' | 'wide' = 'compact',
): KrmResource[] {
  const items = input.value.get('items');
  if (!(items instanceof StarList)) {
    fail(`ctx.resource_list["items"] must be a list, not ${typeName(items ?? null)}`);
  }
  const writer = new YamlWriter();
  const out: KrmResource[] = [];
  const fresh: { resource: KrmResource; placed: boolean }[] = [];
  items.items.forEach((item, i) => {
    if (!(item instanceof StarDict))
      fail(`ctx.resource_list["items"][${i}] must be a dict, not ${typeName(item)}`);
    const placement = takePlacement(item);
    const original = item.origin ? input.byRoot.get(item.origin) : undefined;
    if (original && item.origin) {
      const node = writer.build(item);
      if (node === item.origin) {
        out.push({
          path: placement.path ?? original.path,
          index: placement.index ?? original.index,
          document: original.document,
        });
        return;
      }
      // The same resource listed twice: the second is a copy.
      const doc = new Document();
      doc.contents = node;
      const copy: KrmResource = {
        path: placement.path ?? original.path,
        index: placement.index ?? original.index,
        document: newYamlDocument(doc, original.document.seqIndent),
      };
      out.push(copy);
      return;
    }
    const doc = new Document();
    doc.contents = writer.build(item);
    const resource: KrmResource = {
      path: placement.path ?? '',
      index: placement.index ?? 0,
      document: newYamlDocument(doc, seqIndentDefault),
    };
    fresh.push({ resource, placed: placement.path !== undefined });
    out.push(resource);
  });
  // New resources without a path go where kyaml writes them: `<kind>_<name>.yaml` (per namespace).
  for (const { resource, placed } of fresh) {
    if (placed) continue;
    const item = fromNode(rootMap(resource.document.doc) ?? null, { track: false });
    const field = (d: Value | undefined, k: string): string => {
      const v = d instanceof StarDict ? d.get(k) : undefined;
      return typeof v === 'string' ? v : '';
    };
    const metadata = item instanceof StarDict ? item.get('metadata') : undefined;
    resource.path = defaultResourcePath({
      kind: field(item, 'kind'),
      name: field(metadata, 'name'),
      namespace: field(metadata, 'namespace'),
    });
    resource.index = out.filter((r) => r !== resource && r.path === resource.path).length;
  }
  return out;
}
