/**
 * The SQL of `Store.list`, shared by both backends (they differ only in placeholders). Rows come
 * back as `namespace, name, rv, json` in (namespace, name) byte order: SQLite compares TEXT with
 * memcmp and the PostgreSQL columns are `COLLATE "C"`, so both backends order alike.
 */
import { BadRequestError } from '../apimachinery/index.js';
import type { ListQuery } from './store.js';

export type Dialect = 'sqlite' | 'postgres';

export interface ListSql {
  text: string;
  params: unknown[];
  /** Names the query's shape (same variant ⇒ same text): a cache key for prepared statements. */
  variant: string;
}

export function listSql(query: ListQuery, dialect: Dialect): ListSql {
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return dialect === 'sqlite' ? '?' : `$${params.length}`;
  };
  if (query.limit !== undefined && (!Number.isSafeInteger(query.limit) || query.limit < 0)) {
    throw new BadRequestError(`list limit must be a non-negative integer, got ${query.limit}`);
  }
  if (query.atRv !== undefined && (!Number.isSafeInteger(query.atRv) || query.atRv < 0)) {
    throw new BadRequestError(`list resourceVersion must be a non-negative integer, got ${query.atRv}`);
  }

  // Filters on (resource, namespace, name): an equality on resource (and namespace), and the
  // row-value comparison on the whole key so that the primary key index serves `after`.
  const keyFilter = (alias: string): string => {
    const column = (name: string): string => (alias ? `${alias}.${name}` : name);
    let text = `${column('resource')} = ${param(query.resource)}`;
    if (query.namespace !== undefined) text += ` AND ${column('namespace')} = ${param(query.namespace)}`;
    if (query.after !== undefined) {
      text +=
        ` AND (${column('resource')}, ${column('namespace')}, ${column('name')})` +
        ` > (${param(query.resource)}, ${param(query.after.namespace)}, ${param(query.after.name)})`;
    }
    return text;
  };

  let text: string;
  if (query.atRv === undefined) {
    text = `SELECT namespace, name, rv, json FROM lading_objects WHERE ${keyFilter('')} ORDER BY namespace, name`;
  } else {
    // The state at atRv: objects untouched since atRv as stored, plus, for every object changed
    // after atRv, the version before its first change after atRv — unless that first change
    // created it (then it did not exist at atRv). Deleted-after objects come from the second arm.
    const current = `SELECT namespace, name, rv, json FROM lading_objects WHERE ${keyFilter('')} AND rv <= ${param(query.atRv)}`;
    const firsts =
      `SELECT min(rv) AS rv FROM lading_changes WHERE rv > ${param(query.atRv)} AND ${keyFilter('')}` +
      ` GROUP BY namespace, name`;
    const previous =
      `SELECT c.namespace, c.name, c.prev_rv AS rv, c.prev_json AS json FROM lading_changes c` +
      ` JOIN (${firsts}) f ON c.rv = f.rv WHERE c.type <> 'ADDED'`;
    text = `SELECT namespace, name, rv, json FROM (${current} UNION ALL ${previous}) AS s ORDER BY namespace, name`;
  }
  if (query.limit !== undefined) text += ` LIMIT ${param(query.limit)}`;

  const variant = [
    query.atRv === undefined ? '' : 'at',
    query.namespace === undefined ? '' : 'ns',
    query.after === undefined ? '' : 'after',
    query.limit === undefined ? '' : 'limit',
  ].join('_');
  return { text, params, variant };
}
