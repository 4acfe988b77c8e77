import type Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { openSharedSqlite } from '../shared-sqlite.js';
import {
  newEntry,
  readEntry,
  type CachedResponse,
  type NewCachedResponse,
  type ResponseCacheClock,
} from './response-cache.js';

/** The nearest stored question to a request's, with its answer. */
export interface SemanticHit {
  entry: CachedResponse;
  /** Cosine similarity of the two questions' embeddings, -1..1. */
  similarity: number;
}

/**
 * Answers stored by the meaning of their question (`semanticLookup`): a request whose question's
 * embedding is near enough to a stored one, under the same context key, may take its answer.
 * Entries expire like the exact cache's; an unreadable entry is a miss.
 */
export interface SemanticCache {
  /** The stored question nearest to `vector` under `contextKey`, unexpired; undefined when none. */
  nearest(contextKey: string, vector: readonly number[]): Promise<SemanticHit | undefined>;
  add(
    contextKey: string,
    vector: readonly number[],
    entry: NewCachedResponse,
    options: { ttlMs: number },
  ): Promise<void>;
  close(): Promise<void>;
}

export interface SqliteSemanticCacheOptions extends ResponseCacheClock {
  /** A database file (created when missing; the response cache's by default), or `:memory:`. */
  file: string;
}

interface Row {
  id: number;
  entry: string;
  distance: number;
}

/**
 * The semantic cache in one SQLite table beside the exact one. A lookup compares the question
 * with every unexpired entry of its context key through sqlite-vec's `vec_distance_cosine`,
 * inside SQLite: one context key (a system prompt and its tools) holds the questions asked of
 * it, thousands rather than millions, which an exact scan answers in milliseconds.
 */
export class SqliteSemanticCache implements SemanticCache {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private readonly select: Database.Statement<[Buffer, string, number], Row>;
  private readonly insert: Database.Statement<[string, Buffer, string, number]>;
  private readonly remove: Database.Statement<[number]>;

  constructor(options: SqliteSemanticCacheOptions) {
    this.now = options.now ?? Date.now;
    this.db = openSharedSqlite(options.file);
    sqliteVec.load(this.db);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS semantic_cache (
        id INTEGER PRIMARY KEY,
        context_key TEXT NOT NULL,
        vector BLOB NOT NULL,
        entry TEXT NOT NULL,
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS semantic_cache_context ON semantic_cache (context_key, expires_at);
    `);
    this.select = this.db.prepare<[Buffer, string, number], Row>(
      `SELECT id, entry, vec_distance_cosine(vector, ?) AS distance FROM semantic_cache
       WHERE context_key = ? AND expires_at > ? ORDER BY distance LIMIT 1`,
    );
    this.insert = this.db.prepare(
      'INSERT INTO semantic_cache (context_key, vector, entry, expires_at) VALUES (?, ?, ?, ?)',
    );
    this.remove = this.db.prepare('DELETE FROM semantic_cache WHERE id = ?');
  }

  nearest(contextKey: string, vector: readonly number[]): Promise<SemanticHit | undefined> {
    return new Promise((resolve) => {
      const row = this.select.get(float32(vector), contextKey, this.now());
      if (!row) return resolve(undefined);
      const entry = readEntry(row.entry);
      if (!entry) {
        this.remove.run(row.id);
        return resolve(undefined);
      }
      resolve({ entry, similarity: 1 - row.distance });
    });
  }

  add(contextKey: string, vector: readonly number[], entry: NewCachedResponse, options: { ttlMs: number }) {
    return new Promise<void>((resolve) => {
      const stored = newEntry(entry, options.ttlMs, this.now());
      this.insert.run(contextKey, float32(vector), JSON.stringify(stored), stored.expiresAt);
      resolve();
    });
  }

  /** Deletes every expired row; returns how many. */
  purgeExpired(): number {
    return this.db.prepare('DELETE FROM semantic_cache WHERE expires_at <= ?').run(this.now()).changes;
  }

  close(): Promise<void> {
    this.db.close();
    return Promise.resolve();
  }
}

const float32 = (vector: readonly number[]): Buffer => Buffer.from(new Float32Array(vector).buffer);
