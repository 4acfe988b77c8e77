import type { RunTotals } from './run-contract.js';
import { emptyUsage, type Usage } from './chat.js';

export const emptyTotals: RunTotals = {
  usage: emptyUsage,
  totalTokens: 0,
  costUsd: 0,
  costComplete: true,
  modelCalls: 0,
  toolCalls: 0,
  cacheHits: 0,
  cacheSavedUsd: 0,
};

/** Totals after one more model call; a call without a known price marks the cost as a lower bound. */
export function addModelCall(
  totals: RunTotals,
  usage: Usage,
  costUsd: number | null,
  cacheHit?: { savedUsd: number | null },
): RunTotals {
  return addTotals(totals, {
    usage,
    totalTokens: usage.inputTokens + usage.outputTokens,
    costUsd: costUsd ?? 0,
    costComplete: costUsd !== null,
    modelCalls: 1,
    toolCalls: 0,
    cacheHits: cacheHit ? 1 : 0,
    cacheSavedUsd: cacheHit?.savedUsd ?? 0,
  });
}

/** The totals of some embedding calls: input tokens only. */
export function embeddingTotals(calls: {
  inputTokens: number;
  costUsd: number | null;
  calls: number;
}): RunTotals {
  return {
    ...emptyTotals,
    usage: { ...emptyUsage, inputTokens: calls.inputTokens },
    totalTokens: calls.inputTokens,
    costUsd: calls.costUsd ?? 0,
    costComplete: calls.costUsd !== null,
    modelCalls: calls.calls,
  };
}

/** Totals of two runs together, e.g. a parent and the sub-agent it ran. */
export function addTotals(a: RunTotals, b: RunTotals): RunTotals {
  const usage: Usage = {
    inputTokens: a.usage.inputTokens + b.usage.inputTokens,
    outputTokens: a.usage.outputTokens + b.usage.outputTokens,
    cachedInputTokens: a.usage.cachedInputTokens + b.usage.cachedInputTokens,
    reasoningTokens: a.usage.reasoningTokens + b.usage.reasoningTokens,
  };
  return {
    usage,
    totalTokens: a.totalTokens + b.totalTokens,
    costUsd: a.costUsd + b.costUsd,
    costComplete: a.costComplete && b.costComplete,
    modelCalls: a.modelCalls + b.modelCalls,
    toolCalls: a.toolCalls + b.toolCalls,
    // Absent in results recorded before the cache existed.
    cacheHits: (a.cacheHits ?? 0) + (b.cacheHits ?? 0),
    cacheSavedUsd: (a.cacheSavedUsd ?? 0) + (b.cacheSavedUsd ?? 0),
  };
}
