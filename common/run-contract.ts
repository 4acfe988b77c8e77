/**
 * The contract every llmos job shares: its caps, the input fields every job takes, how a run
 * stops, what it used and how it fell back. Each job's schema (`agent.ts`, `psv.ts`, `sql.ts`,
 * `analysis.ts`) extends these. Sandbox-safe: plain zod and types.
 *
 * Three things limit spending, each named for what it is: a run's **caps** (`RunCaps`, checked
 * before every model call), the **budget** (`SharedBudget`, one spend limit shared by every run of
 * a scope) and a parent run's **cap shares** (its caps split among child runs).
 */
import { z } from 'zod';
import { UsageSchema } from './chat.js';
import { aliasNamePattern, ModelRefSchema } from './model-ref.js';
import { SharedBudgetSchema } from './shared-budget.js';

/** The bounds of each cap, without defaults (see `CapsRaiseSchema`). */
const capBounds = {
  maxIterations: z.number().int().positive().max(10_000),
  maxTotalTokens: z.number().int().positive(),
  maxCostUsd: z.number().positive(),
  maxWallTimeMs: z.number().int().positive(),
};

/** Caps with these defaults for the ones a request leaves out. */
export function runCapsSchema(defaults: RunCaps) {
  return z.object({
    maxIterations: capBounds.maxIterations.default(defaults.maxIterations),
    /** Input plus output tokens over the whole run. */
    maxTotalTokens: capBounds.maxTotalTokens.default(defaults.maxTotalTokens),
    maxCostUsd: capBounds.maxCostUsd.default(defaults.maxCostUsd),
    /** Wall time from the start of the run; a model call in flight at the deadline is cancelled. */
    maxWallTimeMs: capBounds.maxWallTimeMs.default(defaults.maxWallTimeMs),
  });
}

/** Hard limits checked before every model call is scheduled: model calls, tokens, dollars, wall time. */
export interface RunCaps {
  maxIterations: number;
  maxTotalTokens: number;
  maxCostUsd: number;
  maxWallTimeMs: number;
}

/** Caps with the defaults of an agent run; Plan -> Solve -> Verify and SQL runs start from them too. */
export const RunCapsSchema = runCapsSchema({
  maxIterations: 10,
  maxTotalTokens: 200_000,
  maxCostUsd: 1,
  maxWallTimeMs: 10 * 60_000,
});

/**
 * A raise of some caps; each given value must be at least the current one. Built from the bounds,
 * not from `RunCapsSchema.partial()`: that keeps the defaults, so parsing a raise would fill in
 * every cap it does not name with its default value.
 */
export const CapsRaiseSchema = z.object(capBounds).partial();
export type CapsRaise = z.infer<typeof CapsRaiseSchema>;

/** Temporal retry policy for model calls, as data. Tool calls use a fixed small policy. */
export const ModelRetrySchema = z.object({
  maximumAttempts: z.number().int().positive().default(5),
  initialIntervalMs: z.number().int().positive().default(1_000),
  maximumIntervalMs: z.number().int().positive().default(30_000),
  /** Per attempt; a hung provider is abandoned after this long. */
  attemptTimeoutMs: z.number().int().positive().default(120_000),
  /** How soon a crashed worker's model call is noticed and retried elsewhere. */
  heartbeatTimeoutMs: z.number().int().positive().default(10_000),
});
export type ModelRetry = z.infer<typeof ModelRetrySchema>;

/** `provider:model`, e.g. `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`, `scripted:demo-agent`. */
export const ModelFieldSchema = z.string().superRefine((value, context) => {
  const parsed = ModelRefSchema.safeParse(value);
  if (!parsed.success)
    for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message });
});

/**
 * A model as `provider:model`, or an alias of the worker's model catalog (`fast`, `smart`, ...)
 * naming a fallback chain; the worker resolves an alias when the run starts.
 */
export const ModelOrAliasFieldSchema = z.string().superRefine((value, context) => {
  if (ModelRefSchema.safeParse(value).success || aliasNamePattern.test(value)) return;
  context.addIssue({
    code: 'custom',
    message: `model must be "provider:model" (e.g. openai:gpt-4o-mini) or an alias of the model catalog such as fast (got "${value}")`,
  });
});

/**
 * Keep the llmos search attributes (stop reason, cost, tokens) up to date on the run. Only for
 * namespaces where they are registered: upserting an unregistered one fails every workflow task.
 * The client checks the namespace and sets this.
 */
export const RecordSearchAttributesSchema = z.boolean().default(false);

/** The input fields every job takes; each job adds its own and its `caps` with its defaults. */
export const runInputFields = {
  /** `provider:model`, an alias of the model catalog (a fallback chain) or `auto`. */
  model: ModelOrAliasFieldSchema,
  temperature: z.number().min(0).max(2).default(0),
  retry: ModelRetrySchema.default(ModelRetrySchema.parse({})),
  recordSearchAttributes: RecordSearchAttributesSchema,
  /** A spend limit shared with every run of the same scope; every model call reserves against it first. */
  budget: SharedBudgetSchema.optional(),
  /** Whose guard profile (`config/guards.yaml`) the run's texts go through; the default profile when unset. */
  tenant: z.string().min(1).optional(),
  /**
   * Set by a parent run for its children: the vault its masked values are in, so a value keeps
   * its placeholder across the runs of one job. A caller leaves it out.
   */
  piiVault: z.string().min(1).optional(),
};

export const StopReasonSchema = z.enum([
  'answer',
  'iteration_limit',
  'budget_exhausted',
  'deadline',
  /** A guard's `block` rule fired: on the input, on outside text on its way to a prompt, or on the answer. */
  'blocked',
  'error',
]);
export type StopReason = z.infer<typeof StopReasonSchema>;

/** What ended a run in error, as its result reports it. */
export interface RunError {
  type: string;
  message: string;
}

/** What a run used: tokens, dollars, calls. A parent's totals include its children's. */
export const RunTotalsSchema = z.object({
  usage: UsageSchema,
  totalTokens: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative(),
  /** False when some call used a model without a known price: `costUsd` is then a lower bound. */
  costComplete: z.boolean(),
  modelCalls: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
  /** Model calls answered from the response cache, and what their original calls had cost. */
  cacheHits: z.number().int().nonnegative(),
  cacheSavedUsd: z.number().nonnegative(),
});
export type RunTotals = z.infer<typeof RunTotalsSchema>;

/** A move down a run's fallback chain: from which model, to which, why, at which iteration. */
export const ModelFallbackSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** The failure that caused it, `Type: message`. */
  reason: z.string(),
  iteration: z.number().int().nonnegative(),
});
export type ModelFallback = z.infer<typeof ModelFallbackSchema>;
