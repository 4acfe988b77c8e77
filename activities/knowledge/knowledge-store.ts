import type {
  KnowledgeBaseInfo,
  KnowledgeChunk,
  KnowledgeDocument,
  KnowledgeFilter,
  KnowledgeMetadata,
} from '../../common/knowledge.js';

/** A chunk to store: its place in the document's normalised text, its text and its vector. */
export interface ChunkToStore {
  index: number;
  start: number;
  end: number;
  text: string;
  vector: readonly number[];
}

/** One retriever's hit: the chunk and its score (higher is better; scales differ by retriever). */
export interface StoreHit {
  chunk: KnowledgeChunk;
  score: number;
}

/** What a search is narrowed by and how many hits it returns. */
export interface SearchOptions {
  limit: number;
  filter?: KnowledgeFilter | undefined;
}

/**
 * Where knowledge bases live: SQLite (sqlite-vec and FTS5, one file, no server) or PostgreSQL
 * (shared by many workers). Both keep the same rows and answer the same calls, and one contract
 * test runs against both.
 *
 * Contract: every write is one transaction, so a crash leaves a document either wholly old or
 * wholly new; `replaceDocument` is idempotent (the same document twice leaves one copy), so an
 * activity that calls it may be retried. Searches read committed state only.
 */
export interface KnowledgeStore {
  /** Creates the base; creating one that exists with the same model is a no-op, another model an error. */
  createBase(name: string, embedding: { model: string; dimensions: number }): Promise<KnowledgeBaseInfo>;
  /** The base, or undefined when there is none of that name. */
  base(name: string): Promise<KnowledgeBaseInfo | undefined>;
  listBases(): Promise<KnowledgeBaseInfo[]>;
  /** Drops the base and everything in it; false when there was none. */
  dropBase(name: string): Promise<boolean>;
  listDocuments(base: string): Promise<KnowledgeDocument[]>;
  /** A held document's content hash and chunk count, to skip re-adding an unchanged one. */
  heldDocument(base: string, documentId: string): Promise<{ sha256: string; chunks: number } | undefined>;
  /** Puts the document's chunks in place of any it had, in one transaction. */
  replaceDocument(
    base: string,
    document: { id: string; name: string; sha256: string; metadata: KnowledgeMetadata },
    chunks: readonly ChunkToStore[],
  ): Promise<void>;
  /** Removes a document and its chunks; false when there was none. */
  removeDocument(base: string, documentId: string): Promise<boolean>;
  /**
   * Full-text search over the chunks' stemmed words, any of the query's words matching; ranked
   * by BM25 (SQLite) or cover density (PostgreSQL's `ts_rank_cd`), so scores compare only within
   * one store's answer.
   */
  keywordSearch(base: string, query: string, options: SearchOptions): Promise<StoreHit[]>;
  /**
   * Nearest chunks by cosine similarity to `vector` (the score): exact on SQLite, approximate on
   * PostgreSQL (pgvector's HNSW index).
   */
  denseSearch(base: string, vector: readonly number[], options: SearchOptions): Promise<StoreHit[]>;
  /**
   * The vectors of chunks by id, for de-duplication; ids not found are left out. Both stores
   * keep them as given, in single precision.
   */
  vectors(base: string, chunkIds: readonly string[]): Promise<Map<string, number[]>>;
  close(): Promise<void>;
}
