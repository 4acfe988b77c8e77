import { setCurrentDetails } from '@temporalio/workflow';
import type { RouteDecision } from '../../common/route-request.js';
import type { ModelFallback, RunTotals } from '../../common/run-contract.js';
import type { RunModels } from './run-models.js';
import { recordRunOutcome } from './run-search-attributes.js';

/**
 * Shows a run's end where people look: its stop reason and spend in its search attributes (an
 * upsert command, where they are enabled) and the stop in the UI's details line.
 */
export function recordRunEnd(
  recordSearchAttributes: boolean,
  totals: RunTotals,
  stop: { stopReason: string; detail: string },
): void {
  recordRunOutcome(recordSearchAttributes, totals, stop.stopReason);
  setCurrentDetails(`${stop.stopReason}: ${stop.detail}`);
}

/** What every job's result says of its models: each move down the chain, and the route `auto` chose. */
export function modelsOutcome(models: RunModels | undefined): {
  fallbacks: ModelFallback[];
  route?: RouteDecision;
} {
  return { fallbacks: models?.fallbacks ?? [], ...(models?.route ? { route: models.route } : {}) };
}
