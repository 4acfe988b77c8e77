import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { DatabaseSchema } from '../../common/database.js';
import { introspectWith } from './introspect.js';
import type { SqlBackend, SqlConnection } from './sql-backend.js';
import { createPostgresConnection } from './postgres-backend.js';
import { redactUrl } from '../redact-url.js';
import { checkPostgresUrl, isPostgresUrl } from './postgres-url.js';
import { createSqliteConnection } from './sqlite-backend.js';

export { isPostgresUrl };
export type { ExecuteOptions, SqlBackend } from './sql-backend.js';

export interface OpenDatabaseOptions {
  /** PostgreSQL: a read-only role to `SET LOCAL ROLE` to (the worker's LLMOS_SQL_POSTGRES_ROLE). */
  postgresRole?: string;
  /** How long the SQLite runner process or the pg pool outlives its last handle. Default 60 s. */
  keepWarmMs?: number;
}

const sqliteExtensions = new Set(['.sqlite', '.sqlite3', '.db']);

/** The database name for logs, traces and errors: a URL's password is replaced by `***`. */
export function describeDatabase(database: string): string {
  return isPostgresUrl(database) ? redactUrl(database) : database;
}

async function checkSqliteFile(database: string): Promise<void> {
  const found = await stat(database).catch(() => undefined);
  if (found?.isFile()) return;
  const known = sqliteExtensions.has(path.extname(database).toLowerCase());
  throw new Error(
    found
      ? `not a SQLite file: ${database} is a directory`
      : known
        ? `SQLite database not found: ${database}`
        : `unknown database "${database}": expected an existing SQLite file (.sqlite, .sqlite3, .db) or a postgres:// URL`,
  );
}

interface Shared {
  connection: SqlConnection;
  users: number;
  idleTimer?: NodeJS.Timeout;
}
const shared = new Map<string, Promise<Shared>>();

async function connect(database: string, role: string | undefined): Promise<SqlConnection> {
  if (isPostgresUrl(database)) {
    checkPostgresUrl(database);
    const connection = createPostgresConnection(database, role ? { role } : {});
    // Connect now, so an unreachable server or a wrong database name fails here, naming the URL.
    const probe = await connection
      .execute('SELECT 1', { timeoutMs: 10_000, maxRows: 1 })
      .catch((error: Error) => ({ ok: false as const, error: error.message }));
    if (!probe.ok) {
      await connection.close();
      throw new Error(`cannot open PostgreSQL database ${redactUrl(database)}: ${probe.error}`);
    }
    return connection;
  }
  await checkSqliteFile(database);
  const connection = createSqliteConnection(path.resolve(database));
  // Start the runner now, so a file that is not a database fails here with a clear message.
  await connection.start().catch(async (error: unknown) => {
    await connection.close();
    throw error;
  });
  return connection;
}

/**
 * Opens a database named by a SQLite file path or a postgres:// URL, read-only. Handles on the
 * same database share one warm SQLite runner process or one pg pool, which is closed
 * `keepWarmMs` after the last handle closes, so an activity may open and close per call.
 */
export async function openDatabase(database: string, options: OpenDatabaseOptions = {}): Promise<SqlBackend> {
  const role = isPostgresUrl(database) ? options.postgresRole : undefined;
  const key = `${database}\u0000${role ?? ''}`;
  let pending = shared.get(key);
  if (!pending) {
    pending = connect(database, role || undefined).then((connection) => ({ connection, users: 0 }));
    shared.set(key, pending);
    pending.catch(() => shared.delete(key));
  }
  const entry = await pending;
  entry.users += 1;
  clearTimeout(entry.idleTimer);
  const { connection } = entry;
  let closed = false;
  return {
    dialect: connection.dialect,
    execute: (sql, executeOptions) => connection.execute(sql, executeOptions),
    introspect: () => introspectWith(database, connection),
    checksum: () => connection.checksum(),
    close: async () => {
      if (closed) return;
      closed = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      const keepWarmMs = options.keepWarmMs ?? 60_000;
      const shutDown = async () => {
        if (entry.users > 0 || shared.get(key) !== pending) return;
        shared.delete(key);
        await connection.close();
      };
      if (keepWarmMs <= 0) return shutDown();
      entry.idleTimer = setTimeout(() => void shutDown(), keepWarmMs).unref();
    },
  };
}

/** Closes every shared runner and pool now: for worker shutdown and the end of a test file. */
export async function closeAllDatabases(): Promise<void> {
  const entries = [...shared.values()];
  shared.clear();
  await Promise.all(
    entries.map(async (pending) => {
      const entry = await pending.catch(() => undefined);
      if (!entry) return;
      clearTimeout(entry.idleTimer);
      await entry.connection.close();
    }),
  );
}

/** Opens the database, introspects it (see `introspectWith`) and releases it. */
export async function introspectDatabase(database: string): Promise<DatabaseSchema> {
  const backend = await openDatabase(database);
  try {
    return await backend.introspect();
  } finally {
    await backend.close();
  }
}
