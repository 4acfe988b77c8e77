/** What a database opened read-only offers, and what each dialect's connection implements. */
import type { DatabaseSchema, SqlDialect, SqlExecution } from '../../common/database.js';

export interface ExecuteOptions {
  /** The statement is stopped after this long and the outcome is `{ ok: false, timedOut: true }`. */
  timeoutMs: number;
  /** At most this many rows come back; `truncated` says whether there were more. */
  maxRows: number;
}

/**
 * A database opened read-only. SQL errors and timeouts are outcomes (`ok: false`); only trouble
 * reaching the database (a missing file, a refused connection) throws.
 */
export interface SqlBackend {
  readonly dialect: SqlDialect;
  execute(sql: string, options: ExecuteOptions): Promise<SqlExecution>;
  /** The schema with row counts and samples; cached per database and schema fingerprint. */
  introspect(): Promise<DatabaseSchema>;
  /** A digest of the stored data, to prove that nothing was written. Reads everything: not for every query. */
  checksum(): Promise<string>;
  /** Releases this handle; the shared process or pool stays warm for `keepWarmMs`. */
  close(): Promise<void>;
}

/** What each dialect implements; introspection is built on top of `execute`. */
export type SqlConnection = Omit<SqlBackend, 'introspect'>;
