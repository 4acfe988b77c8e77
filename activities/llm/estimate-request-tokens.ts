import type { ChatMessage, ChatRequest, ToolSpec } from '../../common/chat.js';
import { countTokens } from '../prompts/count-tokens.js';

/** Output tokens assumed when a request sets no limit: the most a call asks for (workflows/lib/caps.ts). */
export const defaultOutputTokens = 4_096;
/** Per-message framing the providers add around each message's text. */
const tokensPerMessage = 4;

/**
 * The most tokens a request can use: its input counted with the o200k tokenizer (text, tool
 * calls, tool definitions, output schema) and its whole output allowance. An upper bound on
 * purpose: budget reservations and the tokens-per-minute limiter must cover what the call uses.
 */
export function estimateRequestTokens(request: ChatRequest): { inputTokens: number; outputTokens: number } {
  return {
    inputTokens:
      request.messages.reduce((sum, message) => sum + countMessageTokens(message), 0) +
      countToolTokens(request.tools) +
      (request.responseFormat ? countTokens(JSON.stringify(request.responseFormat)) : 0),
    outputTokens: request.maxOutputTokens ?? defaultOutputTokens,
  };
}

/** One message's input tokens: its text, its tool calls and the providers' framing. */
export function countMessageTokens(message: ChatMessage): number {
  const text =
    message.role === 'assistant' ? `${message.content}${JSON.stringify(message.toolCalls)}` : message.content;
  return countTokens(text) + tokensPerMessage;
}

/** The input tokens of the tool definitions a request offers. */
export function countToolTokens(tools: readonly ToolSpec[]): number {
  return countTokens(JSON.stringify(tools));
}
