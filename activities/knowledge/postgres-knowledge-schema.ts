/**
 * The text-search configuration of the keyword index: English (Snowball stemming and English stop
 * words), the counterpart of the SQLite store's Porter tokenizer, so "shipping" finds "ship" on
 * both. Unlike FTS5's `remove_diacritics` it keeps accents. Fixed in the generated column:
 * changing it means rebuilding `kb_chunks.words`.
 */
export const textSearchConfig = 'english';

/**
 * The knowledge bases' tables in PostgreSQL, for every base at once (a `base_id` column leads each
 * key), made idempotently at open:
 *
 * - `kb_chunks.words` is a generated `tsvector` with a GIN index: the keyword retriever.
 * - `kb_chunks.embedding` is a `real[]` scaled to length 1 on insert (pgvector is not assumed),
 *   kept in the row (`STORAGE MAIN`) rather than moved to TOAST, which a scan would read back
 *   row by row. `kb_dot` is the dot product, which for such vectors is their cosine similarity:
 *   the two arrays unnested side by side in the select list (a ProjectSet, which measured nearly
 *   twice as fast as `unnest(a, b)` in FROM, and faster than a PL/pgSQL loop), summed in double
 *   precision (summing in `real` was no faster). Its COST tells the planner it is expensive,
 *   so a large base is scanned in parallel.
 * - The filter fields are columns of `kb_chunks`, so a filtered search narrows in its WHERE
 *   before ranking and still returns its `k` hits.
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
    embedding real[] NOT NULL,
    product text,
    language text,
    source text,
    version text,
    updated_at text,
    PRIMARY KEY (base_id, document_id, chunk_index),
    FOREIGN KEY (base_id, document_id) REFERENCES kb_documents (base_id, id) ON DELETE CASCADE
  );
  CREATE INDEX IF NOT EXISTS kb_chunks_words ON kb_chunks USING gin (words);
  DO $$ BEGIN
    -- Only once: ALTER TABLE would otherwise lock the table at every open.
    IF (SELECT attstorage FROM pg_attribute
        WHERE attrelid = 'kb_chunks'::regclass AND attname = 'embedding') <> 'm' THEN
      ALTER TABLE kb_chunks ALTER COLUMN embedding SET STORAGE MAIN;
    END IF;
  END $$;
  CREATE OR REPLACE FUNCTION kb_dot(a real[], b real[]) RETURNS double precision
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 1000
    AS $$ SELECT sum(x::double precision * y) FROM (SELECT unnest(a) AS x, unnest(b) AS y) AS pairs $$;
`;
