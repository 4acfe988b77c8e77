import { z } from 'zod';
import type { GuardedResult } from './guards.js';
import { AgentInputSchema } from './agent.js';
import { AnswerKindSchema, type AnswerVote } from './answer-vote.js';
import { PsvInputSchema } from './psv.js';
import { RecordSearchAttributesSchema, type RunTotals } from './run-contract.js';

/**
 * The run each sample is: an agent or a Plan -> Solve -> Verify run, with its request. `react` is
 * the agent's earlier name, still accepted from older clients.
 */
export const SampledRunSchema = z.discriminatedUnion('workflow', [
  z.object({ workflow: z.literal(['agent', 'react']), request: AgentInputSchema }),
  z.object({ workflow: z.literal('psv'), request: PsvInputSchema }),
]);

export const SelfConsistencyInputSchema = z.object({
  run: SampledRunSchema,
  /** Independent samples, run in parallel as child workflows; each has the request's caps. */
  samples: z.number().int().min(1).max(32).default(5),
  /** Sampling temperature for every sample; it overrides the request's own. */
  temperature: z.number().min(0).max(2).default(0.7),
  /** How answers are compared: `number` takes the final number, `text` folds case and spacing. */
  answerKind: AnswerKindSchema.default('text'),
  recordSearchAttributes: RecordSearchAttributesSchema,
});
export type SelfConsistencyInput = z.output<typeof SelfConsistencyInputSchema>;
export type SelfConsistencyRequest = z.input<typeof SelfConsistencyInputSchema>;

export interface SampleOutcome {
  workflowId: string;
  answer: string | null;
  confidence?: number;
  /** The sample run's stop reason, or `error` when the run itself failed. */
  stopReason: string;
  totals: RunTotals;
  /** Set when the sample masked personal data: its answer holds placeholders of the run's vault. */
  masked?: boolean;
}

export interface SelfConsistencyResult extends AnswerVote, GuardedResult {
  /** `answer` when some sample answered, `no_answer` when none did. */
  stopReason: 'answer' | 'no_answer';
  samples: SampleOutcome[];
  /** All samples together. */
  totals: RunTotals;
}
