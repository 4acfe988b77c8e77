import type pg from 'pg';
import {
  KnowledgeMetadataSchema,
  chunkId,
  type KnowledgeBaseInfo,
  type KnowledgeFilter,
} from '../../common/knowledge.js';
import { inLockedTransaction, openStorePool, postgresWhere, schemaOnce } from '../audit/postgres-store.js';
import { chunkFieldValues, chunkFromRow, filterSql, type ChunkRow } from './chunk-rows.js';
import type { KnowledgeStore, SearchOptions, StoreHit } from './knowledge-store.js';
import {
  baseIndexName,
  baseIndexSql,
  indexedEmbedding,
  knowledgeSchemaSql,
  maxIndexedDimensions,
  textSearchConfig,
} from './postgres-knowledge-schema.js';
import { parseChunkId, tsQuery } from './search-text.js';
import { checkChunkVectors, checkQueryVector, checkSameEmbedding, noSuchBase } from './store-checks.js';

/** Creates pgvector's `vector` extension in the database unless it is there, or says plainly why it cannot. */
async function createVectorExtension(client: pg.PoolClient, where: string): Promise<void> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (error) {
    const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
    if (available.rowCount === 0)
      throw new Error(
        `PostgreSQL at ${where} has no pgvector extension: the knowledge store keeps its vectors in pgvector's vector type and searches them with its HNSW index; install pgvector on the server (the pgvector/pgvector:pg16 image has it)`,
        { cause: error },
      );
    throw new Error(
      `PostgreSQL at ${where} has pgvector, but its vector extension is not in this database and could not be made (${(error as Error).message}): run CREATE EXTENSION vector there once as a superuser`,
      { cause: error },
    );
  }
}

/** Throws unless pgvector's HNSW index can hold the base's vectors. */
function checkIndexable(name: string, embedding: { model: string; dimensions: number }): void {
  const { dimensions } = embedding;
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > maxIndexedDimensions)
    throw new Error(
      `knowledge base "${name}" cannot embed with ${embedding.model} (${dimensions} dimensions) on PostgreSQL: pgvector's HNSW index holds 1 to ${maxIndexedDimensions} dimensions`,
    );
}

/**
 * The candidates HNSW keeps while searching (`hnsw.ef_search`): 400, or twice the hits asked
 * for, up to pgvector's most, 1,000; past that, and when a filter leaves too few, the iterative
 * scan goes on for more. pgvector's default, 40, found 91% of the exact top 10 at 100,000
 * clustered chunks of 384 dimensions, 400 found 99.7% (95% and 99.9% with a filter keeping a
 * tenth), at some 3.5 ms against 2.5.
 */
const efSearch = (limit: number) => Math.min(1000, Math.max(400, 2 * limit));

type BaseRow = { id: number; name: string; embedding_model: string; dimensions: number };
const info = (row: BaseRow & { documents: number; chunks: number }): KnowledgeBaseInfo => ({
  name: row.name,
  embeddingModel: row.embedding_model,
  dimensions: row.dimensions,
  documents: row.documents,
  chunks: row.chunks,
});
const infoSql = `SELECT b.id, b.name, b.embedding_model, b.dimensions,
    (SELECT count(*) FROM kb_documents d WHERE d.base_id = b.id)::integer AS documents,
    (SELECT count(*) FROM kb_chunks c WHERE c.base_id = b.id)::integer AS chunks
  FROM kb_bases b`;
const chunkColumns =
  'c.document_id, c.chunk_index, c.start_offset, c.end_offset, c.text, c.product, c.language, c.source, c.version, c.updated_at';

/**
 * The dense search of a base: its chunks that pass the filter, nearest the query ($1, pgvector's
 * text form) first, as many as $2; the filter's values follow from $3. The base's id and length
 * are written out, not parameters, so the planner sees that the base's partial HNSW index applies
 * (its expression and its `WHERE base_id`). The relaxed iterative scan may hand hits back slightly
 * out of order: the outer query puts them in order, ties in document order.
 */
export function denseSearchSql(
  base: { id: number; dimensions: number },
  filter: KnowledgeFilter | undefined,
): { sql: string; values: string[] } {
  const { expression, type } = indexedEmbedding(base.dimensions, 'c.embedding');
  const where = filterSql(
    filter,
    (field) => `c.${field}`,
    (index) => `$${index + 3}`,
  );
  const sql = `SELECT *, 1 - distance AS score FROM (
      SELECT ${chunkColumns}, ${expression} <=> $1::${type} AS distance FROM kb_chunks c
      WHERE c.base_id = ${base.id}${where.sql}
      ORDER BY distance LIMIT $2
    ) AS nearest ORDER BY distance, document_id, chunk_index`;
  return { sql, values: where.values };
}

/**
 * The server-class store (LLMOS_KNOWLEDGE_POSTGRES_URL), shared by workers on several machines:
 * the same rows as the SQLite store, every base in one set of `kb_` tables (see
 * `knowledgeSchemaSql`). Keyword search ranks by `ts_rank_cd`, cover density (how many of the
 * query's words a chunk holds, and how close together), not BM25: it weighs every word alike
 * however common. Hybrid search fuses ranks, not scores, so the scale does not matter.
 *
 * Dense search needs pgvector (the `vector` extension, created at open): each base has an HNSW
 * index of cosine distance over its rows, so a search is approximate, as SQLite's exact one is
 * not, and its time grows slowly with the base. A filtered search lets pgvector's iterative scan
 * (`hnsw.iterative_scan = relaxed_order`) go on past the chunks the filter drops until it has `k`
 * hits, or has looked at `hnsw.max_scan_tuples` (20,000 by default); a filter so narrow that the
 * planner expects few rows is answered by an exact scan of them instead. At 10,000 clustered
 * chunks of 384 dimensions on two shared cores a top 10 took some 15 ms at the median, where the
 * exact scan in SQL it replaced took 320; at 100,000, 7 ms against 2.5 s. Each row added costs
 * about a millisecond more for the index. `vectors` gives the vectors as stored (in single
 * precision).
 *
 * A document's writes hold a transaction-scoped advisory lock on it, so two workers adding the
 * same document take turns and leave one copy.
 */
export function openPostgresKnowledgeStore(url: string): KnowledgeStore {
  const pool = openStorePool(url);
  const where = postgresWhere(url);
  const ensureSchema = schemaOnce(pool, 'kb_schema', async (client) => {
    await createVectorExtension(client, where);
    await client.query(knowledgeSchemaSql);
  });
  const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []) => {
    await ensureSchema();
    return (await pool.query<Row>(sql, values)).rows;
  };
  const requireBase = async (name: string): Promise<BaseRow> => {
    const [row] = await query<BaseRow>(
      'SELECT id, name, embedding_model, dimensions FROM kb_bases WHERE name = $1',
      [name],
    );
    if (!row) throw noSuchBase(name);
    return row;
  };
  const baseInfo = async (name: string) =>
    (
      await query<BaseRow & { documents: number; chunks: number }>(`${infoSql} WHERE b.name = $1`, [name])
    ).map(info)[0];
  /**
   * The base's chunks that `retriever.match` keeps and the filter lets through, best `score`
   * first, ties in document order: $1 is the base, $2 the query, $3 the limit, the filter's from $4.
   */
  const search = async (
    base: BaseRow,
    options: SearchOptions,
    retriever: { from: string; match: string; score: string; query: unknown },
  ): Promise<StoreHit[]> => {
    const filter = filterSql(
      options.filter,
      (field) => `c.${field}`,
      (index) => `$${index + 4}`,
    );
    const rows = await query<ChunkRow & { score: number }>(
      `SELECT ${chunkColumns}, ${retriever.score} AS score FROM ${retriever.from}
       WHERE c.base_id = $1 AND ${retriever.match}${filter.sql}
       ORDER BY score DESC, c.document_id, c.chunk_index LIMIT $3`,
      [base.id, retriever.query, options.limit, ...filter.values],
    );
    return rows.map((row) => ({ chunk: chunkFromRow(row), score: row.score }));
  };

  return {
    async createBase(name, embedding) {
      await ensureSchema();
      // The base and its index in one transaction, one creator of a name at a time.
      await inLockedTransaction(pool, `kb_base:${name}`, async (client) => {
        const {
          rows: [existing],
        } = await client.query<BaseRow>(
          'SELECT id, name, embedding_model, dimensions FROM kb_bases WHERE name = $1',
          [name],
        );
        if (existing) {
          checkSameEmbedding(
            name,
            { model: existing.embedding_model, dimensions: existing.dimensions },
            embedding,
          );
          return;
        }
        checkIndexable(name, embedding);
        const {
          rows: [made],
        } = await client.query<{ id: number }>(
          'INSERT INTO kb_bases (name, embedding_model, dimensions) VALUES ($1, $2, $3) RETURNING id',
          [name, embedding.model, embedding.dimensions],
        );
        await client.query(baseIndexSql(made!.id, embedding.dimensions));
      });
      const created = await baseInfo(name);
      if (!created) throw noSuchBase(name); // dropped since
      return created;
    },

    base: baseInfo,

    async listBases() {
      return (
        await query<BaseRow & { documents: number; chunks: number }>(`${infoSql} ORDER BY b.name COLLATE "C"`)
      ).map(info);
    },

    async dropBase(name) {
      await ensureSchema();
      // The documents and their chunks go with it (ON DELETE CASCADE), in the same statement.
      const id = await inLockedTransaction(pool, `kb_base:${name}`, async (client) => {
        const { rows } = await client.query<{ id: number }>(
          'DELETE FROM kb_bases WHERE name = $1 RETURNING id',
          [name],
        );
        return rows[0]?.id;
      });
      if (id === undefined) return false;
      // Then its index, now over no rows, without locking other bases' searches and writes out
      // while it goes (a plain DROP INDEX would); ids are never reused, so none can take its name.
      await pool.query(`DROP INDEX CONCURRENTLY IF EXISTS ${baseIndexName(id)}`);
      return true;
    },

    async listDocuments(name) {
      const base = await requireBase(name);
      const rows = await query<{
        id: string;
        name: string;
        sha256: string;
        metadata: unknown;
        chunks: number;
      }>(
        `SELECT d.id, d.name, d.sha256, d.metadata,
           (SELECT count(*) FROM kb_chunks c WHERE c.base_id = d.base_id AND c.document_id = d.id)::integer AS chunks
         FROM kb_documents d WHERE d.base_id = $1 ORDER BY d.id COLLATE "C"`,
        [base.id],
      );
      return rows.map((row) => ({ ...row, metadata: KnowledgeMetadataSchema.parse(row.metadata) }));
    },

    async heldDocument(name, documentId) {
      const base = await requireBase(name);
      const [row] = await query<{ sha256: string; chunks: number }>(
        `SELECT d.sha256,
           (SELECT count(*) FROM kb_chunks c WHERE c.base_id = d.base_id AND c.document_id = d.id)::integer AS chunks
         FROM kb_documents d WHERE d.base_id = $1 AND d.id = $2`,
        [base.id, documentId],
      );
      return row;
    },

    async replaceDocument(name, document, chunks) {
      const base = await requireBase(name);
      checkChunkVectors(name, base.dimensions, document.id, chunks);
      const rows = chunks.map((chunk) => ({
        index: chunk.index,
        start: chunk.start,
        end: chunk.end,
        text: chunk.text,
        vector: chunk.vector,
      }));
      await inLockedTransaction(pool, `kb_document:${base.id}:${document.id}`, async (client) => {
        await client.query('DELETE FROM kb_chunks WHERE base_id = $1 AND document_id = $2', [
          base.id,
          document.id,
        ]);
        await client.query(
          `INSERT INTO kb_documents (base_id, id, name, sha256, metadata) VALUES ($1, $2, $3, $4, $5::jsonb)
           ON CONFLICT (base_id, id) DO UPDATE SET name = excluded.name, sha256 = excluded.sha256, metadata = excluded.metadata`,
          [base.id, document.id, document.name, document.sha256, JSON.stringify(document.metadata)],
        );
        // One statement for every chunk: the rows travel as one JSON array.
        await client.query(
          `INSERT INTO kb_chunks (base_id, document_id, chunk_index, start_offset, end_offset, text, embedding,
             product, language, source, version, updated_at)
           SELECT $1, $2, c."index", c."start", c."end", c.text, c.vector::vector, $4, $5, $6, $7, $8
           FROM jsonb_to_recordset($3::jsonb) AS c("index" integer, "start" integer, "end" integer, text text, vector real[])`,
          [base.id, document.id, JSON.stringify(rows), ...chunkFieldValues(document.metadata)],
        );
      });
    },

    async removeDocument(name, documentId) {
      const base = await requireBase(name);
      return inLockedTransaction(pool, `kb_document:${base.id}:${documentId}`, async (client) => {
        // Its chunks go with it (ON DELETE CASCADE).
        const { rowCount } = await client.query('DELETE FROM kb_documents WHERE base_id = $1 AND id = $2', [
          base.id,
          documentId,
        ]);
        return (rowCount ?? 0) > 0;
      });
    },

    async keywordSearch(name, text, options) {
      const base = await requireBase(name);
      const match = tsQuery(text);
      if (!match) return [];
      return search(base, options, {
        from: `kb_chunks c, to_tsquery('${textSearchConfig}', $2) AS q`,
        match: 'c.words @@ q',
        score: 'ts_rank_cd(c.words, q)',
        query: match,
      });
    },

    async denseSearch(name, vector, options) {
      const base = await requireBase(name);
      checkQueryVector(name, base.dimensions, vector);
      // A zero vector has no direction, so no cosine: nothing is nearer to it than anything else.
      if (vector.every((value) => value === 0)) return [];
      const { sql, values } = denseSearchSql(base, options.filter);
      const client = await pool.connect();
      try {
        await client.query('BEGIN READ ONLY');
        await client.query(
          "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)",
          [String(efSearch(options.limit))],
        );
        const { rows } = await client.query<ChunkRow & { score: number }>(sql, [
          JSON.stringify(vector),
          options.limit,
          ...values,
        ]);
        await client.query('COMMIT');
        return rows.map((row) => ({ chunk: chunkFromRow(row), score: row.score }));
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },

    async vectors(name, chunkIds) {
      const base = await requireBase(name);
      const wanted = chunkIds.flatMap((id) => {
        const parsed = parseChunkId(id);
        return parsed ? [{ id, ...parsed }] : [];
      });
      if (wanted.length === 0) return new Map();
      const rows = await query<{ document_id: string; chunk_index: number; embedding: string }>(
        `SELECT document_id, chunk_index, embedding::text AS embedding FROM kb_chunks
         WHERE base_id = $1 AND (document_id, chunk_index) IN (SELECT * FROM unnest($2::text[], $3::integer[]))`,
        [base.id, wanted.map((chunk) => chunk.documentId), wanted.map((chunk) => chunk.index)],
      );
      // pgvector's text form, '[0.1,-2,3e-05]', is a JSON array of the shortest decimals that
      // read back as the stored single-precision values: read back so, they are those values.
      const found = new Map(
        rows.map((row) => [
          chunkId(row.document_id, row.chunk_index),
          (JSON.parse(row.embedding) as number[]).map(Math.fround),
        ]),
      );
      return new Map(
        wanted.flatMap(({ id }) => {
          const vector = found.get(id);
          return vector ? [[id, vector] as const] : [];
        }),
      );
    },

    close: () => pool.end(),
  };
}
