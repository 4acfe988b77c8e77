import type { ChatRequest } from '../../common/chat.js';
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
  const texts = [
    ...request.messages.map((message) =>
      message.role === 'assistant'
        ? `${message.content}${JSON.stringify(message.toolCalls)}`
        : message.content,
    ),
    JSON.stringify(request.tools),
    request.responseFormat ? JSON.stringify(request.responseFormat) : '',
  ];
  return {
    inputTokens:
      texts.reduce((sum, text) => sum + countTokens(text), 0) + tokensPerMessage * request.messages.length,
    outputTokens: request.maxOutputTokens ?? defaultOutputTokens,
  };
}
