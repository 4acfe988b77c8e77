import type { ChatRequest } from '../../../common/chat.js';
import type { Embedder } from '../embeddings/embed-texts.js';
import type { NewCachedResponse } from './response-cache.js';
import type { SemanticCache, SemanticHit } from './semantic-cache.js';
import { semanticLookup } from './semantic-key.js';

export interface SemanticCacheSettings {
  store: SemanticCache;
  ttlMs: number;
  /** The embedding model the questions are compared with, `provider:model`. */
  model: string;
  /** Cosine similarity from which a stored answer is served. */
  minSimilarity: number;
}

/** A one-question request's place in the semantic cache: where it is keyed, its embedding and what that cost. */
export interface SemanticQuestion {
  contextKey: string;
  vector: number[];
  costUsd: number | null;
}

/**
 * Looks a request up by meaning: undefined for a request that is not one question, or whose
 * question could not be embedded (`warn` says why: a cache that fails is a miss, never a failed
 * call). Otherwise the question, for `storeSemanticAnswer` after a miss, and the stored answer
 * near enough to serve, if any.
 */
export async function findSemanticAnswer(
  settings: SemanticCacheSettings,
  embed: Embedder,
  model: string,
  request: ChatRequest,
  options: { signal: AbortSignal; warn: (message: string) => void },
): Promise<{ question: SemanticQuestion; hit?: SemanticHit } | undefined> {
  const lookup = semanticLookup(model, settings.model, request);
  if (!lookup) return undefined;
  const embedded = await embed(settings.model, [lookup.question], options.signal).catch((error: unknown) => {
    options.warn(`semantic cache: the question could not be embedded: ${(error as Error).message}`);
    return undefined;
  });
  if (!embedded) return undefined;
  const question = { contextKey: lookup.contextKey, vector: embedded.vectors[0]!, costUsd: embedded.costUsd };
  const near = await settings.store.nearest(question.contextKey, question.vector).catch((error: unknown) => {
    options.warn(`semantic cache read failed: ${(error as Error).message}`);
    return undefined;
  });
  return near && near.similarity >= settings.minSimilarity ? { question, hit: near } : { question };
}

/** Keeps a fresh answer under its question; a write that fails is only warned about. */
export async function storeSemanticAnswer(
  settings: SemanticCacheSettings,
  question: SemanticQuestion,
  entry: NewCachedResponse,
  warn: (message: string) => void,
): Promise<void> {
  await settings.store
    .add(question.contextKey, question.vector, entry, { ttlMs: settings.ttlMs })
    .catch((error: unknown) => warn(`semantic cache write failed: ${(error as Error).message}`));
}
