/**
 * PostgreSQL schema and migrations. Tables and functions are created in the first schema of the
 * connection's `search_path` (so `?options=-c search_path=lading` in the URL puts Lading in its own
 * schema). The schema version is the `schema_version` row of `lading_meta`. Replicas starting
 * together migrate one at a time under a transaction-scoped advisory lock; a replica that finds the
 * schema current does one query and no locking.
 *
 * JSON is stored as `text`, never `jsonb`: jsonb reorders keys and the API must return objects as
 * they were written. Key columns are `COLLATE "C"` so that list order is byte order, as in SQLite.
 */
import type { ClientBase } from 'pg';

/** Advisory lock (class, key) serializing migrations across replicas. */
const MIGRATION_LOCK = [0x4c44, 0x6d696772] as const;

/**
 * Every write runs as one statement calling one of these functions (one round trip, autocommit).
 * Each starts by taking the next rv with `UPDATE lading_meta … RETURNING`: that row lock is held
 * until commit, so writers serialize on it and commit in rv order, and a transaction becomes
 * visible before it releases the lock. A change-feed reader that sees rv n therefore already sees
 * every rv below n; consumers can safely read `rv > lastSeen`. A failed write raises, which rolls
 * back its rv increment too: the sequence has no holes. Error codes: LD404 not found, LD409
 * already exists, LD412 resourceVersion mismatch.
 */
const WRITE_FUNCTIONS = `
CREATE OR REPLACE FUNCTION lading_create(
  p_resource text, p_namespace text, p_name text, p_prefix text, p_suffix text, p_owners text[]
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_rv bigint;
  v_json text;
BEGIN
  UPDATE lading_meta SET value = value + 1 WHERE key = 'rv' RETURNING value INTO v_rv;
  v_json := p_prefix || v_rv || p_suffix;
  INSERT INTO lading_objects (resource, namespace, name, rv, json)
    VALUES (p_resource, p_namespace, p_name, v_rv, v_json) ON CONFLICT DO NOTHING;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'object exists' USING ERRCODE = 'LD409';
  END IF;
  INSERT INTO lading_changes (rv, type, resource, namespace, name, json, prev_rv, prev_json, time)
    VALUES (v_rv, 'ADDED', p_resource, p_namespace, p_name, v_json, NULL, NULL,
            (extract(epoch FROM now()) * 1000)::bigint);
  IF cardinality(p_owners) > 0 THEN
    INSERT INTO lading_owner_refs (owner_uid, resource, namespace, name)
      SELECT DISTINCT u, p_resource, p_namespace, p_name FROM unnest(p_owners) AS u;
  END IF;
  PERFORM pg_notify('lading_changes', v_rv::text);
  RETURN v_rv;
END $$;

CREATE OR REPLACE FUNCTION lading_update(
  p_resource text, p_namespace text, p_name text, p_prefix text, p_suffix text, p_owners text[],
  p_expected bigint
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_rv bigint;
  v_json text;
  v_old_rv bigint;
  v_old_json text;
BEGIN
  UPDATE lading_meta SET value = value + 1 WHERE key = 'rv' RETURNING value INTO v_rv;
  -- No FOR UPDATE needed: every writer holds the rv lock, and this statement's snapshot is newer
  -- than the commit of the writer before.
  SELECT rv, json INTO v_old_rv, v_old_json FROM lading_objects
    WHERE resource = p_resource AND namespace = p_namespace AND name = p_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'object not found' USING ERRCODE = 'LD404';
  END IF;
  IF p_expected IS NOT NULL AND v_old_rv <> p_expected THEN
    RAISE EXCEPTION 'resourceVersion mismatch' USING ERRCODE = 'LD412';
  END IF;
  v_json := p_prefix || v_rv || p_suffix;
  UPDATE lading_objects SET rv = v_rv, json = v_json
    WHERE resource = p_resource AND namespace = p_namespace AND name = p_name;
  INSERT INTO lading_changes (rv, type, resource, namespace, name, json, prev_rv, prev_json, time)
    VALUES (v_rv, 'MODIFIED', p_resource, p_namespace, p_name, v_json, v_old_rv, v_old_json,
            (extract(epoch FROM now()) * 1000)::bigint);
  DELETE FROM lading_owner_refs WHERE resource = p_resource AND namespace = p_namespace AND name = p_name;
  IF cardinality(p_owners) > 0 THEN
    INSERT INTO lading_owner_refs (owner_uid, resource, namespace, name)
      SELECT DISTINCT u, p_resource, p_namespace, p_name FROM unnest(p_owners) AS u;
  END IF;
  PERFORM pg_notify('lading_changes', v_rv::text);
  RETURN v_rv;
END $$;

CREATE OR REPLACE FUNCTION lading_delete(
  p_resource text, p_namespace text, p_name text, p_prefix text, p_suffix text, p_expected bigint
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_rv bigint;
  v_json text;
  v_old_rv bigint;
  v_old_json text;
BEGIN
  UPDATE lading_meta SET value = value + 1 WHERE key = 'rv' RETURNING value INTO v_rv;
  DELETE FROM lading_objects WHERE resource = p_resource AND namespace = p_namespace AND name = p_name
    RETURNING rv, json INTO v_old_rv, v_old_json;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'object not found' USING ERRCODE = 'LD404';
  END IF;
  IF p_expected IS NOT NULL AND v_old_rv <> p_expected THEN
    RAISE EXCEPTION 'resourceVersion mismatch' USING ERRCODE = 'LD412';
  END IF;
  v_json := p_prefix || v_rv || p_suffix;
  INSERT INTO lading_changes (rv, type, resource, namespace, name, json, prev_rv, prev_json, time)
    VALUES (v_rv, 'DELETED', p_resource, p_namespace, p_name, v_json, v_old_rv, v_old_json,
            (extract(epoch FROM now()) * 1000)::bigint);
  DELETE FROM lading_owner_refs WHERE resource = p_resource AND namespace = p_namespace AND name = p_name;
  PERFORM pg_notify('lading_changes', v_rv::text);
  RETURN v_rv;
END $$;

-- Deletes the changes up to the first one younger than p_older_than_ms (keeping the newest) and
-- records the compacted-through rv in the same transaction. Returns the compacted-through rv.
CREATE OR REPLACE FUNCTION lading_compact(p_older_than_ms bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  v_cutoff bigint := (extract(epoch FROM now()) * 1000)::bigint - p_older_than_ms;
  v_newest bigint;
  v_through bigint;
BEGIN
  SELECT max(rv) INTO v_newest FROM lading_changes;
  IF v_newest IS NULL THEN
    RETURN (SELECT value FROM lading_meta WHERE key = 'compacted_rv');
  END IF;
  -- Walks the oldest rows only: proportional to what gets deleted.
  SELECT rv - 1 INTO v_through FROM lading_changes WHERE time > v_cutoff ORDER BY rv LIMIT 1;
  v_through := least(coalesce(v_through, v_newest), v_newest - 1);
  UPDATE lading_meta SET value = greatest(value, v_through) WHERE key = 'compacted_rv'
    RETURNING value INTO v_through;
  DELETE FROM lading_changes WHERE rv <= v_through;
  RETURN v_through;
END $$;
`;

/**
 * Migration n (0-based) brings the schema from version n to n+1. Append only; never edit a
 * released step (functions are replaced by a later step with CREATE OR REPLACE).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE lading_objects (
    resource text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    rv bigint NOT NULL,
    json text NOT NULL,
    PRIMARY KEY (resource, namespace, name)
  );
  CREATE TABLE lading_changes (
    rv bigint PRIMARY KEY,
    type text NOT NULL,
    resource text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    json text NOT NULL,
    prev_rv bigint,
    prev_json text,
    time bigint NOT NULL
  );
  CREATE TABLE lading_owner_refs (
    owner_uid text COLLATE "C" NOT NULL,
    resource text COLLATE "C" NOT NULL,
    namespace text COLLATE "C" NOT NULL,
    name text COLLATE "C" NOT NULL,
    PRIMARY KEY (owner_uid, resource, namespace, name)
  );
  CREATE INDEX lading_owner_refs_by_key ON lading_owner_refs (resource, namespace, name);
  INSERT INTO lading_meta (key, value) VALUES ('rv', 0), ('compacted_rv', 0);
  ${WRITE_FUNCTIONS}
  `,
];

export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to the current schema. Throws if it was written by a newer Lading. */
export async function migratePostgres(client: ClientBase): Promise<void> {
  const version = await schemaVersion(client);
  if (version === MIGRATIONS.length) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS lading_meta (key text PRIMARY KEY, value bigint NOT NULL)',
    );
    await client.query(
      "INSERT INTO lading_meta (key, value) VALUES ('schema_version', 0) ON CONFLICT DO NOTHING",
    );
    // Read again under the lock: another replica may have migrated meanwhile.
    const locked = (await schemaVersion(client)) ?? 0;
    if (locked > MIGRATIONS.length) {
      throw new Error(
        `database schema version ${locked} is newer than this Lading supports (${MIGRATIONS.length}); upgrade Lading`,
      );
    }
    for (let step = locked; step < MIGRATIONS.length; step++) {
      await client.query(MIGRATIONS[step] as string);
    }
    await client.query("UPDATE lading_meta SET value = $1 WHERE key = 'schema_version'", [MIGRATIONS.length]);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** The recorded schema version; undefined when Lading's tables do not exist yet. */
async function schemaVersion(client: ClientBase): Promise<number | undefined> {
  const table = await client.query<{ exists: boolean }>(
    "SELECT to_regclass('lading_meta') IS NOT NULL AS exists",
  );
  if (table.rows[0]?.exists !== true) return undefined;
  const row = await client.query<{ value: string }>(
    "SELECT value FROM lading_meta WHERE key = 'schema_version'",
  );
  return row.rows[0] === undefined ? undefined : Number(row.rows[0].value);
}
