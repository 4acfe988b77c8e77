import { chunkId } from '../../common/knowledge.js';
import type { ChunkToStore } from './knowledge-store.js';

/**
 * The checks every knowledge store makes, with one wording, so the same mistake reads the same
 * on SQLite and on PostgreSQL (and one contract test holds both to it).
 */

/** The error for a base that is not there. */
export const noSuchBase = (name: string): Error =>
  new Error(`there is no knowledge base "${name}" (llmos kb create ${name})`);

/** Throws unless the base that exists embeds with the model asked for. */
export function checkSameEmbedding(
  name: string,
  existing: { model: string; dimensions: number },
  wanted: { model: string; dimensions: number },
): void {
  if (existing.model !== wanted.model || existing.dimensions !== wanted.dimensions)
    throw new Error(
      `knowledge base "${name}" embeds with ${existing.model} (${existing.dimensions} dimensions), not ${wanted.model} (${wanted.dimensions})`,
    );
}

/** Throws unless every chunk's vector has the base's length. */
export function checkChunkVectors(
  name: string,
  dimensions: number,
  documentId: string,
  chunks: readonly ChunkToStore[],
): void {
  for (const chunk of chunks)
    if (chunk.vector.length !== dimensions)
      throw new Error(
        `chunk ${chunkId(documentId, chunk.index)} has a vector of ${chunk.vector.length} values; knowledge base "${name}" holds ${dimensions}`,
      );
}

/** Throws unless a query vector has the base's length. */
export function checkQueryVector(name: string, dimensions: number, vector: readonly number[]): void {
  if (vector.length !== dimensions)
    throw new Error(
      `a query vector of ${vector.length} values cannot search knowledge base "${name}" (${dimensions})`,
    );
}
