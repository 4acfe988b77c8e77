import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineUpdate,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  periodKeyOf,
  type LedgerSnapshot,
  type LedgerState,
  type ReserveRequest,
  type ReserveResult,
  type SettleRequest,
} from '../common/shared-budget.js';

export const reserveBudgetUpdate = defineUpdate<ReserveResult, [ReserveRequest]>('reserveBudget');
export const settleBudgetUpdate = defineUpdate<LedgerSnapshot, [SettleRequest]>('settleBudget');
export const budgetLedgerQuery = defineQuery<LedgerSnapshot>('budgetLedger');

/** Updates handled before the history is handed over to a fresh run. */
const updatesPerRun = 2_000;
/** Recent reservation ids remembered for idempotency. */
const rememberedAnswers = 5_000;

/**
 * The ledger of one shared budget: an entity workflow that lives as long as its scope is used.
 * Reservations and settlements are updates, handled one at a time, so a reservation is granted
 * only while spent + reserved + its amount stays within the limit, however many runs ask at
 * once. A request that only the calls in flight stand in the way of is answered `busy` (ask
 * again); one the spend itself leaves no room for is refused. Spend resets when the UTC day changes (for `day` budgets). The history is handed over
 * with continue-as-new every few thousand updates, open reservations included.
 */
export async function budgetLedgerWorkflow(initial: LedgerState): Promise<void> {
  // The input is this run's own deserialized copy: the ledger keeps it and changes it in place.
  const state: LedgerState = initial;
  let updates = 0;

  const rollPeriod = (): void => {
    const key = periodKeyOf(state.budget, Date.now());
    if (key !== state.periodKey) {
      state.periodKey = key;
      state.spentUsd = 0;
    }
  };
  const snapshot = (): LedgerSnapshot => {
    const open = Object.values(state.reservations);
    return {
      scope: state.budget.scope,
      limitUsd: state.budget.limitUsd,
      period: state.budget.period,
      periodKey: state.periodKey,
      spentUsd: state.spentUsd,
      reservedUsd: open.reduce((sum, amount) => sum + amount, 0),
      reservations: open.length,
    };
  };
  const remember = (id: string, granted: boolean): void => {
    state.answered[id] = granted;
    const ids = Object.keys(state.answered);
    for (const old of ids.slice(0, Math.max(0, ids.length - rememberedAnswers))) delete state.answered[old];
  };

  setHandler(budgetLedgerQuery, () => {
    rollPeriod();
    return snapshot();
  });

  setHandler(
    reserveBudgetUpdate,
    ({ reservationId, amountUsd, budget }): ReserveResult => {
      updates += 1;
      // The latest runs' terms apply: an operator changes a limit by starting runs with the new one.
      state.budget = budget;
      rollPeriod();
      const before = snapshot();
      const downgrade = before.spentUsd + before.reservedUsd >= budget.limitUsd * budget.softLimitShare;
      const previous = state.answered[reservationId];
      if (previous !== undefined)
        return previous
          ? { granted: true, downgrade, ledger: before }
          : { granted: false, busy: false, reason: 'refused before', ledger: before };
      const terms = `budget ${budget.scope} ($${budget.limitUsd} ${budget.period === 'day' ? 'a day' : 'in total'})`;
      if (before.spentUsd + amountUsd > budget.limitUsd) {
        remember(reservationId, false);
        return {
          granted: false,
          busy: false,
          reason:
            `${terms}: $${before.spentUsd.toFixed(6)} spent leaves too little for a call that may cost ` +
            `$${amountUsd.toFixed(6)}`,
          ledger: before,
        };
      }
      // Not remembered: the same request may be granted once calls in flight have settled.
      if (before.spentUsd + before.reservedUsd + amountUsd > budget.limitUsd)
        return {
          granted: false,
          busy: true,
          reason: `${terms}: $${before.reservedUsd.toFixed(6)} is held by ${before.reservations} calls in flight`,
          ledger: before,
        };
      state.reservations[reservationId] = amountUsd;
      remember(reservationId, true);
      return { granted: true, downgrade, ledger: snapshot() };
    },
    {
      validator: ({ amountUsd }) => {
        if (!Number.isFinite(amountUsd) || amountUsd < 0)
          throw new Error(`a reservation must be a non-negative amount (got ${amountUsd})`);
      },
    },
  );

  setHandler(
    settleBudgetUpdate,
    ({ reservationId, actualUsd }): LedgerSnapshot => {
      updates += 1;
      rollPeriod();
      // Settled already (a retried settle), or never granted: nothing to do.
      if (state.reservations[reservationId] === undefined) return snapshot();
      delete state.reservations[reservationId];
      state.spentUsd += actualUsd;
      return snapshot();
    },
    {
      validator: ({ actualUsd }) => {
        if (!Number.isFinite(actualUsd) || actualUsd < 0)
          throw new Error(`a settled cost must be a non-negative amount (got ${actualUsd})`);
      },
    },
  );

  await condition(() => updates >= updatesPerRun || workflowInfo().continueAsNewSuggested);
  // Let the handlers in progress finish, so no update is lost in the hand-over.
  await condition(allHandlersFinished);
  await continueAsNew<typeof budgetLedgerWorkflow>(state);
}
