import type { KnowledgeChunk, KnowledgeFilter } from '../../common/knowledge.js';
import { maximalMarginalRelevance, reciprocalRankFusion, type FusedHit } from './fuse-rankings.js';
import type { KnowledgeStore, StoreHit } from './knowledge-store.js';

/** Which retrievers answer: both fused (the default), or one alone (for comparison and tests). */
export type RetrievalMode = 'hybrid' | 'keyword' | 'dense';

export interface HybridSearchOptions {
  /** Chunks returned. */
  limit: number;
  filter?: KnowledgeFilter | undefined;
  mode?: RetrievalMode | undefined;
  /** Reciprocal Rank Fusion's k: larger flattens the top ranks' weight. 60 by default. */
  rrfK?: number | undefined;
  /** Hits each retriever brings to the fusion; 50 by default, at least `limit`. */
  candidates?: number | undefined;
  /**
   * Maximal Marginal Relevance's lambda: 1 keeps the fused order; lower pushes chunks much like
   * one already kept (copies of a passage, repeated boilerplate) down. 1 (off) by default: on
   * CUAD (`npm run bench:knowledge`) 0.7 cost recall@10 six points, as a clause's neighbouring,
   * overlapping chunks look alike and the second is pushed out.
   */
  mmrLambda?: number | undefined;
}

/** A retrieved chunk: its fused score and its rank in each retriever that found it (1 = best). */
export interface RetrievedChunk extends KnowledgeChunk {
  score: number;
  ranks: { keyword?: number; dense?: number };
}

/**
 * BM25 and dense search over one base, fused by rank (RRF), then de-duplicated by MMR. The query
 * vector comes from the caller, made by the base's own embedding model. Reads only; same store
 * state, same answer.
 */
export async function hybridSearch(
  store: KnowledgeStore,
  base: string,
  query: { text: string; vector: readonly number[] | undefined },
  options: HybridSearchOptions,
): Promise<RetrievedChunk[]> {
  const mode = options.mode ?? 'hybrid';
  const candidates = Math.max(options.limit, options.candidates ?? 50);
  const search = { limit: candidates, filter: options.filter };
  const [keyword, dense] = await Promise.all([
    mode === 'dense' ? [] : store.keywordSearch(base, query.text, search),
    mode === 'keyword' || !query.vector ? [] : store.denseSearch(base, query.vector, search),
  ]);
  const chunks = new Map<string, KnowledgeChunk>(
    [...keyword, ...dense].map((hit: StoreHit) => [hit.chunk.id, hit.chunk]),
  );
  const fused = reciprocalRankFusion(
    { keyword: keyword.map((hit) => hit.chunk.id), dense: dense.map((hit) => hit.chunk.id) },
    options.rrfK,
  );
  const lambda = options.mmrLambda ?? 1;
  // MMR off (the default): the fused order as it is, with no vectors read.
  const picked =
    lambda < 1 ? await diversify(store, base, fused, options.limit, lambda) : fused.slice(0, options.limit);
  return picked.map((hit) => ({ ...chunks.get(hit.id)!, score: round(hit.score), ranks: hit.ranks }));
}

const round = (value: number): number => Math.round(value * 1e6) / 1e6;

/** The `limit` best of the fused ranking's first `4 * limit`, near-duplicates pushed down (MMR). */
async function diversify(
  store: KnowledgeStore,
  base: string,
  fused: readonly FusedHit[],
  limit: number,
  lambda: number,
): Promise<FusedHit[]> {
  const pool = fused.slice(0, limit * 4);
  const vectors = await store.vectors(
    base,
    pool.map((hit) => hit.id),
  );
  const best = pool[0]?.score ?? 1;
  return maximalMarginalRelevance(
    pool.map((hit) => ({ ...hit, relevance: hit.score / best, vector: vectors.get(hit.id) })),
    limit,
    lambda,
  );
}
