/**
 * SQLite schema and migrations. The schema version is `PRAGMA user_version`; each migration runs
 * once, in its own transaction, so opening an up-to-date database does no work (no table scans).
 */
import type { Database } from 'better-sqlite3';

/**
 * Migration n (0-based) brings the schema from version n to n+1. Append only; never edit a
 * released step.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE lading_meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO lading_meta (key, value) VALUES ('compacted_rv', 0);

  -- WITHOUT ROWID: a list is one range scan of the primary key with the JSON in the same b-tree
  -- (no second lookup per row). Rows up to ~2 KB stay inline with 8 KiB pages (see openDatabase).
  CREATE TABLE lading_objects (
    resource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    rv INTEGER NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (resource, namespace, name)
  ) WITHOUT ROWID;

  -- rv is the rowid: appends are at the end of the b-tree and max(rv) is one seek.
  CREATE TABLE lading_changes (
    rv INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    resource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    prev_rv INTEGER,
    prev_json TEXT,
    time INTEGER NOT NULL
  );

  CREATE TABLE lading_owner_refs (
    owner_uid TEXT NOT NULL,
    resource TEXT NOT NULL,
    namespace TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (owner_uid, resource, namespace, name)
  ) WITHOUT ROWID;
  CREATE INDEX lading_owner_refs_by_key ON lading_owner_refs (resource, namespace, name);
  `,
];

export const SQLITE_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings the database to the current schema. Throws if the database was written by a newer
 * Lading (downgrades are not supported).
 */
export function migrateSqlite(db: Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `database schema version ${current} is newer than this Lading supports (${MIGRATIONS.length}); upgrade Lading`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version] as string;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
