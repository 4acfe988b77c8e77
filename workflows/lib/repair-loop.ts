import { ApplicationFailure, condition, patched } from '@temporalio/workflow';
import type { AnalysisCallOutput } from '../../activities/analysis/json-model-call.js';
import type { CallAllowance, CallNeed } from '../../common/call-allowance.js';
import type { RepairTurn } from '../../common/structured-output.js';
import { ErrorType } from '../../common/errors.js';
import { describeFailure, failureDetails } from './failures.js';
import { CapReached, type CapsMeter } from './caps-meter.js';
import type { CapStop } from './caps.js';
import type { ModelActivities, RunModels } from './run-models.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import { plural } from '../../common/plural.js';

/** A step done, or why not; `stop` when a cap (or the shared budget) is why. */
export type RepairOutcome<Result> =
  { ok: true; value: Result } | { ok: false; reason: string; stop?: CapStop };

/**
 * The least output an analysis step is worth sending for: its JSON answers run to a few hundred
 * tokens, and one cut off by a smaller allowance would only cost a repair.
 */
const minOutputTokens = 1_024;

/** What every attempt's activity input carries besides the step's own fields. */
export interface AttemptCall {
  model: string;
  repairs: RepairTurn[];
  maxOutputTokens: number;
  /** What the run's caps leave this attempt: the activity fits the call into it, or refuses it. */
  allowance?: CallAllowance;
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
  /** How many steps like this one may be in flight on the meter at once (default 1). */
  concurrency?: () => number;
}

/**
 * One analysis step's model call with a bounded repair loop: an answer that does not validate
 * goes back with its problems, at most `maxRepairs` times. Every attempt is its own activity,
 * made through the run's models (fallback chain, shared budget), and is counted in `meter`; the
 * caps are checked before each. Each attempt is granted its part of what the caps leave
 * (`CapsMeter.grant`, a `concurrency`th while others may be in flight), so steps made in parallel
 * never overshoot the token or cost cap together: an attempt that does not fit its part waits
 * until what it needs at the least is free (calls in flight end), and when no call holds a part
 * and it still does not fit, the step stops on the cap, and every later one with it
 * (`CapsMeter.stopWith`). Never throws for a step that cannot be done: the reason comes back,
 * for the report's "not analyzed" list.
 */
export async function callWithRepairs<Request, Result>(
  meter: CapsMeter,
  models: RunModels,
  maxRepairs: number,
  step: AnalysisStep<Request, Result>,
): Promise<RepairOutcome<Result>> {
  const repairs: RepairTurn[] = [];
  // Runs recorded before grants made their calls on the caps' word alone, and counted each after.
  const granting = patched('analysis-cap-grants');
  // What the step's last refused attempt needed at the least: the next is granted no less.
  let need: CallNeed | undefined;
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
        invoke: async ({ name, activities }, maxOutputTokens) => {
          const call = { model: name, repairs: [...repairs], maxOutputTokens };
          if (!granting) return step.attempt(activities, step.request(call));
          return withinGrant(meter, step.concurrency?.() ?? 1, need, maxOutputTokens, (allowance) =>
            step.attempt(activities, step.request({ ...call, allowance })),
          );
        },
        costOf: (call) => call.costUsd,
        timeLeftMs: () => meter.timeLeftMs(),
      });
    } catch (error) {
      if (error instanceof CapReached) return stoppedOn(error.stop);
      const failure = describeFailure(error);
      if (failure.type === ErrorType.ModelCallOverCaps) {
        const needed = failureDetails<CallNeed>(error).details;
        need = { totalTokens: needed?.totalTokens ?? Infinity, costUsd: needed?.costUsd ?? 0 };
        const stop = await waitForRoom(meter, need);
        if (!stop) continue;
        return stoppedOn(stop, failure.message);
      }
      if (failure.type === ErrorType.BudgetExceeded)
        return stoppedOn({ stopReason: 'budget_exhausted', detail: failure.message });
      return { ok: false, reason: failure.message };
    }
    if (!granting) meter.addRun(addModelCall(emptyTotals, output.usage, output.costUsd, output.cacheHit));
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

/** A step a cap (or the shared budget) stopped: the reason names the cap, then `why`. */
function stoppedOn(stop: CapStop, why: string = stop.detail): { ok: false; reason: string; stop: CapStop } {
  return { ok: false, reason: `${stop.stopReason}: ${why}`, stop };
}

/**
 * Makes one attempt within its part of what the meter's caps leave (at least `need`, when that
 * is left), counted in the meter before the part is given back, so no call in parallel sees
 * those tokens free twice. A part too small for any answer is refused here, without an activity.
 */
async function withinGrant<Made extends AnalysisCallOutput<unknown>>(
  meter: CapsMeter,
  share: number,
  need: CallNeed | undefined,
  maxOutputTokens: number,
  attempt: (allowance: CallAllowance) => Promise<Made>,
): Promise<Made> {
  const allowance = meter.grant(share, minOutputTokens, need);
  try {
    const least = Math.min(maxOutputTokens, minOutputTokens);
    if (allowance.totalTokens < least)
      throw ApplicationFailure.create({
        type: ErrorType.ModelCallOverCaps,
        message: `the run's caps leave this call ${allowance.totalTokens} tokens, less than ${least} of output`,
        nonRetryable: true,
        details: [{ totalTokens: least, costUsd: 0 } satisfies CallNeed],
      });
    const made = await attempt(allowance);
    meter.addRun(addModelCall(emptyTotals, made.usage, made.costUsd, made.cacheHit));
    return made;
  } finally {
    meter.release(allowance);
  }
}

/**
 * After a refused attempt: waits until what it needs is free (calls in flight end and give their
 * parts back). When no call holds a part and it still is not, no call of the run fits what its
 * caps leave: the meter stops there, and the stop comes back.
 */
async function waitForRoom(meter: CapsMeter, need: CallNeed): Promise<CapStop | undefined> {
  const fits = () => meter.covers(need);
  // Several waiting steps may wake at once: one that finds the room taken again waits again.
  do await condition(() => fits() || meter.callsInFlight === 0);
  while (!fits() && meter.callsInFlight > 0);
  if (fits()) return undefined;
  const stop: CapStop = { stopReason: 'budget_exhausted', detail: noCallFits(need, meter.left()) };
  meter.stopWith(stop);
  return stop;
}

/** Why a run stopped short of its caps' numbers: the least a call needs, and what they leave. */
function noCallFits(need: CallNeed, left: CallNeed): string {
  const dollars = (usd: number) => (need.costUsd > 0 ? ` and $${usd.toFixed(6)}` : '');
  return (
    `no call fits what the caps leave: the next needs ${need.totalTokens} tokens${dollars(need.costUsd)} ` +
    `at the least, and ${left.totalTokens} tokens${dollars(left.costUsd)} are left`
  );
}
