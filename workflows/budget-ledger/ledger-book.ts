import {
  periodKeyOf,
  type BudgetGrant,
  type LedgerSnapshot,
  type LedgerState,
  type ReserveRequest,
  type ReserveResult,
  type SettleRequest,
} from '../../common/shared-budget.js';

/** Recent reservation ids remembered for idempotency. */
const rememberedAnswers = 5_000;

/** A new period (a new UTC day for `day` budgets) starts with nothing spent; reservations stay open. */
function rollPeriod(state: LedgerState, now: number): void {
  const key = periodKeyOf(state.budget, now);
  if (key !== state.periodKey) {
    state.periodKey = key;
    state.spentUsd = 0;
  }
}

function remember(state: LedgerState, id: string, granted: boolean): void {
  state.answered[id] = granted;
  const ids = Object.keys(state.answered);
  for (const old of ids.slice(0, Math.max(0, ids.length - rememberedAnswers))) delete state.answered[old];
}

const termsOf = (budget: LedgerState['budget']): string =>
  `budget ${budget.scope} ($${budget.limitUsd} ${budget.period === 'day' ? 'a day' : 'in total'})`;

/** Why a call is refused: what was spent leaves too little for it. */
const spentReason = (budget: LedgerState['budget'], ledger: LedgerSnapshot, amountUsd: number): string =>
  `${termsOf(budget)}: $${ledger.spentUsd.toFixed(6)} spent leaves too little for a call that may cost $${amountUsd.toFixed(6)}`;

/** The ledger as of `now`, without changing it (queries must not). */
export function ledgerSnapshot(state: LedgerState, now: number): LedgerSnapshot {
  const periodKey = periodKeyOf(state.budget, now);
  const open = Object.values(state.reservations);
  return {
    scope: state.budget.scope,
    limitUsd: state.budget.limitUsd,
    period: state.budget.period,
    periodKey,
    spentUsd: periodKey === state.periodKey ? state.spentUsd : 0,
    reservedUsd: open.reduce((sum, amount) => sum + amount, 0),
    reservations: open.length,
  };
}

type Verdict =
  { kind: 'refused'; reason: string } | { kind: 'granted'; downgrade: boolean } | { kind: 'busy' };

/**
 * Decides a reservation not answered before, against the ledger as it stands: refused (and
 * remembered) when the spend leaves no room for it; granted (held and remembered) when spent +
 * reserved leaves room and it `mayGrant` (it is not waiting its turn); otherwise busy, with
 * nothing changed, so it may be granted once calls in flight have settled.
 */
function decide(
  state: LedgerState,
  reservationId: string,
  amountUsd: number,
  now: number,
  mayGrant: boolean,
): Verdict {
  const { budget } = state;
  const before = ledgerSnapshot(state, now);
  if (before.spentUsd + amountUsd > budget.limitUsd) {
    remember(state, reservationId, false);
    return { kind: 'refused', reason: spentReason(budget, before, amountUsd) };
  }
  if (!mayGrant || before.spentUsd + before.reservedUsd + amountUsd > budget.limitUsd)
    return { kind: 'busy' };
  state.reservations[reservationId] = amountUsd;
  remember(state, reservationId, true);
  return {
    kind: 'granted',
    downgrade: before.spentUsd + before.reservedUsd >= budget.limitUsd * budget.softLimitShare,
  };
}

/**
 * Grants a reservation while spent + reserved + its amount stays within the limit. One the calls
 * in flight stand in the way of is `busy`: a waiter queues, behind any that came first, and is
 * answered by `admitQueued`; others ask again. One the spend itself leaves no room for is
 * refused. A repeated id gets the first answer. Pure bookkeeping on `state`, for the ledger
 * workflow (which applies requests one at a time) and for tests.
 */
export function reserve(state: LedgerState, request: ReserveRequest, now: number): ReserveResult {
  const { reservationId, amountUsd, budget, waiter } = request;
  // The latest runs' terms apply: an operator changes a limit by starting runs with the new one.
  state.budget = budget;
  rollPeriod(state, now);
  const before = ledgerSnapshot(state, now);
  const previous = state.answered[reservationId];
  if (previous !== undefined)
    return previous
      ? {
          granted: true,
          downgrade: before.spentUsd + before.reservedUsd >= budget.limitUsd * budget.softLimitShare,
          ledger: before,
        }
      : { granted: false, busy: false, reason: 'refused before', ledger: before };
  const queue = (state.queue ??= []);
  const queued = queue.some((entry) => entry.reservationId === reservationId);
  const verdict = decide(
    state,
    reservationId,
    amountUsd,
    now,
    waiter === undefined || (!queued && queue.length === 0),
  );
  if (verdict.kind === 'refused')
    return { granted: false, busy: false, reason: verdict.reason, ledger: before };
  if (verdict.kind === 'granted')
    return { granted: true, downgrade: verdict.downgrade, ledger: ledgerSnapshot(state, now) };
  if (waiter !== undefined && !queued) queue.push({ reservationId, amountUsd, waiter });
  return {
    granted: false,
    busy: true,
    queued: waiter !== undefined,
    reason: `${termsOf(budget)}: $${before.reservedUsd.toFixed(6)} is held by ${before.reservations} calls in flight`,
    ledger: before,
  };
}

/**
 * Replaces a reservation with what the call cost; a queued one (its run stopped waiting) leaves
 * the queue. A settled or unknown id changes nothing (retries).
 */
export function settle(state: LedgerState, request: SettleRequest, now: number): LedgerSnapshot {
  rollPeriod(state, now);
  if (state.reservations[request.reservationId] !== undefined) {
    delete state.reservations[request.reservationId];
    state.spentUsd += request.actualUsd;
  }
  if (state.queue) state.queue = state.queue.filter((entry) => entry.reservationId !== request.reservationId);
  return ledgerSnapshot(state, now);
}

/**
 * Answers queued reservations in the order they came, while the budget has room: each is granted
 * (now held like any reservation) or refused when the spend itself leaves no room. Stops at the
 * first that calls in flight still stand in the way of, so none is passed by later ones. Returns
 * the answers, with the workflow each is for.
 */
export function admitQueued(state: LedgerState, now: number): { waiter: string; grant: BudgetGrant }[] {
  rollPeriod(state, now);
  const answers: { waiter: string; grant: BudgetGrant }[] = [];
  const queue = state.queue ?? [];
  while (queue.length > 0) {
    const { reservationId, amountUsd, waiter } = queue[0]!;
    const verdict = decide(state, reservationId, amountUsd, now, true);
    if (verdict.kind === 'busy') break;
    queue.shift();
    answers.push({
      waiter,
      grant:
        verdict.kind === 'granted'
          ? { reservationId, granted: true, downgrade: verdict.downgrade }
          : { reservationId, granted: false, reason: verdict.reason },
    });
  }
  return answers;
}
