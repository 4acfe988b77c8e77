import type { RunTotals } from '../../common/agent.js';
import { emptyUsage, type Usage } from '../../common/chat.js';

export const emptyTotals: RunTotals = {
  usage: emptyUsage,
  totalTokens: 0,
  costUsd: 0,
  costComplete: true,
  modelCalls: 0,
  toolCalls: 0,
};

/** Totals after one more model call; a call without a known price marks the cost as a lower bound. */
export function addModelCall(totals: RunTotals, usage: Usage, costUsd: number | null): RunTotals {
  const sum: Usage = {
    inputTokens: totals.usage.inputTokens + usage.inputTokens,
    outputTokens: totals.usage.outputTokens + usage.outputTokens,
    cachedInputTokens: totals.usage.cachedInputTokens + usage.cachedInputTokens,
    reasoningTokens: totals.usage.reasoningTokens + usage.reasoningTokens,
  };
  return {
    ...totals,
    usage: sum,
    totalTokens: sum.inputTokens + sum.outputTokens,
    costUsd: totals.costUsd + (costUsd ?? 0),
    costComplete: totals.costComplete && costUsd !== null,
    modelCalls: totals.modelCalls + 1,
  };
}
