import { z } from 'zod';
import type { ToolCall, Usage } from './chat.js';
import { aliasNamePattern, ModelRefSchema } from './model-ref.js';
import { PromptRefSchema, type PromptRef } from './prompt-template.js';
import type { RouteDecision } from './route-request.js';
import { SharedBudgetSchema } from './shared-budget.js';

/** The bounds of each cap, without defaults (see `CapsRaiseSchema`). */
const capBounds = {
  maxIterations: z.number().int().positive().max(10_000),
  maxTotalTokens: z.number().int().positive(),
  maxCostUsd: z.number().positive(),
  maxWallTimeMs: z.number().int().positive(),
};

/** Caps with these defaults for the ones a request leaves out. */
export function capsSchemaWithDefaults(defaults: {
  maxIterations: number;
  maxTotalTokens: number;
  maxCostUsd: number;
  maxWallTimeMs: number;
}) {
  return z.object({
    maxIterations: capBounds.maxIterations.default(defaults.maxIterations),
    /** Input plus output tokens over the whole run. */
    maxTotalTokens: capBounds.maxTotalTokens.default(defaults.maxTotalTokens),
    maxCostUsd: capBounds.maxCostUsd.default(defaults.maxCostUsd),
    /** Wall time from the start of the run; a model call in flight at the deadline is cancelled. */
    maxWallTimeMs: capBounds.maxWallTimeMs.default(defaults.maxWallTimeMs),
  });
}

/** Hard limits checked before every model call is scheduled. */
export const AgentCapsSchema = capsSchemaWithDefaults({
  maxIterations: 10,
  maxTotalTokens: 200_000,
  maxCostUsd: 1,
  maxWallTimeMs: 10 * 60_000,
});
export type AgentCaps = z.infer<typeof AgentCapsSchema>;

/**
 * A raise of some caps; each given value must be at least the current one. Built from the bounds,
 * not from `AgentCapsSchema.partial()`: that keeps the defaults, so parsing a raise would fill in
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

/** A move down a run's fallback chain: from which model, to which, why, at which iteration. */
export interface ModelFallback {
  from: string;
  to: string;
  /** The failure that caused it, `Type: message`. */
  reason: string;
  iteration: number;
}

/**
 * Keep the llmos search attributes (stop reason, cost, tokens) up to date on the run. Only for
 * namespaces where they are registered: upserting an unregistered one fails every workflow task.
 * The client checks the namespace and sets this.
 */
export const RecordSearchAttributesSchema = z.boolean().default(false);

export const defaultAgentPrompt: PromptRef = { id: 'agent.system', version: 'v1' };

export const AgentInputSchema = z.object({
  question: z.string().trim().min(1, 'the question is empty'),
  model: ModelOrAliasFieldSchema,
  /**
   * The chain a parent run resolved (a Plan -> Solve -> Verify sub-agent): used as it is, from its
   * first model, so nothing is routed or resolved again and models the parent left are skipped.
   */
  models: z.array(ModelFieldSchema).min(1).optional(),
  tools: z.array(z.string().min(1)).default(['calculator']),
  /** The template that frames the question; `{{question}}` and `promptVariables` fill it. */
  prompt: PromptRefSchema.default(defaultAgentPrompt),
  promptVariables: z.record(z.string(), z.string()).default({}),
  temperature: z.number().min(0).max(2).default(0),
  caps: AgentCapsSchema.default(AgentCapsSchema.parse({})),
  retry: ModelRetrySchema.default(ModelRetrySchema.parse({})),
  /** How long a run stopped by a cap waits for `raiseCapsUpdate` before it ends; 0 ends at once. */
  holdOnCapMs: z.number().int().nonnegative().default(0),
  recordSearchAttributes: RecordSearchAttributesSchema,
  /** A spend limit shared with every run of the same scope; each model call reserves against it first. */
  budget: SharedBudgetSchema.optional(),
});
export type AgentInput = z.output<typeof AgentInputSchema>;
export type AgentRequest = z.input<typeof AgentInputSchema>;

export const StopReasonSchema = z.enum([
  'answer',
  'iteration_limit',
  'budget_exhausted',
  'deadline',
  'error',
]);
export type StopReason = z.infer<typeof StopReasonSchema>;

export interface ModelStep {
  kind: 'model';
  iteration: number;
  model: string;
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
  /** The template the conversation was rendered from. */
  prompt: PromptRef;
  usage: Usage;
  costUsd: number | null;
  latencyMs: number;
  /** Answered from the response cache: what the original call cost (null: unknown price). */
  cacheHit?: { savedUsd: number | null };
}

export interface ToolStep {
  kind: 'tool';
  iteration: number;
  toolName: string;
  arguments: string;
  ok: boolean;
  /** The observation given back to the model (shortened in the trace when long). */
  observation: string;
  latencyMs: number;
}

export interface CapsRaisedStep {
  kind: 'caps_raised';
  iteration: number;
  caps: AgentCaps;
}

export type AgentStep = ModelStep | ToolStep | CapsRaisedStep;

export interface RunTotals {
  usage: Usage;
  totalTokens: number;
  costUsd: number;
  /** False when some call used a model without a known price: `costUsd` is then a lower bound. */
  costComplete: boolean;
  modelCalls: number;
  toolCalls: number;
  /** Model calls answered from the response cache, and what their original calls had cost. */
  cacheHits: number;
  cacheSavedUsd: number;
}

export interface AgentResult {
  answer: string | null;
  stopReason: StopReason;
  /** One sentence on why the run stopped, e.g. which cap and its value. */
  stopDetail: string;
  iterations: number;
  caps: AgentCaps;
  totals: RunTotals;
  trace: AgentStep[];
  /** Each move down the fallback chain, when the model named was an alias (or failed over). */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  error?: { type: string; message: string };
}

export type AgentStatus = 'running' | 'waiting_for_caps' | 'finished';

export interface AgentProgress {
  status: AgentStatus;
  model: string;
  iteration: number;
  caps: AgentCaps;
  totals: RunTotals;
  elapsedMs: number;
  stopReason?: StopReason;
  stopDetail?: string;
  answer?: string | null;
  /** The number of trace steps so far; `steps` holds those after the index the query asked from. */
  stepCount: number;
  steps: AgentStep[];
}
