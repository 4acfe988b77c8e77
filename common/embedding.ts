import { z } from 'zod';
import { fnv1a } from './fnv1a.js';

/** The embedding model that runs in the worker, offline and with no key: the defaults' choice. */
export const localEmbeddingModel = 'local:all-minilm-l6-v2';

/** What one embedding call gives back: a vector per text, in order, and the tokens it read. */
export interface EmbedResult {
  vectors: number[][];
  usage: { inputTokens: number };
}

/** OpenAI's `/v1/embeddings` answer, as far as llmos reads it (compatible servers answer the same). */
export const OpenAiEmbeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number().int().nonnegative() }).optional(),
});

/** The dimensions of `hashedEmbedding` unless asked for others. */
export const hashedEmbeddingDimensions = 256;

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

/**
 * A deterministic stand-in for an embedding model, for the fake server and the scripted provider:
 * each word and each pair of neighbouring words is hashed into one of `dimensions` buckets with a
 * sign, and the sum is scaled to length 1. Texts that share words point the same way, so tests of
 * retrieval behave like a (very plain) real model; the same text always gives the same vector.
 */
export function hashedEmbedding(text: string, dimensions: number = hashedEmbeddingDimensions): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  const words = wordsOf(text);
  const features = [...words, ...words.slice(1).map((word, index) => `${words[index]} ${word}`)];
  for (const feature of features) {
    const hash = fnv1a(feature);
    vector[hash % dimensions]! += (hash & 0x80000000) === 0 ? 1 : -1;
  }
  const length = Math.hypot(...vector);
  return length === 0 ? vector : vector.map((value) => value / length);
}

/** The cosine of the angle between two vectors of one length (1 for the same direction). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let index = 0; index < a.length; index += 1) {
    dot += a[index]! * b[index]!;
    aa += a[index]! * a[index]!;
    bb += b[index]! * b[index]!;
  }
  return aa === 0 || bb === 0 ? 0 : dot / Math.sqrt(aa * bb);
}
