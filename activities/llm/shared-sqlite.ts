import Database from 'better-sqlite3';

/**
 * Opens (or creates) a SQLite file that the workers of one machine share: WAL lets readers go on
 * while one writes, and a busy timeout makes a second writer wait for the lock rather than fail.
 */
export function openSharedSqlite(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}
