/** Server-side printing: objects → `meta.k8s.io` Table with the kind's printer columns. */
import { evaluateJsonPath, type KubeObject } from '../apimachinery/index.js';
import type { KindDefinition, PrinterColumn } from '../registry/index.js';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const NAME_COLUMN: TableColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated.',
  priority: 0,
};

export function columnDefinitions(kind: KindDefinition): TableColumnDefinition[] {
  return [
    NAME_COLUMN,
    ...kind.printerColumns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
}

/** Kubernetes' `duration.HumanDuration`: short, coarsening with age ("45s", "3m20s", "5d", "2y"). */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) % 365;
  if (h < 24 * 365 * 8) return d === 0 ? `${y}y` : `${y}y${d}d`;
  return `${y}y`;
}

function cell(object: KubeObject, column: PrinterColumn, now: number): unknown {
  const value = column.cell ? column.cell(object) : evaluateJsonPath(object, column.jsonPath)[0];
  if (value === undefined || value === null) return column.type === 'date' ? '<unknown>' : null;
  if (column.type === 'date' && typeof value === 'string') return humanDuration(now - Date.parse(value));
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(object: KubeObject, include: IncludeObject, metaVersion: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return object;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: `meta.k8s.io/${metaVersion}`,
    metadata: object.metadata,
  };
}

export function tableRows(
  kind: KindDefinition,
  objects: readonly KubeObject[],
  include: IncludeObject,
  metaVersion: string,
): unknown[] {
  const now = Date.now();
  return objects.map((object) => {
    const row: Record<string, unknown> = {
      cells: [object.metadata.name ?? '', ...kind.printerColumns.map((c) => cell(object, c, now))],
    };
    const o = rowObject(object, include, metaVersion);
    if (o !== undefined) row.object = o;
    return row;
  });
}

export function toTable(
  kind: KindDefinition,
  objects: readonly KubeObject[],
  options: {
    include: IncludeObject;
    metaVersion: string;
    listMeta: Record<string, unknown>;
    withColumns: boolean;
  },
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.metaVersion}`,
    metadata: options.listMeta,
    ...(options.withColumns ? { columnDefinitions: columnDefinitions(kind) } : {}),
    rows: tableRows(kind, objects, options.include, options.metaVersion),
  };
}
