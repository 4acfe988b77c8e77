import { ApplicationFailure } from '@temporalio/common';
import type { EmbedResult } from '../../../common/embedding.js';
import { ErrorType } from '../../../common/errors.js';
import { ModelRefSchema } from '../../../common/model-ref.js';
import { computeCostUsd, type ModelPrice } from '../../../common/pricing.js';
import type { ModelResolver } from '../model-resolver.js';
import { toModelFailure } from '../to-model-failure.js';
import { embeddingKey, type EmbeddingCache } from './embedding-cache.js';

/** What embedding a list of texts took: the vectors in order, and what the calls for the new ones cost. */
export interface Embedded {
  vectors: number[][];
  usage: { inputTokens: number };
  /** USD of the calls made; null when the model has no known price. Cached texts cost nothing. */
  costUsd: number | null;
  /** Provider calls made (texts go in batches). */
  calls: number;
  /** Texts answered from the cache. */
  cachedTexts: number;
}

export type Embedder = (model: string, texts: readonly string[], signal?: AbortSignal) => Promise<Embedded>;

/** Texts per provider call: OpenAI takes up to 2,048; smaller batches keep one failure cheap. */
const defaultBatchSize = 64;

/**
 * Embeds texts with `provider:model`, through the worker's models: each text found in the cache
 * (by model and content hash) is not sent again; the rest go in batches, and their vectors are
 * kept. Like `callChatModel`: no retries inside (a failure leaves as a typed `ApplicationFailure`
 * from `toModelFailure` for Temporal to retry or not), and each batch that reaches the provider
 * is billed once. A model that cannot embed (Anthropic has no embedding API) is the
 * non-retryable `UnknownModel`.
 */
export function createEmbedder(
  resolveModel: ModelResolver,
  services: { priceOf: (model: string) => ModelPrice | undefined; cache?: EmbeddingCache | undefined },
  batchSize: number = defaultBatchSize,
): Embedder {
  return async (model, texts, signal) => {
    const chatModel = await resolveModel(ModelRefSchema.parse(model));
    if (!chatModel.embed)
      throw ApplicationFailure.create({
        type: ErrorType.UnknownModel,
        message: `${model} cannot embed text: use an embedding model of openai, compatible or scripted`,
        nonRetryable: true,
      });
    const keys = texts.map((text) => embeddingKey(model, text));
    const found = (await services.cache?.get(keys)) ?? new Map<string, number[]>();
    const missing = [...new Set(keys.filter((key) => !found.has(key)))];
    const sent = new Set(missing);
    const textOf = new Map(keys.map((key, index) => [key, texts[index]!]));
    let inputTokens = 0;
    let calls = 0;
    for (let start = 0; start < missing.length; start += batchSize) {
      const batch = missing.slice(start, start + batchSize);
      let result: EmbedResult;
      try {
        result = await chatModel.embed(
          batch.map((key) => textOf.get(key)!),
          signal ? { signal } : {},
        );
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw toModelFailure(error);
      }
      calls += 1;
      inputTokens += result.usage.inputTokens;
      const entries = batch.map((key, index) => ({ key, vector: result.vectors[index]! }));
      for (const { key, vector } of entries) found.set(key, vector);
      await services.cache?.set(entries);
    }
    const usage = { inputTokens };
    const price = services.priceOf(model);
    const costUsd =
      calls === 0
        ? 0
        : (computeCostUsd(
            { inputTokens, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 },
            price,
          ) ?? null);
    return {
      vectors: keys.map((key) => found.get(key)!),
      usage,
      costUsd,
      calls,
      cachedTexts: keys.filter((key) => !sent.has(key)).length,
    };
  };
}
