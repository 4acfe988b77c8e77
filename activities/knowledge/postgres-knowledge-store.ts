import type pg from 'pg';
import { KnowledgeMetadataSchema, chunkId, type KnowledgeBaseInfo } from '../../common/knowledge.js';
import { inLockedTransaction, openStorePool, schemaOnce } from '../audit/postgres-store.js';
import { chunkFieldValues, chunkFromRow, filterSql, type ChunkRow } from './chunk-rows.js';
import type { KnowledgeStore, SearchOptions, StoreHit } from './knowledge-store.js';
import { knowledgeSchemaSql, textSearchConfig } from './postgres-knowledge-schema.js';
import { parseChunkId, tsQuery } from './search-text.js';
import { checkChunkVectors, checkQueryVector, checkSameEmbedding, noSuchBase } from './store-checks.js';

/** `vector` scaled to length 1 (a zero vector stays zero): so stored, cosine similarity is a dot product. */
function unitVector(vector: readonly number[]): number[] {
  let squares = 0;
  for (const value of vector) squares += value * value;
  const length = Math.sqrt(squares);
  return length === 0 ? [...vector] : vector.map((value) => value / length);
}

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
 * The server-class store (LLMOS_KNOWLEDGE_POSTGRES_URL), shared by workers on several machines:
 * the same rows as the SQLite store, every base in one set of `kb_` tables (see
 * `knowledgeSchemaSql`). Keyword search ranks by `ts_rank_cd`, cover density (how many of the
 * query's words a chunk holds, and how close together), not BM25: it weighs every word alike
 * however common. Hybrid search fuses ranks, not scores, so the scale does not matter. Dense
 * search is exact and has no index: every chunk of the base that passes the filter (applied
 * first) is scored, at tens of microseconds a chunk, so its time grows with the base: a quarter
 * to most of a second at 10,000 chunks of 384 dimensions on two shared cores, where sqlite-vec
 * takes some 15 ms.
 * `vectors` gives the stored, length-1 vectors.
 *
 * A document's writes hold a transaction-scoped advisory lock on it, so two workers adding the
 * same document take turns and leave one copy.
 */
export function openPostgresKnowledgeStore(url: string): KnowledgeStore {
  const pool = openStorePool(url);
  const ensureSchema = schemaOnce(pool, 'kb_schema', async (client) => {
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
      await query(
        'INSERT INTO kb_bases (name, embedding_model, dimensions) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
        [name, embedding.model, embedding.dimensions],
      );
      const created = await baseInfo(name);
      if (!created) throw noSuchBase(name); // dropped between the two statements
      checkSameEmbedding(name, { model: created.embeddingModel, dimensions: created.dimensions }, embedding);
      return created;
    },

    base: baseInfo,

    async listBases() {
      return (
        await query<BaseRow & { documents: number; chunks: number }>(`${infoSql} ORDER BY b.name COLLATE "C"`)
      ).map(info);
    },

    async dropBase(name) {
      // The documents and their chunks go with it (ON DELETE CASCADE), in the same statement.
      return (await query('DELETE FROM kb_bases WHERE name = $1 RETURNING id', [name])).length > 0;
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

    async documentSha256(name, documentId) {
      const base = await requireBase(name);
      const [row] = await query<{ sha256: string }>(
        'SELECT sha256 FROM kb_documents WHERE base_id = $1 AND id = $2',
        [base.id, documentId],
      );
      return row?.sha256;
    },

    async replaceDocument(name, document, chunks) {
      const base = await requireBase(name);
      checkChunkVectors(name, base.dimensions, document.id, chunks);
      const rows = chunks.map((chunk) => ({
        index: chunk.index,
        start: chunk.start,
        end: chunk.end,
        text: chunk.text,
        vector: unitVector(chunk.vector),
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
           SELECT $1, $2, c."index", c."start", c."end", c.text, c.vector, $4, $5, $6, $7, $8
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
      return search(base, options, {
        from: 'kb_chunks c',
        match: 'true',
        score: 'kb_dot(c.embedding, $2::real[])',
        query: unitVector(vector),
      });
    },

    async vectors(name, chunkIds) {
      const base = await requireBase(name);
      const wanted = chunkIds.flatMap((id) => {
        const parsed = parseChunkId(id);
        return parsed ? [{ id, ...parsed }] : [];
      });
      if (wanted.length === 0) return new Map();
      const rows = await query<{ document_id: string; chunk_index: number; embedding: number[] }>(
        `SELECT document_id, chunk_index, embedding FROM kb_chunks
         WHERE base_id = $1 AND (document_id, chunk_index) IN (SELECT * FROM unnest($2::text[], $3::integer[]))`,
        [base.id, wanted.map((chunk) => chunk.documentId), wanted.map((chunk) => chunk.index)],
      );
      const found = new Map(rows.map((row) => [chunkId(row.document_id, row.chunk_index), row.embedding]));
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
