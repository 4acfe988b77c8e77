import {
  KnowledgeMetadataSchema,
  chunkId,
  knowledgeFilterFields,
  type KnowledgeChunk,
  type KnowledgeFilter,
  type KnowledgeMetadata,
} from '../../common/knowledge.js';

/**
 * A row of `kb_chunks` as both stores keep it: the chunk's place and text, and its document's
 * filter fields copied beside it, so a search filters without a join.
 */
export interface ChunkRow {
  document_id: string;
  chunk_index: number;
  start_offset: number;
  end_offset: number;
  text: string;
  product: string | null;
  language: string | null;
  source: string | null;
  version: string | null;
  updated_at: string | null;
}

/** The document's filter fields as a chunk row holds them, in `ChunkRow` order; null when not given. */
export function chunkFieldValues(metadata: KnowledgeMetadata): (string | null)[] {
  const { product, language, source, version, updatedAt } = metadata;
  return [product, language, source, version, updatedAt].map((value) => value ?? null);
}

export const chunkFromRow = (row: ChunkRow): KnowledgeChunk => ({
  id: chunkId(row.document_id, row.chunk_index),
  documentId: row.document_id,
  index: row.chunk_index,
  start: row.start_offset,
  end: row.end_offset,
  text: row.text,
  metadata: KnowledgeMetadataSchema.parse(
    Object.fromEntries(
      Object.entries({
        product: row.product,
        language: row.language,
        source: row.source,
        version: row.version,
        updatedAt: row.updated_at,
      }).filter(([, value]) => value !== null),
    ),
  ),
});

/**
 * The filter as SQL conditions over `column(name)`, each starting with ` AND`, with its values
 * in text order; `placeholder(index)` writes the index-th value's parameter (`?` for SQLite,
 * `$n` for PostgreSQL).
 */
export function filterSql(
  filter: KnowledgeFilter | undefined,
  column: (name: string) => string,
  placeholder: (index: number) => string,
): { sql: string; values: string[] } {
  const clauses: string[] = [];
  const values: string[] = [];
  const next = (value: string) => placeholder(values.push(value) - 1);
  for (const field of knowledgeFilterFields) {
    const wanted = filter?.[field];
    if (wanted) clauses.push(`${column(field)} IN (${wanted.map(next).join(', ')})`);
  }
  if (filter?.updatedAfter) clauses.push(`${column('updated_at')} >= ${next(filter.updatedAfter)}`);
  return { sql: clauses.map((clause) => ` AND ${clause}`).join(''), values };
}
