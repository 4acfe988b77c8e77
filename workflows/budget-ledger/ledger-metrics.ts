import { metricMeter } from '@temporalio/workflow';
import type { LedgerState } from '../../common/shared-budget.js';

/**
 * Sets a shared budget's gauges from its ledger: `llmos_budget_spent_usd` (settled spend this
 * period), `llmos_budget_reserved_usd` (held by calls in flight) and `llmos_budget_remaining_usd`
 * (what neither has taken), by scope. Workflow metrics go out through the worker's runtime, and
 * not while a history is replayed: a ledger's gauges move when it does.
 */
export function recordLedgerMetrics(state: LedgerState): void {
  const { limitUsd, scope, period } = state.budget;
  const reservedUsd = Object.values(state.reservations).reduce((sum, amount) => sum + amount, 0);
  const tags = { scope, period };
  const gauge = (name: string, description: string) =>
    metricMeter.createGauge(name, 'float', 'USD', description);
  gauge('llmos_budget_spent_usd', "What a shared budget's runs spent this period").set(state.spentUsd, tags);
  gauge('llmos_budget_reserved_usd', 'What calls in flight hold of a shared budget').set(reservedUsd, tags);
  gauge('llmos_budget_remaining_usd', 'What a shared budget has left').set(
    Math.max(0, limitUsd - state.spentUsd - reservedUsd),
    tags,
  );
}
