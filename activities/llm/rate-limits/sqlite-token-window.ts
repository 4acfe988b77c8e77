import type Database from 'better-sqlite3';
import { openSharedSqlite } from '../shared-sqlite.js';
import { decideTake, tokenWindowMs, type TakeResult, type TokenWindowStore } from './token-window.js';

interface GrantRow {
  at: number;
  tokens: number;
}

/**
 * The token window in a SQLite file: the workers of one machine share it. Each `take` is one
 * IMMEDIATE transaction (read the window, decide, record), so two processes cannot both take the
 * last room; SQLite's busy timeout makes the second wait for the first.
 */
export class SqliteTokenWindow implements TokenWindowStore {
  private readonly db: Database.Database;
  private readonly takeAtomically: (key: string, id: string, tokens: number, limit: number) => TakeResult;
  private readonly update: Database.Statement<[number, string, string]>;

  constructor(options: { file: string; now?: () => number }) {
    const now = options.now ?? Date.now;
    this.db = openSharedSqlite(options.file);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS token_grants (
        key TEXT NOT NULL,
        id TEXT NOT NULL,
        at INTEGER NOT NULL,
        tokens INTEGER NOT NULL,
        PRIMARY KEY (key, id)
      );
      CREATE INDEX IF NOT EXISTS token_grants_key_at ON token_grants (key, at);
    `);
    const expire = this.db.prepare<[string, number]>('DELETE FROM token_grants WHERE key = ? AND at <= ?');
    const used = this.db.prepare<[string], { used: number }>(
      'SELECT COALESCE(SUM(tokens), 0) AS used FROM token_grants WHERE key = ?',
    );
    const window = this.db.prepare<[string], GrantRow>(
      'SELECT at, tokens FROM token_grants WHERE key = ? ORDER BY at',
    );
    const record = this.db.prepare<[string, string, number, number]>(
      `INSERT INTO token_grants (key, id, at, tokens) VALUES (?, ?, ?, ?)
       ON CONFLICT (key, id) DO UPDATE SET at = excluded.at, tokens = excluded.tokens`,
    );
    this.update = this.db.prepare('UPDATE token_grants SET tokens = ? WHERE key = ? AND id = ?');
    const transaction = this.db.transaction((key: string, id: string, tokens: number, limit: number) => {
      const at = now();
      expire.run(key, at - tokenWindowMs);
      // The grants themselves are read only to work out a wait.
      if (used.get(key)!.used + tokens > limit) return decideTake(window.all(key), tokens, limit, at);
      record.run(key, id, at, tokens);
      return { granted: true } as const;
    });
    this.takeAtomically = (...args) => transaction.immediate(...args);
  }

  take(key: string, id: string, tokens: number, limit: number): Promise<TakeResult> {
    return new Promise((resolve) => resolve(this.takeAtomically(key, id, tokens, limit)));
  }

  settle(key: string, id: string, tokens: number): Promise<void> {
    return new Promise((resolve) => {
      this.update.run(tokens, key, id);
      resolve();
    });
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}
