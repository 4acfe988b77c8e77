import { createHash } from 'node:crypto';
import { openSharedSqlite } from '../shared-sqlite.js';

/**
 * Vectors already computed, by model and text: an embedding model gives the same vector for the
 * same text, so a text re-added, or a chunk that did not change, is never paid for twice.
 */
export interface EmbeddingCache {
  /** The vectors found, by key (`embeddingKey`). */
  get(keys: readonly string[]): Promise<Map<string, number[]>>;
  set(entries: readonly { key: string; vector: readonly number[] }[]): Promise<void>;
  close(): Promise<void>;
}

/** A text's key for one model: the SHA-256 of both, so the cache holds no text. */
export const embeddingKey = (model: string, text: string): string =>
  createHash('sha256').update(model).update('\0').update(text).digest('hex');

/**
 * The cache in a SQLite file (the response cache's, `LLMOS_CACHE_FILE`), vectors as float32
 * blobs: the precision the models compute in. Entries never expire: a model name is one model.
 */
export function openSqliteEmbeddingCache(file: string): EmbeddingCache {
  const db = openSharedSqlite(file);
  db.exec('CREATE TABLE IF NOT EXISTS embedding_cache (key TEXT PRIMARY KEY, vector BLOB NOT NULL)');
  const select = db.prepare<[string], { vector: Buffer }>('SELECT vector FROM embedding_cache WHERE key = ?');
  const insert = db.prepare('INSERT OR IGNORE INTO embedding_cache (key, vector) VALUES (?, ?)');
  const insertAll = db.transaction((entries: readonly { key: string; vector: readonly number[] }[]) => {
    for (const { key, vector } of entries) insert.run(key, Buffer.from(new Float32Array(vector).buffer));
  });
  return {
    get(keys) {
      const found = new Map<string, number[]>();
      for (const key of keys) {
        const row = select.get(key);
        if (row)
          found.set(key, [
            ...new Float32Array(row.vector.buffer, row.vector.byteOffset, row.vector.length / 4),
          ]);
      }
      return Promise.resolve(found);
    },
    set(entries) {
      insertAll(entries);
      return Promise.resolve();
    },
    close() {
      db.close();
      return Promise.resolve();
    },
  };
}
