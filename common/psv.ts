import type { TraceSegment } from './agent.js';
import type { BlobRef } from './blob-ref.js';
import { z } from 'zod';
import { ApprovalSettingsSchema } from './approvals.js';
import { ToolNameSchema } from './chat.js';
import type { GuardedResult } from './guards.js';
import type { Plan } from './plan.js';
import { PromptRefSchema } from './prompt-template.js';
import type { RouteDecision } from './route-request.js';
import {
  RunCapsSchema,
  runInputFields,
  StopReasonSchema,
  type ModelFallback,
  type RunCaps,
  type RunError,
  type RunTotals,
} from './run-contract.js';
import type { ModelStep, ToolStep } from './trace-steps.js';

export const PsvPromptsSchema = z.object({
  plan: PromptRefSchema.default({ id: 'psv.plan', version: 'v1' }),
  verify: PromptRefSchema.default({ id: 'psv.verify', version: 'v1' }),
  /** The template sub-agents solve their step with (a ReAct agent template). */
  solve: PromptRefSchema.default({ id: 'psv.solve', version: 'v1' }),
});

export const PsvInputSchema = z.object({
  task: z.string().trim().min(1, 'the task is empty'),
  /** Sub-agents continue on the run's model chain and reserve against its budget. */
  ...runInputFields,
  /** Tools the plan may call directly and sub-agents may use. */
  /** The worker's tools, MCP servers (all their tools) or MCP tools (`files__read_file`); an unknown one fails the run at start. */
  tools: z.array(ToolNameSchema).default(['calculator']),
  /** Tool calls of the plan's steps that wait for a person: the tools beyond those marked `requireApproval`, and how long. */
  approval: ApprovalSettingsSchema.default(ApprovalSettingsSchema.parse({})),
  /** Caps for the whole run, sub-agents included: `maxIterations` bounds all model calls. */
  caps: RunCapsSchema.default(RunCapsSchema.parse({ maxIterations: 30 })),
  /** New plans after a failed verification; past it the run stops with `verification_failed`. */
  maxReplans: z.number().int().min(0).max(10).default(2),
  /** Repair turns per structured call (plan, verdict) before it fails with `ModelOutputInvalid`. */
  maxRepairs: z.number().int().min(0).max(5).default(2),
  prompts: PsvPromptsSchema.default(PsvPromptsSchema.parse({})),
});
export type PsvInput = z.output<typeof PsvInputSchema>;
export type PsvRequest = z.input<typeof PsvInputSchema>;

export const PsvStopReasonSchema = z.enum([...StopReasonSchema.options, 'verification_failed']);
export type PsvStopReason = z.infer<typeof PsvStopReasonSchema>;

/** What solving one step produced. `ok: false` when the tool or sub-agent could not give a result. */
export interface StepResult {
  stepId: string;
  via: 'tool' | 'agent';
  ok: boolean;
  /**
   * The tool's observation (its beginning, when `stored`) or the sub-agent's answer; on failure,
   * what went wrong.
   */
  result: string;
  /** A long observation, whole, in the blob store: the judge reads it from there. */
  stored?: BlobRef;
  /** The sub-agent's run, for `via: 'agent'`. */
  workflowId?: string;
}

export interface StepVerification {
  stepId: string;
  /** `check`: the plan's programmatic check; `judge`: a model; `failed`: there was no result to verify. */
  method: 'check' | 'judge' | 'failed';
  pass: boolean;
  reason: string;
}

/** One plan and what became of it. */
export interface PsvAttempt {
  plan: Plan;
  steps: StepResult[];
  verification: StepVerification[];
  /** Every step solved and verified. */
  passed: boolean;
}

export interface AgentRunStep {
  kind: 'agent';
  stepId: string;
  workflowId: string;
  stopReason: string;
  answer: string | null;
  totals: RunTotals;
}

export type PsvTraceStep = ModelStep | ToolStep | AgentRunStep;

export interface PsvResult extends GuardedResult {
  /** The verified result of the plan's answer step; null unless the run stopped with `answer`. */
  answer: string | null;
  /** The planner's confidence in the plan that passed. */
  confidence?: number;
  stopReason: PsvStopReason;
  stopDetail: string;
  /**
   * Every plan tried, in order, with its step results and verification report (empty when
   * `attemptsStored` holds them: the blob store, read back with `withWholePsvResult`).
   */
  attempts: PsvAttempt[];
  attemptsStored?: BlobRef;
  caps: RunCaps;
  totals: RunTotals;
  /** The trace (empty when `traceSegments` holds it: the blob store, read back with `withWholeTrace`). */
  trace: PsvTraceStep[];
  traceSegments?: TraceSegment[];
  /** Each move down the model chain (and each budget downgrade), sub-agents' included. */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  error?: RunError;
}

export interface PsvProgress {
  status: 'running' | 'finished';
  phase: string;
  attempt: number;
  totals: RunTotals;
  elapsedMs: number;
}
