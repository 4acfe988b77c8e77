import type Database from 'better-sqlite3';
import { openSharedSqlite } from '../shared-sqlite.js';
import {
  newEntry,
  readEntry,
  type CachedResponse,
  type ResponseCache,
  type ResponseCacheClock,
} from './response-cache.js';

export interface SqliteResponseCacheOptions extends ResponseCacheClock {
  /** A database file (created when missing), or `:memory:` for tests. */
  file: string;
}

interface Row {
  entry: string;
  expires_at: number;
}

/**
 * The response cache in one SQLite table. WAL lets readers go on while a writer writes, so the
 * workers of one machine can share the file. Calls are synchronous underneath (better-sqlite3):
 * each is a single indexed statement, far below the latency of the model call it saves.
 * Expired rows are deleted when read and by `purgeExpired`.
 */
export class SqliteResponseCache implements ResponseCache {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly select: Database.Statement<[string], Row>;
  private readonly upsert: Database.Statement<[string, string, string, number, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly removeExpired: Database.Statement<[number]>;

  constructor(options: SqliteResponseCacheOptions) {
    this.now = options.now ?? Date.now;
    this.db = openSharedSqlite(options.file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS response_cache (
        key TEXT PRIMARY KEY,
        model TEXT NOT NULL,
        entry TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS response_cache_expires_at ON response_cache (expires_at);
    `);
    this.select = this.db.prepare<[string], Row>(
      'SELECT entry, expires_at FROM response_cache WHERE key = ?',
    );
    this.upsert = this.db.prepare(
      `INSERT INTO response_cache (key, model, entry, created_at, expires_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET model = excluded.model, entry = excluded.entry,
         created_at = excluded.created_at, expires_at = excluded.expires_at`,
    );
    this.remove = this.db.prepare('DELETE FROM response_cache WHERE key = ?');
    this.removeExpired = this.db.prepare('DELETE FROM response_cache WHERE expires_at <= ?');
  }

  get(key: string): Promise<CachedResponse | undefined> {
    return new Promise((resolve) => {
      const row = this.select.get(key);
      if (!row) return resolve(undefined);
      const entry = row.expires_at > this.now() ? readEntry(row.entry) : undefined;
      if (!entry) this.remove.run(key);
      resolve(entry);
    });
  }

  set(key: string, entry: Parameters<ResponseCache['set']>[1], options: { ttlMs: number }): Promise<void> {
    return new Promise((resolve) => {
      const stored = newEntry(entry, options.ttlMs, this.now());
      this.upsert.run(key, stored.model, JSON.stringify(stored), stored.createdAt, stored.expiresAt);
      resolve();
    });
  }

  delete(key: string): Promise<void> {
    return new Promise((resolve) => {
      this.remove.run(key);
      resolve();
    });
  }

  /** Deletes every expired row; returns how many. Expired rows never answer, this only frees space. */
  purgeExpired(): number {
    return this.removeExpired.run(this.now()).changes;
  }

  /** Rows stored, expired ones included; for tests and reports. */
  size(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM response_cache').get() as { n: number }).n;
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
