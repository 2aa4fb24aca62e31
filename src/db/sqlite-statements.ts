/** The prepared statements of SqliteStore (rows as arrays: `.raw()`, `.pluck()`). */
import type Database from 'better-sqlite3';
import type { ChangeType } from './store.js';

export type ObjectRow = [rv: number, json: string];
export type ListRow = [namespace: string, name: string, rv: number, json: string];
export type ChangeRow = [
  rv: number,
  type: ChangeType,
  resource: string,
  namespace: string,
  name: string,
  json: string,
  prevJson: string | null,
];

/** Every fixed statement of the store, prepared once per database. */
export function prepareStatements(db: Database.Database) {
  return {
    getObject: db
      .prepare<[string, string, string], ObjectRow>(
        'SELECT rv, json FROM lading_objects WHERE resource = ? AND namespace = ? AND name = ?',
      )
      .raw(true),
    insertObject: db.prepare<[string, string, string, number, string]>(
      'INSERT INTO lading_objects (resource, namespace, name, rv, json) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    updateObject: db.prepare<[number, string, string, string, string]>(
      'UPDATE lading_objects SET rv = ?, json = ? WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    deleteObject: db.prepare<[string, string, string]>(
      'DELETE FROM lading_objects WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    insertChange: db.prepare<
      [number, ChangeType, string, string, string, string, number | null, string | null, number]
    >(
      'INSERT INTO lading_changes (rv, type, resource, namespace, name, json, prev_rv, prev_json, time)' +
        ' VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertOwner: db.prepare<[string, string, string, string]>(
      'INSERT OR IGNORE INTO lading_owner_refs (owner_uid, resource, namespace, name) VALUES (?, ?, ?, ?)',
    ),
    deleteOwners: db.prepare<[string, string, string]>(
      'DELETE FROM lading_owner_refs WHERE resource = ? AND namespace = ? AND name = ?',
    ),
    dependents: db
      .prepare<[string], [string, string, string]>(
        'SELECT resource, namespace, name FROM lading_owner_refs WHERE owner_uid = ? ORDER BY resource, namespace, name',
      )
      .raw(true),
    count: db.prepare<[string], number>('SELECT count(*) FROM lading_objects WHERE resource = ?').pluck(true),
    countInNamespace: db
      .prepare<[string, string], number>(
        'SELECT count(*) FROM lading_objects WHERE resource = ? AND namespace = ?',
      )
      .pluck(true),
    changesSince: db
      .prepare<[number, number], ChangeRow>(
        'SELECT rv, type, resource, namespace, name, json, prev_json FROM lading_changes WHERE rv > ? ORDER BY rv LIMIT ?',
      )
      .raw(true),
    latestRv: db.prepare<[], number | null>('SELECT max(rv) FROM lading_changes').pluck(true),
    firstRvSince: db
      .prepare<[number], number>('SELECT rv FROM lading_changes WHERE time > ? ORDER BY rv LIMIT 1')
      .pluck(true),
    deleteChangesThrough: db.prepare<[number]>('DELETE FROM lading_changes WHERE rv <= ?'),
    compactedRv: db
      .prepare<[], number>("SELECT value FROM lading_meta WHERE key = 'compacted_rv'")
      .pluck(true),
    setCompactedRv: db.prepare<[number]>("UPDATE lading_meta SET value = ? WHERE key = 'compacted_rv'"),
  };
}
