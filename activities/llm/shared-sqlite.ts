import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Opens (or creates, with its folder) a SQLite file that the workers of one machine share: WAL
 * lets readers go on while one writes, and a busy timeout makes a second writer wait for the lock
 * rather than fail.
 */
export function openSharedSqlite(file: string): Database.Database {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** better-sqlite3 is synchronous; the stores' interfaces are not (PostgreSQL's are not): a throw becomes a rejection. */
export function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** Adds to `table` each of `columns` (`name TYPE`) it lacks: a table made by an earlier version keeps its rows. */
export function addMissingColumns(db: Database.Database, table: string, columns: readonly string[]): void {
  const present = new Set(
    (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name),
  );
  for (const column of columns)
    if (!present.has(column.split(' ')[0]!)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
}
