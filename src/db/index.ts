/** The object store: one `Store` interface, SQLite and PostgreSQL backends, leader election. */
export type * from './store.js';
export { openStore, type StoreWithElection } from './open-store.js';
export { SqliteStore } from './sqlite-store.js';
export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export {
  PostgresLeaderElector,
  createPostgresLeaderElector,
  type PostgresLeaderElectorOptions,
} from './postgres-leader.js';
export { createLocalLeaderElector } from './local-leader.js';
