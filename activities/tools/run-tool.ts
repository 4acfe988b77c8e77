import { Context } from '@temporalio/activity';
import { ApplicationFailure, type MetricMeter } from '@temporalio/common';
import { describeIssues } from '../../common/describe-issues.js';
import { substituteStepResults } from '../../common/plan.js';
import { ErrorType } from '../../common/errors.js';
import type { BlobRef } from '../../common/blob-ref.js';
import type { BlobStore } from '../blobs/blob-store.js';
import type { GuardRun, GuardStep } from '../../common/guards.js';
import { currentGuardPlace, type GuardService } from '../guards/guard-service.js';
import { randomUUID } from 'node:crypto';
import { spotlightBoundary } from '../../common/spotlight.js';
import type { RunTotals } from '../../common/run-contract.js';
import { addModelCall, addTotals, emptyTotals } from '../../common/run-totals.js';
import type { CallChatModelOutput, WholeRequestInput } from '../llm/call-chat-model.js';
import { unmaskDeep } from '../guards/pii/mask-pii.js';
import { ToolInputError } from './tool.js';
import { getTool, type ToolRegistry } from './tool-registry.js';
import type { McpConnections } from '../mcp/mcp-connections.js';
import { outcomeOf, recordToolCall } from './tool-metrics.js';
import { recordGuardVerdict } from '../guards/guard-metrics.js';

export interface RunToolInput {
  name: string;
  /** The raw JSON text the model produced. */
  arguments: string;
  /**
   * Results of earlier plan steps kept in the blob store, by step id: each `{{steps.<id>}}` in
   * the arguments becomes that result's whole text here (the run holds only its beginning).
   */
  stepResults?: Record<string, BlobRef> | undefined;
  /**
   * The run's guards: the result of a tool that reaches outside (not a pure one) goes through the
   * untrusted stage here, before it is returned, so unjudged outside text never enters history.
   */
  guard?: GuardRun | undefined;
  /** The model the run is calling: a tool that asks a model (`ToolContext.callModel`) asks this one. */
  model?: string | undefined;
  /** The customer the run acts for (`ToolContext.customer`). */
  customer?: string | undefined;
  /** Arguments the run fixes: they replace what the model wrote under the same names. */
  fixed?: Record<string, unknown> | undefined;
}

/** `ok: false` means the model's call was unusable; `observation` then says why, for the model. */
export interface RunToolOutput {
  ok: boolean;
  /** The observation, or with `stored` its beginning (for the trace). */
  observation: string;
  /** A long observation, whole, in the blob store: the model reads it from there. */
  stored?: BlobRef | undefined;
  /**
   * How long the tool ran, measured here: recorded with the result, so the trace says the same
   * on every replay (a workflow's clock around a local activity does not).
   */
  latencyMs?: number | undefined;
  /** The untrusted stage's verdict on the result, unless it let it pass (`allow`). */
  guard?: GuardStep | undefined;
  /** Model work the tool paid for (`ToolContext.spend`, `callModel`), for the run's totals and caps. */
  spent?: RunTotals | undefined;
}

/** What tool calls use beyond the tools: each optional, for tests of the tools alone. */
export interface RunToolServices {
  /** Where long observations and stored step results are kept. */
  blobs?: BlobStore | undefined;
  /** The untrusted stage results go through, the PII vault and the audit trail. */
  guards?: GuardService | undefined;
  /** The model layer a tool's `callModel` goes through. */
  callChatModel?: ((input: WholeRequestInput) => Promise<CallChatModelOutput>) | undefined;
  /** Where tool calls are counted (the worker's meter); without it, the activity's own. */
  meter?: MetricMeter | undefined;
  /** The worker's MCP servers, whose tools are called by their full names (`files__read_file`). */
  mcp?: McpConnections | undefined;
}

/**
 * Observations longer than this are stored in the blob store, and only their reference and
 * beginning travel through history: every character of a result otherwise lands in history twice
 * (this activity's result, the next model call's input), at every step.
 */
export const inlineObservationChars = 256;

/** The beginning of a stored observation that its result keeps, for the run's trace. */
const previewChars = 200;

/**
 * Runs one tool call. Arguments that are not JSON, fail the tool's zod schema or that the tool
 * rejects come back as `ok: false` observations instead of failures, so the model can correct
 * itself without a retry. An unknown tool is a non-retryable `UnknownTool` failure. Other errors
 * are `ToolFailed` failures that Temporal retries. Storing a long observation is idempotent (the
 * blob store is content-addressed).
 */
export function createRunTool(registry: ToolRegistry, services: RunToolServices = {}) {
  const { blobs, guards, callChatModel, meter, mcp } = services;
  const observed = async (observation: string, latencyMs: number): Promise<RunToolOutput> => {
    if (!blobs || observation.length <= inlineObservationChars) return { ok: true, observation, latencyMs };
    const stored = await blobs.put(observation);
    const rest = observation.length - previewChars;
    return {
      ok: true,
      observation: `${observation.slice(0, previewChars)} [... ${rest} more characters in ${stored.key}]`,
      stored,
      latencyMs,
    };
  };
  /** `raw` with the stored step results it refers to filled in. */
  const withStepResults = async (raw: unknown, stepResults: Record<string, BlobRef>): Promise<unknown> => {
    if (!blobs)
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: 'this worker has no blob store to read stored step results from',
        nonRetryable: true,
      });
    const texts = await Promise.all(
      Object.entries(stepResults).map(async ([id, ref]): Promise<[string, string]> => [
        id,
        await blobs.get(ref),
      ]),
    );
    return substituteStepResults(raw, new Map(texts));
  };
  const run = async (input: RunToolInput): Promise<RunToolOutput> => {
    const tool = getTool(registry, input.name, mcp);
    let raw: unknown;
    try {
      raw = input.arguments.trim() === '' ? {} : JSON.parse(input.arguments);
    } catch {
      return {
        ok: false,
        observation: `${ErrorType.InvalidToolInput}: arguments are not valid JSON: ${input.arguments.slice(0, 200)}`,
      };
    }
    if (input.stepResults) raw = await withStepResults(raw, input.stepResults);
    if (input.fixed && raw !== null && typeof raw === 'object' && !Array.isArray(raw))
      raw = { ...raw, ...input.fixed };
    // A tool that acts on the customer's data gets the values behind the run's placeholders.
    if (tool.personalData && input.guard && guards)
      raw = unmaskDeep(raw, await guards.vaultEntries(input.guard.vaultId));
    const parsed = tool.inputSchema.safeParse(raw);
    if (!parsed.success) {
      return {
        ok: false,
        observation: `${ErrorType.InvalidToolInput}: ${describeIssues(parsed.error.issues, '(input)').join('; ')}`,
      };
    }
    const context = Context.current();
    const { workflowExecution, activityId } = context.info;
    const workflowId = workflowExecution?.workflowId ?? 'standalone';
    const started = performance.now();
    const boundary = spotlightBoundary(workflowExecution?.runId ?? randomUUID());
    let spent: RunTotals | undefined;
    const spend = (totals: RunTotals) => {
      spent = addTotals(spent ?? emptyTotals, totals);
    };
    const { model } = input;
    try {
      const observation = await tool.execute(parsed.data, {
        signal: context.cancellationSignal,
        idempotencyKey: `${workflowId}/${activityId}`,
        workflowId,
        customer: input.customer,
        boundary,
        spend,
        callModel:
          model && callChatModel
            ? async (request) => {
                const call = await callChatModel({ model, request });
                spend(addModelCall(emptyTotals, call.response.usage, call.costUsd, call.cacheHit));
                return call.response;
              }
            : undefined,
      });
      const latencyMs = Math.round(performance.now() - started);
      const withSpent = (output: RunToolOutput): RunToolOutput => (spent ? { ...output, spent } : output);
      if (!input.guard || !guards || tool.pure) return withSpent(await observed(observation, latencyMs));
      const place = currentGuardPlace(input.guard.tenant);
      // The call as the model wrote it (with the run's placeholders), for the audit trail.
      await guards.record(
        'tool-call',
        { tool: input.name, arguments: input.arguments.slice(0, 2_000) },
        place,
      );
      const { step, text } = await guards.check(
        'untrusted',
        `${input.name} result`,
        observation,
        input.guard,
        place,
        boundary,
      );
      recordGuardVerdict(meter ?? context.metricMeter, 'untrusted', step.verdict);
      if (step.verdict === 'block')
        return withSpent({
          ok: false,
          observation: `${ErrorType.Blocked}: the result of ${input.name} was withheld: ${step.reasons.join('; ')}`,
          latencyMs,
          guard: step,
        });
      const output = withSpent(await observed(text, latencyMs));
      return step.verdict === 'allow' ? output : { ...output, guard: step };
    } catch (error) {
      if (error instanceof ToolInputError)
        return { ok: false, observation: `${ErrorType.InvalidToolInput}: ${error.message}` };
      if (error instanceof ApplicationFailure) throw error;
      throw ApplicationFailure.create({
        type: ErrorType.ToolFailed,
        message: `${input.name}: ${(error as Error).message}`,
      });
    }
  };
  return async function runTool(input: RunToolInput): Promise<RunToolOutput> {
    const started = performance.now();
    const counted = (outcome: string) =>
      recordToolCall(
        meter ?? Context.current().metricMeter,
        input.name,
        outcome,
        (performance.now() - started) / 1000,
      );
    try {
      const output = await run(input);
      counted(outcomeOf(output));
      return output;
    } catch (error) {
      counted(error instanceof ApplicationFailure ? (error.type ?? 'ToolFailed') : 'ToolFailed');
      throw error;
    }
  };
}
