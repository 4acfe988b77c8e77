import { Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { recordGuardVerdict } from './guard-metrics.js';
import type { ApprovalOutcome } from '../../common/approvals.js';
import type { GuardRun, GuardStage, GuardStep } from '../../common/guards.js';
import { currentGuardPlace, type GuardService } from './guard-service.js';

export interface ApplyGuardsInput {
  stage: GuardStage;
  /** What the text is, for the verdict and the audit trail: `question`, `answer`. */
  subject: string;
  text: string;
  run: GuardRun;
}

export interface ApplyGuardsOutput {
  step: GuardStep;
  /** The masked text, when a `mask` rule changed it. */
  masked?: string;
}

export interface RecordApprovalInput {
  run: GuardRun;
  toolCallId: string;
  tool: string;
  decision: ApprovalOutcome['decision'];
  by?: string;
  reason?: string;
}

/** The guard pipeline's own activities, on the workflow's queue. */
export function createGuardActivities(
  guards: GuardService,
  /** Where verdicts are counted (the worker's meter); without it, the activity's own. */
  meter?: MetricMeter,
) {
  return {
    /**
     * Runs one stage of the run's guard profile on a text the workflow holds (the question, the
     * answer) and records the verdict in the audit trail. Deterministic for a given text, profile
     * and vault; idempotent (a retry finds its placeholders in the vault, its records by key), so
     * Temporal may retry it. Outside text is judged where it comes in (`runTool`), so it never
     * passes through history unjudged.
     */
    async applyGuards(input: ApplyGuardsInput): Promise<ApplyGuardsOutput> {
      const outcome = await guards.check(
        input.stage,
        input.subject,
        input.text,
        input.run,
        currentGuardPlace(),
      );
      recordGuardVerdict(meter ?? Context.current().metricMeter, input.stage, outcome.step.verdict);
      return { step: outcome.step, ...(outcome.text !== input.text ? { masked: outcome.text } : {}) };
    },

    /**
     * Records a person's decision on a tool call that waited for approval (or that nobody
     * decided in time) in the audit trail. Idempotent: one record per tool call.
     */
    async recordApproval(input: RecordApprovalInput): Promise<void> {
      await guards.record(
        'approval',
        {
          toolCallId: input.toolCallId,
          tool: input.tool,
          decision: input.decision,
          ...(input.by ? { by: input.by } : {}),
          ...(input.reason ? { reason: input.reason } : {}),
        },
        currentGuardPlace(input.run.tenant),
        `approval-${input.toolCallId}`,
      );
    },
  };
}
