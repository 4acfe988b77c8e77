import type { ApprovalOutcome } from '../../common/approvals.js';
/** The steps a trace records of model and tool calls, and a tool's result as the model reads it. */
import type { CallChatModelOutput, RunToolOutput } from '../../activities/index.js';
import type { ModelStep, ToolStep } from '../../common/trace-steps.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { RouteDecision } from '../../common/route-request.js';
import type { ToolCall, ToolResultMessage } from '../../common/chat.js';
import type { StoredToolResult } from '../../common/conversation.js';
import type { CapsMeter } from './caps-meter.js';
import { shortenForTrace } from './trace-text.js';

/** Counts a model call in the run's meter and adds its step to the trace, at its model-call number. */
export function recordModelCall(
  meter: CapsMeter,
  trace: { push(step: ModelStep): unknown },
  call: CallChatModelOutput,
  prompt: PromptRef,
): void {
  meter.addModelCall(call);
  trace.push(modelStep(meter.totals.modelCalls, call, prompt));
}

export function modelStep(
  iteration: number,
  call: CallChatModelOutput,
  prompt: PromptRef,
  route?: RouteDecision,
): ModelStep {
  const { response, costUsd, latencyMs, cacheHit, contextFit } = call;
  return {
    kind: 'model',
    iteration,
    model: response.responseModel,
    text: response.message.content,
    toolCalls: response.message.toolCalls,
    finishReason: response.finishReason,
    prompt,
    usage: response.usage,
    costUsd,
    latencyMs,
    ...(cacheHit
      ? {
          cacheHit: {
            savedUsd: cacheHit.savedUsd,
            ...(cacheHit.similarity !== undefined ? { similarity: cacheHit.similarity } : {}),
          },
        }
      : {}),
    ...(route ? { route: { complexity: route.complexity, reasons: route.reasons } } : {}),
    ...(contextFit ? { contextFit } : {}),
  };
}

/**
 * A tool call as the trace records it. Its latency is the one the tool measured where it ran
 * (`result.latencyMs`), else `waitedMs`, the workflow's own measure (a call that never ran, or
 * a run recorded before tools measured themselves).
 */
export function toolStep(
  iteration: number,
  call: ToolCall,
  result: RunToolOutput,
  waitedMs: number,
  approval?: ApprovalOutcome,
): ToolStep {
  return {
    kind: 'tool',
    iteration,
    toolName: call.name,
    arguments: call.arguments,
    ok: result.ok,
    observation: shortenForTrace(result.observation),
    latencyMs: result.latencyMs ?? waitedMs,
    ...(approval ? { approval } : {}),
  };
}

/** The tool's observation as the message the model reads next: by reference when it was stored. */
export function toolResultMessage(
  call: ToolCall,
  result: RunToolOutput,
): ToolResultMessage | StoredToolResult {
  const message = { role: 'tool' as const, toolCallId: call.id, toolName: call.name, isError: !result.ok };
  return result.stored
    ? { ...message, contentRef: result.stored }
    : { ...message, content: result.observation };
}
