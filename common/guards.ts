import { z } from 'zod';
import { PiiTypeSchema, type PiiType } from './pii.js';
import { RunTotalsSchema, type RunTotals } from './run-contract.js';

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

/**
 * A classifier outside the worker, asked after the built-in layers: `model`, a judge prompt sent
 * through llmos's own model layer (cache, breaker, limits, prices) to `provider:model`; or
 * `http`, a Lakera-style guard API that takes `{"messages": [...]}` and answers `{"flagged": ...}`.
 * Either receives the text as the stage leaves it: masked, when the stage masks.
 */
export const RemoteJudgeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('model'),
      model: z.string().regex(/^[a-z]+:.+$/, 'a judge model is provider:model'),
      maxOutputTokens: z.number().int().positive().default(300),
    })
    .strict(),
  z
    .object({
      kind: z.literal('http'),
      url: z.url(),
      /** The environment variable holding the API key, sent as a bearer token. */
      apiKeyEnv: z.string().min(1).optional(),
      timeoutMs: z.number().int().positive().default(5_000),
    })
    .strict(),
]);
export type RemoteJudge = z.infer<typeof RemoteJudgeSchema>;

const remoteInjection = z
  .object({
    /** A judge named under `judges`. */
    judge: z.string().min(1),
    /**
     * Asked only when the built-in layers score the text at least this: 0 asks about every text;
     * 0.2 only about the texts they find suspect, which keeps the judge's cost down.
     */
    from: z.number().min(0).max(1).default(0),
  })
  .strict();

const injectionRule = z
  .object({
    action: GuardActionSchema.exclude(['mask']),
    threshold: z.number().gt(0).max(1).default(0.4),
    remote: remoteInjection.optional(),
  })
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
        /**
         * A judge (kind `model`) that also reads the answer against each phrase's message, for
         * what the patterns cannot see ("you'll get your money back").
         */
        judge: z.string().min(1).optional(),
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

/** The judges a profile names, by stage and rule. */
export function judgesNamed(
  profile: GuardProfile,
): { judge: string; rule: 'injection' | 'policyPhrases'; where: string }[] {
  return (['input', 'untrusted', 'output'] as const).flatMap((stage) => [
    ...(profile[stage].injection?.remote
      ? [
          {
            judge: profile[stage].injection.remote.judge,
            rule: 'injection' as const,
            where: `${stage}.injection`,
          },
        ]
      : []),
    ...(profile[stage].policyPhrases?.judge
      ? [
          {
            judge: profile[stage].policyPhrases.judge,
            rule: 'policyPhrases' as const,
            where: `${stage}.policyPhrases`,
          },
        ]
      : []),
  ]);
}

/** `config/guards.yaml`: the remote judges, the default profile and, per tenant, a profile of its own. */
export const GuardConfigSchema = z
  .object({
    /** Classifiers outside the worker, off unless a rule names one. */
    judges: z.record(z.string().min(1), RemoteJudgeSchema).default({}),
    default: GuardProfileSchema,
    tenants: z.record(z.string().min(1), GuardProfileSchema).default({}),
  })
  .strict()
  .superRefine((config, context) => {
    const profiles = [['default', config.default] as const, ...Object.entries(config.tenants)];
    for (const [name, profile] of profiles) {
      for (const { judge, rule, where } of judgesNamed(profile)) {
        const path = name === 'default' ? ['default'] : ['tenants', name];
        const defined = config.judges[judge];
        if (!defined)
          context.addIssue({
            code: 'custom',
            path,
            message: `${where} names the judge "${judge}", which judges does not define`,
          });
        else if (rule === 'policyPhrases' && defined.kind !== 'model')
          context.addIssue({
            code: 'custom',
            path,
            message: `${where}: the judge "${judge}" is an http classifier; reading an answer against policy needs a model judge`,
          });
      }
    }
  });
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
  /** What the stage's model judges used, counted with the run's model calls (absent when none was asked). */
  judgeTotals?: RunTotals;
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
  judgeTotals: RunTotalsSchema.optional(),
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
