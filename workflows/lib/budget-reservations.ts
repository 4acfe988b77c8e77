import {
  ApplicationFailure,
  CancellationScope,
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { budgetGrantSignal } from '../../common/messages.js';
import type { BudgetGrant, SharedBudget } from '../../common/shared-budget.js';
import { localActivityOptions } from './activity-options.js';

const { reserveModelCall, settleModelCall } = proxyActivities<Activities>(localActivityOptions);

/** How long a run waits before asking a busy shared budget again (ledgers that do not queue). */
const budgetRetryMs = 500;

/**
 * How long a queued reservation waits for the ledger's answer before the run checks its caps
 * (a deadline passed, a raise) and, if it may still call, waits again.
 */
const queuedCheckMs = 30_000;

/**
 * What a shared budget reserves for a call: its request (the worst case is counted from it), or
 * an upper bound of its tokens where the workflow does not hold the request (an agent's stored
 * conversation; analysis steps, which render theirs inside the activity).
 */
export type Reservation =
  { request: ChatRequest } | { tokens: { inputTokens: number; outputTokens: number } };

/** A reservation the ledger granted. */
export interface Granted {
  id: string;
  amountUsd: number;
  /** Past the budget's soft limit: the run moves to its cheaper model. */
  downgrade: boolean;
}

export const budgetExceeded = (reason: string): ApplicationFailure =>
  ApplicationFailure.create({ type: ErrorType.BudgetExceeded, message: reason, nonRetryable: true });

/**
 * A run's reservations against its shared budget, through the budget's ledger (activities, so
 * every answer is in history). A reservation the calls in flight stand in the way of is queued by
 * the ledger, and the run waits for its `budgetGrantSignal`: one durable wait, no polling. Once
 * the ledger refuses, later calls are refused without asking. Deterministic; one per workflow
 * (it answers the workflow's `budgetGrantSignal`).
 */
export class BudgetReservations {
  private count = 0;
  private refused: string | undefined;
  /** The ledger's answers to queued reservations, by id. */
  private readonly answers = new Map<string, BudgetGrant>();

  constructor(readonly budget: SharedBudget) {
    setHandler(budgetGrantSignal, (grant) => {
      this.answers.set(grant.reservationId, grant);
    });
  }

  /** The ledger's refusal, once it has refused a call. */
  get refusal(): string | undefined {
    return this.refused;
  }

  /** @throws ApplicationFailure `BudgetExceeded` once the ledger has refused a call. */
  assertOpen(): void {
    if (this.refused !== undefined) throw budgetExceeded(this.refused);
  }

  /**
   * Reserves `amount` for one attempt on `model`. Returns the grant, or `again` after a wait on a
   * ledger that does not queue (its runs ask again). While queued, `check` runs every
   * `queuedCheckMs` and may throw to stop waiting (a cap reached); the reservation is released.
   * @throws ApplicationFailure `BudgetExceeded` (non-retryable) when the ledger refuses.
   */
  async reserve(model: string, amount: Reservation, check: () => unknown): Promise<Granted | 'again'> {
    this.assertOpen();
    this.count += 1;
    const { workflowId, runId } = workflowInfo();
    const id = `${workflowId}/${runId}/${this.count}`;
    const asked = await reserveModelCall({
      budget: this.budget,
      reservationId: id,
      model,
      ...amount,
      waiter: workflowId,
    });
    if (asked.granted) return { id, amountUsd: asked.amountUsd, downgrade: asked.downgrade };
    if (!asked.busy) throw this.refuse(asked.reason);
    // Calls in flight hold the rest of the budget.
    setCurrentDetails(`waiting for budget: ${asked.reason}`);
    if (!asked.queued) {
      await sleep(budgetRetryMs);
      return 'again';
    }
    const answer = await this.answerTo(id, check);
    if (!answer.granted) throw this.refuse(answer.reason);
    return { id, amountUsd: asked.amountUsd, downgrade: answer.downgrade };
  }

  /** Replaces reservation `id` with what its call cost; nothing without one. Idempotent. */
  async settle(id: string | undefined, actualUsd: number): Promise<void> {
    if (id === undefined) return;
    // Even when the run is being cancelled: an open reservation would hold the budget.
    await CancellationScope.nonCancellable(() =>
      settleModelCall({ budget: this.budget, reservationId: id, actualUsd }),
    );
  }

  private refuse(reason: string): ApplicationFailure {
    this.refused = reason;
    return budgetExceeded(reason);
  }

  /**
   * The ledger's answer to queued reservation `id`. A run that stops waiting (`check` throws)
   * releases the reservation, which the ledger may have granted meanwhile.
   */
  private async answerTo(id: string, check: () => unknown): Promise<BudgetGrant> {
    try {
      for (;;) {
        if (await condition(() => this.answers.has(id), queuedCheckMs)) return this.answers.get(id)!;
        check();
      }
    } catch (error) {
      await this.settle(id, 0);
      throw error;
    } finally {
      this.answers.delete(id);
    }
  }
}
