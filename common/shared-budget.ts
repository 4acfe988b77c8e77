import { z } from 'zod';
import { ModelRefSchema } from './model-ref.js';

/**
 * A spend limit shared by every run that names the same scope (a tenant, a user, a team), held
 * by one ledger workflow per scope. Every model call reserves its worst-case cost first and
 * settles the real cost after, so runs in parallel never spend more than the limit.
 */
export const SharedBudgetSchema = z.object({
  /** e.g. `tenant:acme`, `user:42`; one ledger per scope. */
  scope: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$/, 'a scope is letters, digits, _ . : @ or -'),
  /** US dollars per period. The first run that uses a scope sets it; later runs may raise or lower it. */
  limitUsd: z.number().positive(),
  /** `day` resets at midnight UTC; `total` never resets. */
  period: z.enum(['day', 'total']).default('day'),
  /** Past this share of the limit, calls are still granted but flagged for a cheaper model. */
  softLimitShare: z.number().min(0).max(1).default(0.8),
  /** The model runs switch to past the soft limit; none means they keep theirs. */
  downgradeTo: z
    .string()
    .refine((model) => ModelRefSchema.safeParse(model).success, 'a model is named provider:model')
    .optional(),
});
export type SharedBudget = z.output<typeof SharedBudgetSchema>;
export type SharedBudgetRequest = z.input<typeof SharedBudgetSchema>;

export interface LedgerSnapshot {
  scope: string;
  limitUsd: number;
  period: 'day' | 'total';
  /** The current period: `YYYY-MM-DD` (UTC) or `total`. */
  periodKey: string;
  spentUsd: number;
  /** Promised to calls in flight. */
  reservedUsd: number;
  reservations: number;
}

export interface ReserveRequest {
  /** Unique per call attempt; a retried reserve with the same id gets the same answer. */
  reservationId: string;
  amountUsd: number;
  budget: SharedBudget;
  /**
   * The workflow asking: when calls in flight hold the budget, the ledger queues the reservation
   * and signals this workflow (`budgetGrantSignal`) once it is granted or refused, so the run
   * waits without asking again. Without it, a busy budget answers `busy` and the caller asks again.
   */
  waiter?: string | undefined;
}

export type ReserveResult =
  | { granted: true; downgrade: boolean; ledger: LedgerSnapshot }
  /**
   * `busy`: the spend so far leaves room, but calls in flight hold it: `queued` when the ledger
   * will signal the waiter, otherwise ask again once they have settled. Not busy: the budget is
   * spent for this period.
   */
  | { granted: false; busy: boolean; queued?: boolean; reason: string; ledger: LedgerSnapshot };

/**
 * Settlements and reservations one worker has waiting for a ledger, sent as one update: a worker
 * keeps one update in flight per ledger, so many workers stay within the server's limit of 10.
 */
export interface LedgerBatch {
  settles: SettleRequest[];
  reserves: ReserveRequest[];
}

/** The answers to a batch, in its order: the ledger after each settlement, each reservation's answer. */
export interface LedgerBatchResult {
  settles: LedgerSnapshot[];
  reserves: ReserveResult[];
}

/** The ledger's answer to a queued reservation, signalled to the workflow that waits for it. */
export type BudgetGrant =
  | { reservationId: string; granted: true; downgrade: boolean }
  | { reservationId: string; granted: false; reason: string };

/** A reservation waiting for calls in flight to settle, in the order it came. */
export interface QueuedReservation {
  reservationId: string;
  amountUsd: number;
  waiter: string;
}

export interface SettleRequest {
  reservationId: string;
  /** What the call really cost; 0 for a call that failed before the provider billed it. */
  actualUsd: number;
}

/** The ledger's workflow id for a scope. */
export const ledgerWorkflowId = (scope: string): string => `budget-ledger:${scope}`;

/** The ledger's workflow type: activities start it by name, as they may not import workflow code. */
export const ledgerWorkflowType = 'budgetLedgerWorkflow';

/** What a ledger carries across continue-as-new. */
export interface LedgerState {
  budget: SharedBudget;
  periodKey: string;
  spentUsd: number;
  /** Open reservations by id. */
  reservations: Record<string, number>;
  /** Answers to recent reservations, by id: a retried reserve gets the same answer. */
  answered: Record<string, boolean>;
  /** Reservations waiting for room, first come first served (absent in ledgers started before queues). */
  queue?: QueuedReservation[];
}

/** The period a time falls in: the UTC day for `day` budgets. */
export const periodKeyOf = (budget: SharedBudget, now: number): string =>
  budget.period === 'day' ? new Date(now).toISOString().slice(0, 10) : 'total';

/** A ledger's first state. */
export function newLedgerState(budget: SharedBudget, now: number): LedgerState {
  return {
    budget,
    periodKey: periodKeyOf(budget, now),
    spentUsd: 0,
    reservations: {},
    answered: {},
    queue: [],
  };
}
