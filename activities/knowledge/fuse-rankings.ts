import { cosineSimilarity } from '../../common/embedding.js';

/** A retriever's answer: chunk ids, best first. */
export type Ranking = readonly string[];

/** A chunk's fused score, with its 1-based rank in each retriever that returned it. */
export interface FusedHit {
  id: string;
  score: number;
  ranks: Record<string, number>;
}

/**
 * Reciprocal Rank Fusion (Cormack, Clarke and Büttcher, 2009): each retriever gives a chunk
 * 1 / (k + rank), and the sums rank the union. Ranks, not scores, are fused, so BM25's unbounded
 * scores and cosine similarities need no calibration; a larger `k` flattens the weight of the top
 * ranks (60 is the paper's value). Ties keep the order in which chunks were first seen, so the
 * result is deterministic.
 */
export function reciprocalRankFusion(rankings: Readonly<Record<string, Ranking>>, k = 60): FusedHit[] {
  const hits = new Map<string, FusedHit>();
  for (const [retriever, ranking] of Object.entries(rankings))
    ranking.forEach((id, index) => {
      const hit = hits.get(id) ?? { id, score: 0, ranks: {} };
      hit.score += 1 / (k + index + 1);
      hit.ranks[retriever] = index + 1;
      hits.set(id, hit);
    });
  return [...hits.values()].sort((a, b) => b.score - a.score);
}

/**
 * Maximal Marginal Relevance (Carbonell and Goldstein, 1998): picks `limit` candidates one at a
 * time, each the best trade of its relevance against its likeness to those already picked:
 * lambda * relevance - (1 - lambda) * max cosine to the picked. `candidates` come best first
 * with their relevance scaled to 0..1 by the caller; a candidate with no vector is never a
 * near-duplicate. lambda = 1 keeps the order; lower values push repeats down. Deterministic.
 */
export function maximalMarginalRelevance<
  T extends { relevance: number; vector?: readonly number[] | undefined },
>(candidates: readonly T[], limit: number, lambda = 0.7): T[] {
  const picked: T[] = [];
  const left = [...candidates];
  while (picked.length < limit && left.length > 0) {
    let best = 0;
    let bestScore = -Infinity;
    left.forEach((candidate, index) => {
      const likeness = Math.max(
        0,
        ...picked.map((chosen) =>
          candidate.vector && chosen.vector ? cosineSimilarity(candidate.vector, chosen.vector) : 0,
        ),
      );
      const score = lambda * candidate.relevance - (1 - lambda) * likeness;
      if (score > bestScore) {
        best = index;
        bestScore = score;
      }
    });
    picked.push(left.splice(best, 1)[0]!);
  }
  return picked;
}
