import type { Usage } from './chat.js';
import type { ModelRef } from './model-ref.js';

/**
 * US dollars per million tokens. Cached input (read from, or written to, a provider's prompt
 * cache) is billed instead of, not on top of, plain input; writes cost plain input when the
 * price names none.
 */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  readonly cachedInputPerMillion: number;
  readonly cacheWriteInputPerMillion?: number | undefined;
}

const free: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0 };

/**
 * The price of a model in `table` (prices by `provider:model`, from the model catalog): its own,
 * else that of the model it is a dated snapshot of (`gpt-4o-mini-2024-07-18` is priced as
 * `gpt-4o-mini`); scripted and local models not in it cost nothing; `undefined` when the table does not
 * know it (the cost is then unknown, never reported as zero).
 */
export function findPrice(
  ref: ModelRef,
  table: Readonly<Record<string, ModelPrice>>,
): ModelPrice | undefined {
  const key = `${ref.provider}:${ref.model}`;
  if (table[key]) return table[key];
  if (ref.provider === 'scripted' || ref.provider === 'compatible' || ref.provider === 'local') return free;
  // Longest table key that the model name extends with a dated suffix, e.g. "-2024-07-18" or "-20250929".
  const candidates = Object.keys(table)
    .filter(
      (known) =>
        key.startsWith(`${known}-`) && /^-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/.test(key.slice(known.length)),
    )
    .sort((a, b) => b.length - a.length);
  return candidates[0] ? table[candidates[0]] : undefined;
}

/** Cost in USD of one call, or `undefined` for a model without a known price. */
export function computeCostUsd(usage: Usage, price: ModelPrice | undefined): number | undefined {
  if (!price) return undefined;
  const cacheWrites = usage.cacheWriteInputTokens ?? 0;
  const uncachedInput = Math.max(usage.inputTokens - usage.cachedInputTokens - cacheWrites, 0);
  const micro =
    uncachedInput * price.inputPerMillion +
    usage.cachedInputTokens * price.cachedInputPerMillion +
    cacheWrites * (price.cacheWriteInputPerMillion ?? price.inputPerMillion) +
    usage.outputTokens * price.outputPerMillion;
  return micro / 1_000_000;
}
