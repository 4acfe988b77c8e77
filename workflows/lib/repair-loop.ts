import type { AnalysisCallOutput, RepairTurn } from '../../activities/analysis/json-model-call.js';
import { describeFailure } from './failures.js';
import type { RunBudget } from './run-budget.js';
import { addModelCall, emptyTotals } from './totals.js';

export type RepairOutcome<Result> = { ok: true; value: Result } | { ok: false; reason: string };

/**
 * One analysis step's model call with a bounded repair loop: an answer that does not validate
 * goes back with its problems, at most `maxRepairs` times. Every attempt is its own activity and
 * is counted in `budget` (failed ones too); the caps are checked before each. Never throws for a
 * step that cannot be done: the reason comes back, for the report's "not analyzed" list.
 */
export async function callWithRepairs<Result>(
  budget: RunBudget,
  maxRepairs: number,
  attempt: (repairs: RepairTurn[], maxOutputTokens: number) => Promise<AnalysisCallOutput<Result>>,
): Promise<RepairOutcome<Result>> {
  const repairs: RepairTurn[] = [];
  for (;;) {
    const stop = budget.exhausted();
    if (stop) return { ok: false, reason: `${stop.stopReason}: ${stop.detail}` };
    let output: AnalysisCallOutput<Result>;
    try {
      output = await attempt([...repairs], budget.outputAllowance());
    } catch (error) {
      return { ok: false, reason: describeFailure(error).message };
    }
    budget.addRun(addModelCall(emptyTotals, output.usage, output.costUsd, output.cacheHit));
    if (output.result.ok) return { ok: true, value: output.result };
    if (repairs.length >= maxRepairs)
      return {
        ok: false,
        reason:
          `output still invalid after ${repairs.length} repair${repairs.length === 1 ? '' : 's'}: ` +
          output.result.problems.join('; '),
      };
    repairs.push({ output: output.output, problems: output.result.problems });
  }
}
