import { z } from 'zod';
import { PiiTypeSchema, type PiiType } from './pii.js';

/**
 * What a guard does with a finding, weakest first: `allow` lets it pass unrecorded, `flag`
 * records it and goes on, `mask` replaces personal data before the text goes further, `block`
 * ends the run with the stop reason `blocked`.
 */
export const GuardActionSchema = z.enum(['allow', 'flag', 'mask', 'block']);
export type GuardAction = z.infer<typeof GuardActionSchema>;

/** Where a text stands in a run: the user's own words, outside text on its way to a prompt, or the model's answer. */
export const GuardStageSchema = z.enum(['input', 'untrusted', 'output']);
export type GuardStage = z.infer<typeof GuardStageSchema>;

const injectionRule = z
  .object({ action: GuardActionSchema.exclude(['mask']), threshold: z.number().gt(0).max(1).default(0.5) })
  .strict();
const piiRule = z
  .object({
    action: GuardActionSchema,
    types: z.array(PiiTypeSchema).optional(),
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();
const actionOnly = z.object({ action: GuardActionSchema.exclude(['mask']) }).strict();

/** The scanners of one stage; a scanner left out does not run there. */
export const GuardStageConfigSchema = z
  .object({
    injection: injectionRule.optional(),
    pii: piiRule.optional(),
    /** Output only: the system prompt's canary token in the answer. */
    canary: actionOnly.optional(),
    /** Output only: personal data the run's input did not hold. */
    newPii: actionOnly.optional(),
    /** Output only: links and images to hosts off this list. */
    links: actionOnly
      .extend({ allowedHosts: z.array(z.string().min(1)).default([]) })
      .strict()
      .optional(),
    /** Output only: phrases the policy forbids. */
    policyPhrases: actionOnly
      .extend({
        phrases: z.array(
          z
            .object({ id: z.string().min(1), pattern: z.string().min(1), message: z.string().min(1) })
            .strict(),
        ),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GuardStageConfig = z.infer<typeof GuardStageConfigSchema>;

export const GuardProfileSchema = z
  .object({
    input: GuardStageConfigSchema.default({}),
    untrusted: GuardStageConfigSchema.default({}),
    output: GuardStageConfigSchema.default({}),
  })
  .strict();
export type GuardProfile = z.infer<typeof GuardProfileSchema>;

/** `config/guards.yaml`: the default profile and, per tenant, a profile of its own. */
export const GuardConfigSchema = z
  .object({
    default: GuardProfileSchema,
    tenants: z.record(z.string().min(1), GuardProfileSchema).default({}),
  })
  .strict();
export type GuardConfig = z.infer<typeof GuardConfigSchema>;

/** One stage's judgement of one text: the strongest action its findings called for, and why. */
export interface GuardVerdict {
  stage: GuardStage;
  verdict: GuardAction;
  reasons: string[];
  /** The text with personal data replaced, when a `mask` rule fired. */
  masked?: string;
  /** Entities masked, by type (counts only: what history and the audit trail may hold). */
  maskedCounts?: Partial<Record<PiiType, number>>;
}

const strength: Record<GuardAction, number> = { allow: 0, flag: 1, mask: 2, block: 3 };

export function strongestAction(actions: readonly GuardAction[]): GuardAction {
  return actions.reduce<GuardAction>(
    (strongest, action) => (strength[action] > strength[strongest] ? action : strongest),
    'allow',
  );
}

/** What a run's guard steps need, as its workflow passes them to an activity (plain data). */
export interface GuardRun {
  /** The tenant whose profile applies; the default profile when unset or unknown. */
  tenant?: string | undefined;
  /**
   * The run's vault id: its first execution's run id, the same after continue-as-new (a child's
   * is its parent's).
   */
  vaultId: string;
  /** Output stage: the canary tokens of the run's system prompts, which its answer must not repeat. */
  canaries?: string[] | undefined;
}

/** One guard step as history and the run's result hold it: the verdict and what it judged, never the text. */
export const GuardStepSchema = z.object({
  stage: GuardStageSchema,
  verdict: GuardActionSchema,
  reasons: z.array(z.string()),
  maskedCounts: z.partialRecord(PiiTypeSchema, z.number().int().nonnegative()).optional(),
  /** What was judged: `question`, `http_get result`, `answer`. */
  subject: z.string(),
});
export type GuardStep = z.infer<typeof GuardStepSchema>;

/** What every job's result says of its guards. */
export interface GuardedResult {
  /** The guard verdicts that did more than let a text pass (flag, mask, block), in order. */
  guards?: GuardStep[];
  /**
   * The vault of the values masked before they went to a provider: the answer holds their
   * placeholders (`<EMAIL_1>`), which a client restores for the user (`llmos agent` does).
   */
  piiVault?: string;
}
