import type { AgentInput } from '../../common/agent.js';
import type { ChatMessage, ChatRequest, ToolSpec } from '../../common/chat.js';
import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import { outputAllowance } from '../lib/caps.js';

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
