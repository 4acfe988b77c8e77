import { ApplicationFailure } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { computeCostUsd, type ModelPrice } from '../../common/pricing.js';
import {
  ledgerWorkflowId,
  ledgerWorkflowType,
  newLedgerState,
  type ReserveResult,
  type SharedBudget,
} from '../../common/shared-budget.js';
import { ledgerBatchUpdate } from '../../common/messages.js';
import { estimateRequestTokens } from '../llm/estimate-request-tokens.js';
import { LedgerBatcher } from './ledger-batcher.js';

/** The most a call can cost: its tokens (`estimateRequestTokens` of its request, or a bound given) at the model's prices. */
export function worstCaseCostUsd(
  call: ChatRequest | { inputTokens: number; outputTokens: number },
  price: ModelPrice,
): number {
  const { inputTokens, outputTokens } = 'messages' in call ? estimateRequestTokens(call) : call;
  return computeCostUsd({ inputTokens, outputTokens, cachedInputTokens: 0, reasoningTokens: 0 }, price) ?? 0;
}

/** What a reservation is for: the request itself, or, where the caller cannot see it, an upper bound of its tokens. */
export type ReservedCall =
  | { request: ChatRequest; tokens?: undefined }
  | { tokens: { inputTokens: number; outputTokens: number }; request?: undefined };

/**
 * Reserve and settle against a shared budget's ledger workflow, by update-with-start: the first
 * call for a scope starts its ledger, later ones reach the running one (after a continue-as-new
 * too). What a worker's runs ask of one ledger at once goes in one batch update (`LedgerBatcher`).
 * Workflows cannot send updates themselves, hence activities.
 */
export function createBudgetActivities(dependencies: {
  client: () => Promise<Client>;
  taskQueue: string;
  priceOf: (model: string) => ModelPrice | undefined;
}) {
  const { client, taskQueue, priceOf } = dependencies;
  const ledger = (budget: SharedBudget) =>
    new WithStartWorkflowOperation(ledgerWorkflowType, {
      workflowId: ledgerWorkflowId(budget.scope),
      taskQueue,
      args: [newLedgerState(budget, Date.now())],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
    });

  // A ledger takes 10 updates in flight at most (the server refuses more): each worker keeps one
  // in flight per ledger, a batch of what its runs are waiting for.
  const batcher = new LedgerBatcher(async (budget, batch) =>
    (await client()).workflow.executeUpdateWithStart(ledgerBatchUpdate, {
      args: [batch],
      startWorkflowOperation: ledger(budget),
    }),
  );

  return {
    /** Reserves a model call's worst-case cost; refused when the budget cannot cover it. */
    reserveModelCall: async (
      input: {
        budget: SharedBudget;
        reservationId: string;
        model: string;
        /** The workflow to signal once a reservation queued behind calls in flight is answered. */
        waiter?: string | undefined;
      } & ReservedCall,
    ): Promise<ReserveResult & { amountUsd: number }> => {
      const price = priceOf(input.model);
      if (!price)
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: `${input.model} has no price in the model catalog, so budget ${input.budget.scope} cannot be enforced for it`,
          nonRetryable: true,
        });
      const call = input.request ?? input.tokens;
      if (!call || ('inputTokens' in call && !(call.inputTokens >= 0 && call.outputTokens >= 0)))
        throw ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: 'a reservation needs the request or a non-negative token bound',
          nonRetryable: true,
        });
      const amountUsd = worstCaseCostUsd(call, price);
      const result = await batcher.reserve(input.budget, {
        reservationId: input.reservationId,
        amountUsd,
        budget: input.budget,
        ...(input.waiter !== undefined ? { waiter: input.waiter } : {}),
      });
      return { ...result, amountUsd };
    },

    /**
     * Replaces a reservation with what the call really cost. Idempotent. Returns nothing: what
     * the ledger holds after it would only add to the run's history.
     */
    settleModelCall: async (input: {
      budget: SharedBudget;
      reservationId: string;
      actualUsd: number;
    }): Promise<void> => {
      await batcher.settle(input.budget, { reservationId: input.reservationId, actualUsd: input.actualUsd });
    },
  };
}
