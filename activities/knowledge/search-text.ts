import { removeStopwords } from 'stopword';

/** The words of a query, lower-cased, for the stores' full-text indexes: letters and digits only. */
export function queryWords(query: string): string[] {
  return [...new Set(query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])];
}

/**
 * A user's query as an FTS5 MATCH expression: every word quoted (so `AND`, `NEAR`, `-` or a stray
 * quote in the question is a word, never syntax) and joined with OR, which BM25 then ranks by how
 * many, and how rare, of the words a chunk holds. English stop words are left out (all of them
 * stay when nothing else is left): BM25 gives "the" next to no weight, yet OR-ing it in makes
 * FTS5 score nearly every chunk. Empty when the query has no word.
 */
export function ftsQuery(query: string): string {
  const words = queryWords(query);
  const meaningful = removeStopwords(words);
  return (meaningful.length > 0 ? meaningful : words).map((word) => `"${word}"`).join(' OR ');
}

/**
 * The same query as a PostgreSQL `to_tsquery` expression: every word single-quoted (a word holds
 * only letters and digits, so never an operator, a quote or a weight) and joined with `|`, OR.
 * The text-search configuration then stems each and drops stop words. Empty when no word.
 */
export function tsQuery(query: string): string {
  return queryWords(query)
    .map((word) => `'${word}'`)
    .join(' | ');
}

/** `<document id>#<index>` back into its parts; undefined for anything else. */
export function parseChunkId(id: string): { documentId: string; index: number } | undefined {
  const separator = id.lastIndexOf('#');
  const index = Number(id.slice(separator + 1));
  if (separator <= 0 || !Number.isInteger(index) || index < 0 || id.slice(separator + 1) === '')
    return undefined;
  return { documentId: id.slice(0, separator), index };
}
