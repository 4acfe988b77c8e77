import type { CallChatModelOutput, RunToolOutput } from '../../activities/index.js';
import type { AgentCaps, AgentInput, ModelStep, RunTotals, ToolStep } from '../../common/agent.js';
import type { ChatMessage, ChatRequest, ToolCall, ToolResultMessage, ToolSpec } from '../../common/chat.js';
import { shortenForTrace } from './conversation.js';

/** Output tokens asked for per call: never more than the token budget has left. */
const maxOutputTokensPerCall = 4_096;

/** The system prompt and the question: where every agent conversation starts. */
export function openingMessages(input: Pick<AgentInput, 'systemPrompt' | 'question'>): ChatMessage[] {
  return [
    { role: 'system', content: input.systemPrompt },
    { role: 'user', content: input.question },
  ];
}

/** The next model request; its output allowance is cut to what the token cap leaves. */
export function nextModelRequest(
  input: Pick<AgentInput, 'temperature'>,
  messages: ChatMessage[],
  tools: ToolSpec[],
  caps: AgentCaps,
  totals: RunTotals,
): ChatRequest {
  return {
    messages,
    tools,
    temperature: input.temperature,
    maxOutputTokens: Math.max(1, Math.min(maxOutputTokensPerCall, caps.maxTotalTokens - totals.totalTokens)),
  };
}

export function modelStep(iteration: number, call: CallChatModelOutput): ModelStep {
  const { response, costUsd, latencyMs } = call;
  return {
    kind: 'model',
    iteration,
    model: response.responseModel,
    text: response.message.content,
    toolCalls: response.message.toolCalls,
    finishReason: response.finishReason,
    usage: response.usage,
    costUsd,
    latencyMs,
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
