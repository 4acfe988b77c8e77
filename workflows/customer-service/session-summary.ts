import { executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import { reactAgentWorkflow } from '../agent.js';
import { childRunAttributes } from '../lib/run-search-attributes.js';
import type { CustomerSession } from './customer-session.js';
import { transcript } from './session-memory.js';

/** Caps of one summary: a single model call, small. */
const summaryCaps = { maxIterations: 2, maxTotalTokens: 20_000, maxWallTimeMs: 2 * 60_000 };
/** Past this many times `recentTurns` waiting, turns that cannot be summarised are let go. */
const dropAfter = 4;

/**
 * Folds the turns the session no longer keeps word for word into its summary, when twice
 * `recentTurns` wait: one child run of the summary prompt, with no tools, on the session's model
 * and vault, counted in the session's totals. A summary that fails leaves the turns where they
 * are, to be folded with the next; only when four times `recentTurns` wait are the oldest let go,
 * and the summary says which. Deterministic; the child's id names the last turn it folds, so a
 * replay or a retry of the session's task never starts a second one.
 */
export async function foldIntoSummary(session: CustomerSession): Promise<void> {
  const turns = session.memory.foldable();
  if (turns.length === 0) return;
  const through = turns[turns.length - 1]!.turn;
  const { config, input } = session;
  const variables = session.memory.promptVariables(input.customer);
  try {
    const result = await executeChild(reactAgentWorkflow, {
      workflowId: `${workflowInfo().workflowId}/summary-${through}`,
      args: [
        {
          question: transcript(turns),
          model: input.model,
          retry: input.retry,
          ...(input.budget ? { budget: input.budget } : {}),
          ...(session.guards ? { piiVault: session.guards.run.vaultId } : {}),
          ...(input.tenant ? { tenant: input.tenant } : {}),
          tools: [],
          prompt: config.prompts.summary,
          promptVariables: { customer: variables.customer, summary: variables.summary },
          caps: { ...summaryCaps, maxCostUsd: session.turnCaps().maxCostUsd },
          recordSearchAttributes: input.recordSearchAttributes,
          resultTrace: 'stored',
        },
      ],
      ...childRunAttributes(input.recordSearchAttributes, 'agent', input.model),
      staticSummary: `Summary of turns ${session.memory.summarised + 1} to ${through} of ${workflowInfo().workflowId}`,
    });
    session.spent(result.totals);
    if (result.stopReason === 'answer' && result.answer && result.answer.trim() !== '') {
      session.memory.folded(result.answer, through);
      return;
    }
  } catch (error) {
    if (isCancellation(error)) throw error;
  }
  if (session.memory.recent.length >= dropAfter * config.session.recentTurns) session.memory.dropped(through);
}
