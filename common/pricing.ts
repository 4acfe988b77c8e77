import type { Usage } from './chat.js';
import type { ModelRef } from './model-ref.js';

/** US dollars per million tokens. Cached input is billed instead of, not on top of, plain input. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
  readonly cachedInputPerMillion: number;
}

/**
 * List prices of common hosted models (USD per million tokens). A dated snapshot such as
 * `gpt-4o-mini-2024-07-18` is priced as its base name. Local and scripted models cost nothing.
 */
export const priceTable: Readonly<Record<string, ModelPrice>> = {
  'openai:gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
  'openai:gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  'openai:gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
  'openai:gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
  'openai:gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 },
  'openai:gpt-5': { inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125 },
  'openai:gpt-5-mini': { inputPerMillion: 0.25, outputPerMillion: 2, cachedInputPerMillion: 0.025 },
  'openai:o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 },
  'anthropic:claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5 },
  'anthropic:claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
  'anthropic:claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 },
  'anthropic:claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1 },
  'anthropic:claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4, cachedInputPerMillion: 0.08 },
};

const free: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0 };

/** The price of a model, or `undefined` when the table does not know it (the cost is then unknown). */
export function findPrice(
  ref: ModelRef,
  table: Readonly<Record<string, ModelPrice>> = priceTable,
): ModelPrice | undefined {
  if (ref.provider === 'scripted' || ref.provider === 'compatible') return free;
  const key = `${ref.provider}:${ref.model}`;
  if (table[key]) return table[key];
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
  const uncachedInput = Math.max(usage.inputTokens - usage.cachedInputTokens, 0);
  const micro =
    uncachedInput * price.inputPerMillion +
    usage.cachedInputTokens * price.cachedInputPerMillion +
    usage.outputTokens * price.outputPerMillion;
  return micro / 1_000_000;
}
