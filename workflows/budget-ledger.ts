import {
  allHandlersFinished,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { ledgerSnapshot, reserve, settle } from './budget-ledger/ledger-book.js';
import { budgetLedgerQuery, reserveBudgetUpdate, settleBudgetUpdate } from '../common/messages.js';
import type {
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

/** Updates handled before the history is handed over to a fresh run. */
const updatesPerRun = 2_000;

/**
 * The ledger of one shared budget: an entity workflow that lives as long as its scope is used.
 * Reservations and settlements are updates, handled one at a time, so a reservation is granted
 * only while spent + reserved + its amount stays within the limit, however many runs ask at
 * once. A request that only the calls in flight stand in the way of is answered `busy` (ask
 * again); one the spend itself leaves no room for is refused (workflows/budget-ledger/ledger-book.ts). Spend
 * resets when the UTC day changes (for `day` budgets). The history is handed over with
 * continue-as-new every few thousand updates, open reservations included.
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
      return reserve(state, request, Date.now());
    },
    { validator: nonNegative<ReserveRequest>('a reservation', (request) => request.amountUsd) },
  );
  setHandler(
    settleBudgetUpdate,
    (request): LedgerSnapshot => {
      updates += 1;
      return settle(state, request, Date.now());
    },
    { validator: nonNegative<SettleRequest>('a settled cost', (request) => request.actualUsd) },
  );

  await condition(() => updates >= updatesPerRun || workflowInfo().continueAsNewSuggested);
  // Let the handlers in progress finish, so no update is lost in the hand-over.
  await condition(allHandlersFinished);
  await continueAsNew<typeof budgetLedgerWorkflow>(state);
}
