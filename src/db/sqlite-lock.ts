/**
 * Ownership of a SQLite database file by one store. The owner holds an EXCLUSIVE transaction open on
 * a companion file `<db>.lock` (an empty SQLite database). The lock is an OS file lock, so it is
 * released when the process exits, however it exits: there is never a stale lock to clean up.
 * Readers of the main file (e.g. the `sqlite3` shell for a backup) are not blocked.
 */
import Database from 'better-sqlite3';
import { InternalError } from '../apimachinery/index.js';

export class SqliteFileLock {
  private constructor(private readonly lockDb: Database.Database) {}

  /** Takes the lock for `dbPath` or throws at once (no waiting) if another store holds it. */
  static acquire(dbPath: string): SqliteFileLock {
    const lockPath = `${dbPath}.lock`;
    let lockDb: Database.Database | undefined;
    try {
      lockDb = new Database(lockPath, { timeout: 0 });
      lockDb.exec('BEGIN EXCLUSIVE');
      return new SqliteFileLock(lockDb);
    } catch (err) {
      lockDb?.close();
      const busy = (err as { code?: unknown }).code === 'SQLITE_BUSY';
      throw new InternalError(
        busy
          ? `database "${dbPath}" is in use by another Lading process (lock "${lockPath}"); ` +
              'stop that process or use another data directory'
          : `cannot lock database "${dbPath}" (lock "${lockPath}"): ${(err as Error).message}`,
        { cause: err },
      );
    }
  }

  release(): void {
    if (!this.lockDb.open) return;
    this.lockDb.exec('ROLLBACK');
    this.lockDb.close();
  }
}
