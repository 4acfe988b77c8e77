import { z } from 'zod';

/** The scores feedback takes: 1 (bad) to 5 (good), as a person rates an answer. */
export const feedbackScores = { min: 1, max: 5 } as const;

/**
 * A person's feedback on one run (`llmos feedback`): kept as a `runFeedbackWorkflow` execution of
 * its own, in its memo and the `LlmosFeedbackScore` search attribute, so it is recorded for runs
 * long closed, and `llmos stats` and the monitors read it from visibility alone.
 */
export const RunFeedbackSchema = z.object({
  /** The run's workflow id. */
  workflowId: z.string().min(1),
  score: z
    .number()
    .int(`a score is a whole number from ${feedbackScores.min} to ${feedbackScores.max}`)
    .min(feedbackScores.min, `a score is at least ${feedbackScores.min}`)
    .max(feedbackScores.max, `a score is at most ${feedbackScores.max}`),
  comment: z.string().max(2_000, 'a comment is at most 2,000 characters').optional(),
  /** The run's kind (`agent`, `sql`, ...), recorded with the feedback so it can be summed by kind. */
  kind: z.string().optional(),
});
export type RunFeedback = z.infer<typeof RunFeedbackSchema>;

/** The workflow type feedback is kept as. */
export const feedbackWorkflowType = 'runFeedbackWorkflow';

/** Feedback executions' ids: `feedback-<run's workflow id>-<uuid>`, so a run's are found by prefix. */
export const feedbackIdPrefix = (workflowId: string): string => `feedback-${workflowId}-`;

/** The visibility query of the feedback given since `since`. */
export const feedbackSinceQuery = (since: Date): string =>
  `WorkflowType = '${feedbackWorkflowType}' AND StartTime >= '${since.toISOString()}'`;

/** How many scores, and their mean (null with none). */
export function summarizeScores(scores: readonly number[]): { count: number; meanScore: number | null } {
  return {
    count: scores.length,
    meanScore: scores.length === 0 ? null : scores.reduce((sum, score) => sum + score, 0) / scores.length,
  };
}

/** The feedback a feedback execution's memo holds; undefined for a memo that holds none. */
export function feedbackOfMemo(memo: Record<string, unknown> | undefined): RunFeedback | undefined {
  const parsed = RunFeedbackSchema.safeParse(memo?.feedback);
  return parsed.success ? parsed.data : undefined;
}
