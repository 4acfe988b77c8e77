import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { admitQueued, ledgerSnapshot, reserve, settle } from './budget-ledger/ledger-book.js';
import { recordLedgerMetrics } from './budget-ledger/ledger-metrics.js';
import {
  budgetGrantSignal,
  budgetLedgerQuery,
  ledgerBatchUpdate,
  reserveBudgetUpdate,
  settleBudgetUpdate,
} from '../common/messages.js';
import type {
  BudgetGrant,
  LedgerBatch,
  LedgerBatchResult,
  LedgerSnapshot,
  LedgerState,
  ReserveRequest,
  ReserveResult,
  SettleRequest,
} from '../common/shared-budget.js';

/** Refuses an update whose amount is not a non-negative number, before it reaches history. */
const nonNegative =
  <Request>(what: string, amountOf: (request: Request) => number) =>
  (request: Request): void => {
    const amount = amountOf(request);
    if (!Number.isFinite(amount) || amount < 0)
      throw new Error(`${what} must be a non-negative amount (got ${amount})`);
  };

const checkReservation = nonNegative<ReserveRequest>('a reservation', (request) => request.amountUsd);
const checkSettlement = nonNegative<SettleRequest>('a settled cost', (request) => request.actualUsd);

/**
 * Updates handled before the history is handed over to a fresh run: well below the server's
 * 2,000 updates per execution, so updates that arrive during the hand-over still fit.
 */
const updatesPerRun = 500;
/** What ledgers started before the hand-over came earlier handle: they keep it when replayed. */
const updatesPerRunBefore = 2_000;

/**
 * The ledger of one shared budget: an entity workflow that lives as long as its scope is used.
 * Reservations and settlements are updates, handled one at a time, so a reservation is granted
 * only while spent + reserved + its amount stays within the limit, however many runs ask at
 * once. A request that only the calls in flight stand in the way of is answered `busy` (ask
 * again, or, for a run that says it waits, queued and answered by a `budgetGrantSignal` once a
 * settlement frees room); one the spend itself leaves no room for is refused
 * (workflows/budget-ledger/ledger-book.ts). Spend resets when the UTC day changes (for `day`
 * budgets). The history is handed over with continue-as-new every 500 updates, open and queued
 * reservations included.
 */
export async function budgetLedgerWorkflow(initial: LedgerState): Promise<void> {
  // The input is this run's own deserialized copy: the ledger keeps it and changes it in place.
  const state: LedgerState = initial;
  let updates = 0;

  setHandler(budgetLedgerQuery, () => ledgerSnapshot(state, Date.now()));
  setHandler(
    reserveBudgetUpdate,
    (request): ReserveResult => {
      updates += 1;
      const result = reserve(state, request, Date.now());
      recordLedgerMetrics(state);
      return result;
    },
    { validator: checkReservation },
  );
  // Answers to queued reservations, sent by the main loop (a handler answers its update at once).
  const outbox: { waiter: string; grant: BudgetGrant }[] = [];
  setHandler(
    settleBudgetUpdate,
    (request): LedgerSnapshot => {
      updates += 1;
      const snapshot = settle(state, request, Date.now());
      outbox.push(...admitQueued(state, Date.now()));
      recordLedgerMetrics(state);
      return snapshot;
    },
    { validator: checkSettlement },
  );

  const limit = patched('ledger-hands-over-at-500') ? updatesPerRun : updatesPerRunBefore;
  setHandler(
    ledgerBatchUpdate,
    (batch): LedgerBatchResult => {
      updates += 1;
      const now = Date.now();
      // Settlements first: the room they free goes to the queue, then to this batch's reservations.
      const settles = batch.settles.map((request) => settle(state, request, now));
      outbox.push(...admitQueued(state, now));
      const reserves = batch.reserves.map((request) => reserve(state, request, now));
      recordLedgerMetrics(state);
      return { settles, reserves };
    },
    {
      validator: (batch: LedgerBatch) => {
        for (const request of batch.reserves) checkReservation(request);
        for (const request of batch.settles) checkSettlement(request);
      },
    },
  );

  const handOver = () => updates >= limit || workflowInfo().continueAsNewSuggested;
  while (!handOver()) {
    await condition(() => outbox.length > 0 || handOver());
    await sendAnswers(outbox, state);
  }
  // Let the handlers in progress finish and every answer go out, so nothing is lost in the
  // hand-over: the check and the hand-over happen in one activation.
  for (;;) {
    await condition(allHandlersFinished);
    if (outbox.length === 0) break;
    await sendAnswers(outbox, state);
  }
  await continueAsNew<typeof budgetLedgerWorkflow>(state);
}

/**
 * Signals each waiting run its answer, until `outbox` is empty (handlers may add to it meanwhile).
 * A run that has ended cannot take its grant: the reservation is released, and the room it held
 * goes to the next in the queue.
 */
async function sendAnswers(
  outbox: { waiter: string; grant: BudgetGrant }[],
  state: LedgerState,
): Promise<void> {
  while (outbox.length > 0) {
    const undelivered = await Promise.all(
      outbox.splice(0).map(async ({ waiter, grant }) => {
        try {
          await getExternalWorkflowHandle(waiter).signal(budgetGrantSignal, grant);
          return undefined;
        } catch {
          return grant;
        }
      }),
    );
    for (const grant of undelivered) {
      if (!grant?.granted) continue;
      settle(state, { reservationId: grant.reservationId, actualUsd: 0 }, Date.now());
      outbox.push(...admitQueued(state, Date.now()));
      recordLedgerMetrics(state);
    }
  }
}
