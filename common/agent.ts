import type { CitationReport } from './citations.js';
import { z } from 'zod';
import { ApprovalSettingsSchema, type PendingApproval } from './approvals.js';
import { BlobKeySchema } from './blob-ref.js';
import { ToolCallOptionsSchema, ToolNameSchema } from './chat.js';
import { GuardStepSchema, type GuardedResult } from './guards.js';
import { AppendedMessageSchema, ConversationRefSchema } from './conversation.js';
import { PromptRefSchema, type PromptRef } from './prompt-template.js';
import { StreamTargetSchema } from './reply-stream.js';
import { RouteDecisionSchema, RoutePlanSchema, type RouteDecision } from './route-request.js';
import {
  ModelFallbackSchema,
  ModelFieldSchema,
  RunCapsSchema,
  RunTotalsSchema,
  runInputFields,
  type ModelFallback,
  type RunCaps,
  type RunError,
  type RunTotals,
  type StopReason,
} from './run-contract.js';
import type { ModelStep, ToolStep } from './trace-steps.js';
import { TenantPolicySchema } from './policies.js';

export const defaultAgentPrompt: PromptRef = { id: 'agent.system', version: 'v1' };

/**
 * Steps of a run's trace kept in the blob store, as a JSON array of `AgentStep`: the steps
 * numbered `from` to `from + steps - 1`. A long run keeps its trace there, so neither its
 * history nor its memory grows with it.
 */
export const TraceSegmentSchema = z.object({
  key: BlobKeySchema,
  bytes: z.number().int().nonnegative(),
  from: z.number().int().nonnegative(),
  steps: z.number().int().positive(),
});
export type TraceSegment = z.infer<typeof TraceSegmentSchema>;

/**
 * What an agent run carries into its next execution when it continues as new: everything its
 * result and its caps depend on, by value or by reference, and nothing that grows with the run
 * but the list of trace segments.
 */
export const AgentContinuationSchema = z.object({
  /** This execution's number: 2 for the first continuation. */
  execution: z.number().int().min(2),
  /** When the run's first execution started (epoch ms): the wall-time cap counts from it. */
  startedAt: z.number().int().nonnegative(),
  /** Model calls made so far. */
  iteration: z.number().int().nonnegative(),
  totals: RunTotalsSchema,
  /** The moves down the model chain so far; the chain itself goes on in `models`. */
  fallbacks: z.array(ModelFallbackSchema),
  route: RouteDecisionSchema.optional(),
  /** In a run routed call by call: how its later calls are routed. */
  routes: RoutePlanSchema.optional(),
  /** The stored conversation, and the tool results the model has not read yet. */
  conversation: ConversationRefSchema,
  pending: z.array(AppendedMessageSchema),
  /** The run's tools that run as local activities. */
  pureTools: z.array(z.string()),
  /** The tools marked `requireApproval` among the run's, whose calls wait for a person. */
  approvalTools: z.array(z.string()).optional(),
  /** The tools the run offers by the names the model calls them (an MCP server's, one by one). */
  offeredTools: z.array(z.string()).optional(),
  /** The run's tools whose calls run with their own timeout or retries (`ToolCallOptions`). */
  toolCalls: z.record(z.string(), ToolCallOptionsSchema).optional(),
  /** The trace so far, in the blob store. */
  traceSegments: z.array(TraceSegmentSchema),
  /** The guard verdicts so far that did more than let a text pass. */
  guards: z.array(GuardStepSchema).optional(),
  /** The canary tokens of the run's system prompt, which its answer must not repeat. */
  canaries: z.array(z.string()).optional(),
  /** The model asked for a person (`escalate_to_human`) in an earlier execution, and why. */
  escalation: z.object({ reason: z.string() }).optional(),
  /** Calls of earlier executions that waited for a person and did not run. */
  unapproved: z
    .array(
      z.object({
        tool: z.string(),
        decision: z.enum(['declined', 'timed_out']),
        by: z.string().optional(),
        reason: z.string().optional(),
      }),
    )
    .optional(),
});
export type AgentContinuation = z.infer<typeof AgentContinuationSchema>;

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
  /** With `models`: the policy the parent resolved for its tenant; every call is checked against it. */
  policy: TenantPolicySchema.optional(),
  /** The worker's tools, MCP servers (all their tools) or MCP tools (`files__read_file`); an unknown one fails the run at start. */
  tools: z.array(ToolNameSchema).default(['calculator']),
  /** Streams the model's text to this workflow's reply stream as it is written (see `common/reply-stream.ts`). */
  stream: StreamTargetSchema.optional(),
  /** The customer the run acts for: tools over customers' data (orders) keep to theirs. */
  customer: z.string().trim().min(1).optional(),
  /**
   * Arguments the run fixes, by tool: they replace what the model wrote under the same names
   * (a customer-service turn keeps `retrieve` to its knowledge base and the message's product).
   */
  toolArguments: z.record(z.string(), z.record(z.string(), z.json())).optional(),
  /** Tool calls that wait for a person: the tools beyond those marked `requireApproval`, and how long. */
  approval: ApprovalSettingsSchema.default(ApprovalSettingsSchema.parse({})),
  /**
   * With `retrieve`: how the answer's claims are checked against the passages they cite. Quotes
   * and words always; `entailment` also asks the run's model whether the passages entail each
   * claim; `unsupported` flags an unsupported claim in `citations` or removes it from the answer.
   */
  citationCheck: z
    .object({
      entailment: z.boolean().default(false),
      unsupported: z.enum(['flag', 'remove']).default('flag'),
    })
    .default({ entailment: false, unsupported: 'flag' }),
  /** The template that frames the question; `{{question}}` and `promptVariables` fill it. */
  prompt: PromptRefSchema.default(defaultAgentPrompt),
  promptVariables: z.record(z.string(), z.string()).default({}),
  caps: RunCapsSchema.default(RunCapsSchema.parse({})),
  /** How long a run stopped by a cap waits for `raiseCapsUpdate` before it ends; 0 ends at once. */
  holdOnCapMs: z.number().int().nonnegative().default(0),
  /**
   * Model calls per execution: the run continues as new after this many, as it does whenever
   * Temporal suggests it (a long history). Unset: only when Temporal suggests it.
   */
  continueAsNewAfter: z.number().int().positive().optional(),
  /**
   * What the result carries of the trace: its last steps (`recent`, the earlier ones stored), or
   * none, every step in the blob store (`stored`): for a parent that reads only the answer and
   * the totals (a PSV step, a self-consistency sample), as a child's result lands in its history.
   */
  resultTrace: z.enum(['recent', 'stored']).default('recent'),
  /** Set by the run itself when it continues as new; a caller leaves it out. */
  continued: AgentContinuationSchema.optional(),
});
export type AgentInput = z.output<typeof AgentInputSchema>;
export type AgentRequest = z.input<typeof AgentInputSchema>;

export interface CapsRaisedStep {
  kind: 'caps_raised';
  iteration: number;
  caps: RunCaps;
}

export type AgentStep = ModelStep | ToolStep | CapsRaisedStep;

export interface AgentResult extends GuardedResult {
  answer: string | null;
  stopReason: StopReason;
  /** One sentence on why the run stopped, e.g. which cap and its value. */
  stopDetail: string;
  iterations: number;
  caps: RunCaps;
  totals: RunTotals;
  /**
   * The trace's last steps (all of them when `traceSegments` is absent); the earlier ones are in
   * the blob store (`traceSegments`, in order). `withWholeTrace` of the client puts them together.
   */
  trace: AgentStep[];
  traceSegments?: TraceSegment[];
  /** How many executions the run took, when it continued as new. */
  executions?: number;
  /** Each move down the fallback chain, when the model named was an alias (or failed over). */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  error?: RunError;
  /** With the `retrieve` tool: each claim of the answer checked against the passages it cites. */
  citations?: CitationReport;
  /** The model called `escalate_to_human`: a person should take over after this answer, and why. */
  escalation?: { reason: string };
  /** Calls that waited for a person and did not run: declined, or nobody decided in time. */
  unapproved?: UnapprovedCall[];
}

export interface UnapprovedCall {
  tool: string;
  decision: 'declined' | 'timed_out';
  by?: string;
  reason?: string;
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
  /** Tool calls waiting for a person to approve or decline them. */
  awaitingApproval?: PendingApproval[];
  /** The number of trace steps so far; `steps` holds those after the index the query asked from. */
  stepCount: number;
  steps: AgentStep[];
  /** Steps after that index that are in the blob store already, before `steps`. */
  storedSteps?: TraceSegment[];
}
