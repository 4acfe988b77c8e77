import type { CallChatModelOutput, RunToolOutput } from '../../activities/index.js';
import type { AgentInput } from '../../common/agent.js';
import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import type { ModelStep, ToolStep } from '../../common/trace-steps.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { ChatMessage, ChatRequest, ToolCall, ToolResultMessage, ToolSpec } from '../../common/chat.js';
import { outputAllowance } from './caps.js';
import { shortenForTrace } from './conversation.js';

/** The variables an agent's template is rendered with: the question, then whatever the caller adds. */
export function agentPromptVariables(
  input: Pick<AgentInput, 'question' | 'promptVariables'>,
): Record<string, string> {
  return { ...input.promptVariables, question: input.question };
}

/** The next model request; its output allowance is cut to what the token cap leaves. */
export function nextModelRequest(
  input: Pick<AgentInput, 'temperature'>,
  messages: ChatMessage[],
  tools: ToolSpec[],
  caps: RunCaps,
  totals: RunTotals,
): ChatRequest {
  return {
    messages,
    tools,
    temperature: input.temperature,
    maxOutputTokens: outputAllowance(caps, totals),
  };
}

export function modelStep(iteration: number, call: CallChatModelOutput, prompt: PromptRef): ModelStep {
  const { response, costUsd, latencyMs, cacheHit } = call;
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
    ...(cacheHit ? { cacheHit: { savedUsd: cacheHit.savedUsd } } : {}),
  };
}

export function toolStep(
  iteration: number,
  call: ToolCall,
  result: RunToolOutput,
  latencyMs: number,
): ToolStep {
  return {
    kind: 'tool',
    iteration,
    toolName: call.name,
    arguments: call.arguments,
    ok: result.ok,
    observation: shortenForTrace(result.observation),
    latencyMs,
  };
}

/** The tool's observation as the message the model reads next. */
export function toolResultMessage(call: ToolCall, result: RunToolOutput): ToolResultMessage {
  return {
    role: 'tool',
    toolCallId: call.id,
    toolName: call.name,
    content: result.observation,
    isError: !result.ok,
  };
}
