import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { describeIssues } from '../../common/describe-issues.js';
import { ErrorType } from '../../common/errors.js';
import { ToolInputError } from './tool.js';
import { getTool, type ToolRegistry } from './tool-registry.js';

export interface RunToolInput {
  name: string;
  /** The raw JSON text the model produced. */
  arguments: string;
}

/** `ok: false` means the model's call was unusable; `observation` then says why, for the model. */
export interface RunToolOutput {
  ok: boolean;
  observation: string;
}

/**
 * Runs one tool call. Arguments that are not JSON, fail the tool's zod schema or that the tool
 * rejects come back as `ok: false` observations instead of failures, so the model can correct
 * itself without a retry. An unknown tool is a non-retryable `UnknownTool` failure. Other errors
 * are `ToolFailed` failures that Temporal retries.
 */
export function createRunTool(registry: ToolRegistry) {
  return async function runTool(input: RunToolInput): Promise<RunToolOutput> {
    const tool = getTool(registry, input.name);
    let raw: unknown;
    try {
      raw = input.arguments.trim() === '' ? {} : JSON.parse(input.arguments);
    } catch {
      return {
        ok: false,
        observation: `${ErrorType.InvalidToolInput}: arguments are not valid JSON: ${input.arguments.slice(0, 200)}`,
      };
    }
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
    try {
      const observation = await tool.execute(parsed.data, {
        signal: context.cancellationSignal,
        idempotencyKey: `${workflowId}/${activityId}`,
      });
      return { ok: true, observation };
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
}
