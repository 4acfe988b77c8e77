import type { z } from 'zod';
import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import type { RunTotals } from '../../common/run-contract.js';

export interface ToolContext {
  /** Aborted when the activity is cancelled. */
  signal: AbortSignal;
  /** Stable across retries of the same call: workflow id + activity id. Side-effecting tools pass it on. */
  idempotencyKey: string;
  /** The run that made the call; absent outside one. */
  workflowId?: string | undefined;
  /**
   * The customer the run acts for (a customer-service session's): a tool over customers' data
   * keeps to this one's and answers for no other. Absent: the run acts for the operator.
   */
  customer?: string | undefined;
  /** The run's spotlighting boundary: a tool that returns outside text wraps it with `spotlight`. */
  boundary: string;
  /**
   * Reports model work the tool paid for itself (an embedding, say): the run adds it to its
   * totals and caps, as it does its own calls.
   */
  spend(totals: RunTotals): void;
  /**
   * Calls the run's model through the worker's model layer (cache, breaker, limits, prices),
   * counted in the run's totals; absent when the run named no model for its tools.
   */
  callModel?: ((request: ChatRequest) => Promise<ChatResponse>) | undefined;
}

/**
 * A tool the agent can call. `inputSchema` is the single source of truth: it validates the
 * model's arguments and becomes the JSON Schema the model sees.
 *
 * `execute` returns the observation text. It throws `ToolInputError` for input that is valid by
 * the schema but still unusable (the model gets the message and can correct itself); any other
 * error is a tool failure, retried by Temporal when its `ApplicationFailure` says so.
 */
export interface Tool<Schema extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Schema;
  /**
   * No side effects, quick, and as good run twice as once (a calculation): the agent runs it as a
   * local activity, inside the workflow task, which saves a task-queue round trip a step. A result
   * a crash loses is computed again, at no cost. Leave unset for anything that reaches outside.
   */
  readonly pure?: boolean;
  /**
   * Every call waits for a person to approve it (`llmos approve`) before it runs: a refund, an
   * e-mail to a customer. A run can name more such tools (`approval.tools`).
   */
  readonly requireApproval?: boolean;
  /**
   * Acts on the customer's real data (sends them an e-mail, files their contact in a ticket): its
   * arguments get the values behind the run's placeholders (`<EMAIL_1>`) from the run's vault,
   * just before it runs. The model, history and the trace still hold only the placeholders.
   */
  readonly personalData?: boolean;
  /**
   * The call changes something outside (sends, files, pays): it gets `context.idempotencyKey` to
   * pass on, and a failed call is not repeated unless `retry` says how often (a tool that passes
   * the key on to a service that drops repeats may allow that). Never `pure`.
   */
  readonly sideEffects?: boolean;
  /** How long one attempt may take before Temporal times it out; 60 s when unset. */
  readonly timeoutMs?: number;
  /**
   * How Temporal retries a failed call: 3 attempts, a second apart, when unset (1 attempt for a
   * tool with `sideEffects`). A call whose input the tool rejects (`ToolInputError`) is never retried.
   */
  readonly retry?: ToolRetry;
  execute(input: z.output<Schema>, context: ToolContext): Promise<string>;
}

/** Every tool call's activity options unless its tool says otherwise (`localActivityOptions`). */
export const defaultToolCall = { timeoutMs: 60_000, maximumAttempts: 3 } as const;

export interface ToolRetry {
  /** Attempts in all, the first one included. */
  maximumAttempts?: number;
  initialIntervalMs?: number;
  maximumIntervalMs?: number;
}

/** The model asked for something the tool cannot do; told back to the model, never retried. */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

export function defineTool<Schema extends z.ZodType>(tool: Tool<Schema>): Tool<Schema> {
  return tool;
}
