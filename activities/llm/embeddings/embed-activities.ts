import { Context } from '@temporalio/activity';
import type { BlobRef } from '../../../common/blob-ref.js';
import type { BlobStore } from '../../blobs/blob-store.js';
import type { Embedder } from './embed-texts.js';

export interface EmbedTextsInput {
  /** `provider:model` of an embedding model. */
  model: string;
  texts: string[];
}

export interface EmbedTextsOutput {
  /** The vectors, in order, as a JSON array in the blob store: history holds the reference only. */
  vectors: BlobRef;
  count: number;
  dimensions: number;
  usage: { inputTokens: number };
  /** USD; null when the model has no known price. Texts from the cache cost nothing. */
  costUsd: number | null;
  calls: number;
  cachedTexts: number;
}

/** Embedding calls as activities, with usage and cost like chat calls. */
export function createEmbedActivities(dependencies: { embed: Embedder; blobs: BlobStore }) {
  return {
    /**
     * Embeds texts (see `createEmbedder`: cached by content hash, batched, no retries inside) and
     * keeps the vectors in the blob store. Idempotent: a retry finds the vectors it made in the
     * cache and writes the same blob. Cancellation aborts the provider request.
     */
    async embedTexts(input: EmbedTextsInput): Promise<EmbedTextsOutput> {
      const context = Context.current();
      const heartbeat = setInterval(() => context.heartbeat(), 1_000);
      try {
        const embedded = await dependencies.embed(input.model, input.texts, context.cancellationSignal);
        const { vectors, ...rest } = embedded;
        return {
          vectors: await dependencies.blobs.put(JSON.stringify(vectors)),
          count: vectors.length,
          dimensions: vectors[0]?.length ?? 0,
          ...rest,
        };
      } finally {
        clearInterval(heartbeat);
      }
    },
  };
}
