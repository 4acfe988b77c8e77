import { z } from 'zod';
import { PromptRefSchema, type PromptRef } from './prompt-template.js';
import type { RouteDecision } from './route-request.js';
import {
  ModelFieldSchema,
  RunCapsSchema,
  runInputFields,
  type ModelFallback,
  type RunCaps,
  type RunError,
  type RunTotals,
  type StopReason,
} from './run-contract.js';
import type { ModelStep, ToolStep } from './trace-steps.js';

export const defaultAgentPrompt: PromptRef = { id: 'agent.system', version: 'v1' };

export const AgentInputSchema = z.object({
  question: z.string().trim().min(1, 'the question is empty'),
  ...runInputFields,
  /**
   * The chain a parent run resolved (a Plan -> Solve -> Verify sub-agent): used as it is, from its
   * first model, so nothing is routed or resolved again and models the parent left are skipped.
   */
  models: z.array(ModelFieldSchema).min(1).optional(),
  /** With `models`: the providers whose calls the parent sent through their own (rate-limited) queue. */
  providerQueues: z.array(z.string()).optional(),
  tools: z.array(z.string().min(1)).default(['calculator']),
  /** The template that frames the question; `{{question}}` and `promptVariables` fill it. */
  prompt: PromptRefSchema.default(defaultAgentPrompt),
  promptVariables: z.record(z.string(), z.string()).default({}),
  caps: RunCapsSchema.default(RunCapsSchema.parse({})),
  /** How long a run stopped by a cap waits for `raiseCapsUpdate` before it ends; 0 ends at once. */
  holdOnCapMs: z.number().int().nonnegative().default(0),
});
export type AgentInput = z.output<typeof AgentInputSchema>;
export type AgentRequest = z.input<typeof AgentInputSchema>;

export interface CapsRaisedStep {
  kind: 'caps_raised';
  iteration: number;
  caps: RunCaps;
}

export type AgentStep = ModelStep | ToolStep | CapsRaisedStep;

export interface AgentResult {
  answer: string | null;
  stopReason: StopReason;
  /** One sentence on why the run stopped, e.g. which cap and its value. */
  stopDetail: string;
  iterations: number;
  caps: RunCaps;
  totals: RunTotals;
  trace: AgentStep[];
  /** Each move down the fallback chain, when the model named was an alias (or failed over). */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  error?: RunError;
}

export type AgentStatus = 'running' | 'waiting_for_caps' | 'finished';

export interface AgentProgress {
  status: AgentStatus;
  model: string;
  iteration: number;
  caps: RunCaps;
  totals: RunTotals;
  elapsedMs: number;
  stopReason?: StopReason;
  stopDetail?: string;
  answer?: string | null;
  /** The number of trace steps so far; `steps` holds those after the index the query asked from. */
  stepCount: number;
  steps: AgentStep[];
}
