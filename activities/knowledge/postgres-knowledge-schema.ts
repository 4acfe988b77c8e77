/**
 * The text-search configuration of the keyword index: English (Snowball stemming and English stop
 * words), the counterpart of the SQLite store's Porter tokenizer, so "shipping" finds "ship" on
 * both. Unlike FTS5's `remove_diacritics` it keeps accents. Fixed in the generated column:
 * changing it means rebuilding `kb_chunks.words`.
 */
export const textSearchConfig = 'english';

/**
 * The knowledge bases' tables in PostgreSQL, for every base at once (a `base_id` column leads each
 * key), made idempotently at open, after the `vector` extension (pgvector):
 *
 * - `kb_chunks.words` is a generated `tsvector` with a GIN index: the keyword retriever.
 * - `kb_chunks.embedding` is a pgvector `vector` of no fixed length, since bases embed with
 *   different models; the vectors are kept as given (in single precision). Each base has its own
 *   HNSW index over its rows, made by `baseIndexSql` with the base and dropped with it.
 * - The filter fields are columns of `kb_chunks`, so a filtered search narrows in its WHERE.
 */
export const knowledgeSchemaSql = `
  CREATE TABLE IF NOT EXISTS kb_bases (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL UNIQUE,
    embedding_model text NOT NULL,
    dimensions integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE IF NOT EXISTS kb_documents (
    base_id integer NOT NULL REFERENCES kb_bases (id) ON DELETE CASCADE,
    id text NOT NULL,
    name text NOT NULL,
    sha256 text NOT NULL,
    metadata jsonb NOT NULL,
    PRIMARY KEY (base_id, id)
  );
  CREATE TABLE IF NOT EXISTS kb_chunks (
    base_id integer NOT NULL,
    document_id text NOT NULL,
    chunk_index integer NOT NULL,
    start_offset integer NOT NULL,
    end_offset integer NOT NULL,
    text text NOT NULL,
    words tsvector GENERATED ALWAYS AS (to_tsvector('${textSearchConfig}', text)) STORED,
    embedding vector NOT NULL,
    product text,
    language text,
    source text,
    version text,
    updated_at text,
    PRIMARY KEY (base_id, document_id, chunk_index),
    FOREIGN KEY (base_id, document_id) REFERENCES kb_documents (base_id, id) ON DELETE CASCADE
  );
  CREATE INDEX IF NOT EXISTS kb_chunks_words ON kb_chunks USING gin (words);
  -- A base's HNSW index left behind by a drop cut short between its two steps (see dropBase).
  DO $$ DECLARE orphan regclass; BEGIN
    FOR orphan IN SELECT i.indexrelid::regclass FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
        WHERE i.indrelid = 'kb_chunks'::regclass AND x.relname ~ '^kb_chunks_embedding_[0-9]+$'
          AND NOT EXISTS (SELECT 1 FROM kb_bases b WHERE x.relname = 'kb_chunks_embedding_' || b.id) LOOP
      EXECUTE format('DROP INDEX %s', orphan);
    END LOOP;
  END $$;
`;

/**
 * The most dimensions an HNSW index takes: 2,000 as `vector`, 4,000 as `halfvec` (half
 * precision), so a base of more than 2,000 (3,072 for text-embedding-3-large) is indexed and
 * searched in half precision.
 */
export const maxIndexedDimensions = 4000;

/**
 * The base's vectors as its index holds them: `embedding` cast to the base's fixed length (an
 * HNSW index needs one), as `vector` up to 2,000 dimensions and `halfvec` above. A dense search
 * orders by this same expression `<=>` the query, and says `base_id = <id>`, so the planner can
 * use the base's partial index.
 */
export function indexedEmbedding(
  dimensions: number,
  column = 'embedding',
): { expression: string; type: string } {
  const type = dimensions <= 2000 ? 'vector' : 'halfvec';
  return { expression: `(${column}::${type}(${dimensions}))`, type };
}

/** The name of the base's HNSW index: from its id, as base names are any text. */
export const baseIndexName = (baseId: number): string => `kb_chunks_embedding_${baseId}`;

/**
 * The base's HNSW index (cosine distance) over its rows only (a partial index, `WHERE base_id`),
 * made with the base and dropped with it. Built as rows come in, so a new chunk is searchable at
 * once; pgvector's defaults (m 16, ef_construction 64).
 */
export function baseIndexSql(baseId: number, dimensions: number): string {
  const { expression, type } = indexedEmbedding(dimensions);
  return `CREATE INDEX IF NOT EXISTS ${baseIndexName(baseId)} ON kb_chunks
    USING hnsw (${expression} ${type}_cosine_ops) WHERE base_id = ${baseId}`;
}
