import type { AnalysisCallOutput } from '../../activities/analysis/json-model-call.js';
import type { RepairTurn } from '../../common/structured-output.js';
import { ErrorType } from '../../common/errors.js';
import { describeFailure } from './failures.js';
import { CapReached, type CapsMeter } from './caps-meter.js';
import type { ModelActivities, RunModels } from './run-models.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import { plural } from '../../common/plural.js';

export type RepairOutcome<Result> = { ok: true; value: Result } | { ok: false; reason: string };

/** What every attempt's activity input carries besides the step's own fields. */
export interface AttemptCall {
  model: string;
  repairs: RepairTurn[];
  maxOutputTokens: number;
}

/** One analysis step, as the repair loop makes it on whichever model the run is on. */
export interface AnalysisStep<Request, Result> {
  /** The step's activity input for one attempt: the step's fields plus the attempt's `call`. */
  request: (call: AttemptCall) => Request;
  /**
   * The most tokens the attempt can use, for a shared budget: the activity renders the prompt,
   * so only an activity can count it (asked only when the run has a budget).
   */
  estimate: (request: Request) => Promise<{ inputTokens: number; outputTokens: number }>;
  /** The attempt itself, through the activities of the model the request names. */
  attempt: (activities: ModelActivities, request: Request) => Promise<AnalysisCallOutput<Result>>;
}

/**
 * One analysis step's model call with a bounded repair loop: an answer that does not validate
 * goes back with its problems, at most `maxRepairs` times. Every attempt is its own activity,
 * made through the run's models (fallback chain, shared budget), and is counted in `meter`
 * (failed ones too); the caps are checked before each. Never throws for a step that cannot be
 * done: the reason comes back, for the report's "not analyzed" list.
 */
export async function callWithRepairs<Request, Result>(
  meter: CapsMeter,
  models: RunModels,
  maxRepairs: number,
  step: AnalysisStep<Request, Result>,
): Promise<RepairOutcome<Result>> {
  const repairs: RepairTurn[] = [];
  for (;;) {
    let output: AnalysisCallOutput<Result>;
    try {
      output = await models.call({
        iteration: meter.nextIteration(),
        prepare: () => meter.nextCallAllowance(),
        reservation: async (maxOutputTokens) => ({
          tokens: await step.estimate(
            step.request({ model: models.current, repairs: [...repairs], maxOutputTokens }),
          ),
        }),
        invoke: ({ name, activities }, maxOutputTokens) =>
          step.attempt(activities, step.request({ model: name, repairs: [...repairs], maxOutputTokens })),
        costOf: (call) => call.costUsd,
        timeLeftMs: () => meter.timeLeftMs(),
      });
    } catch (error) {
      if (error instanceof CapReached)
        return { ok: false, reason: `${error.stop.stopReason}: ${error.stop.detail}` };
      const failure = describeFailure(error);
      if (failure.type === ErrorType.BudgetExceeded)
        return { ok: false, reason: `budget_exhausted: ${failure.message}` };
      return { ok: false, reason: failure.message };
    }
    meter.addRun(addModelCall(emptyTotals, output.usage, output.costUsd, output.cacheHit));
    if (output.result.ok) return { ok: true, value: output.result };
    if (repairs.length >= maxRepairs)
      return {
        ok: false,
        reason:
          `output still invalid after ${plural(repairs.length, 'repair')}: ` +
          output.result.problems.join('; '),
      };
    repairs.push({ output: output.output, problems: output.result.problems });
  }
}
