import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ChatMessage, ChatRequest, ToolSpec } from '../../../common/chat.js';

/** Which flavour of Chat Completions server the request is for. */
export type OpenAiWireFlavour = 'openai' | 'compatible';

/** One `ChatMessage` as a Chat Completions message. */
export function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content };
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant':
      if (message.toolCalls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // An assistant turn that only calls tools has no text; the API wants null there, not "".
        content: message.content === '' ? null : message.content,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: call.arguments },
        })),
      };
    case 'tool':
      // Chat Completions has no error flag on tool results: the content itself says what failed.
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

/** One `ToolSpec` as a Chat Completions function tool; `parameters` is already JSON Schema. */
export function toOpenAiTool(tool: ToolSpec): ChatCompletionFunctionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}

/** OpenAI's reasoning models (o-series, gpt-5) reject any temperature but their default. */
const reasoningModelPattern = /^(o\d|gpt-5)/;

/**
 * The non-streaming Chat Completions body for `request`. `tools` is left out when there are
 * none (the API rejects an empty list). The output limit goes in `max_completion_tokens` for
 * OpenAI, which rejects `max_tokens` on reasoning models, and in `max_tokens` for compatible
 * servers, several of which only know the older name.
 */
export function toOpenAiRequest(
  model: string,
  request: ChatRequest,
  flavour: OpenAiWireFlavour,
): ChatCompletionCreateParamsNonStreaming {
  return {
    model,
    messages: request.messages.map(toOpenAiMessage),
    ...(request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
    ...(request.temperature !== undefined && !(flavour === 'openai' && reasoningModelPattern.test(model))
      ? { temperature: request.temperature }
      : {}),
    ...(request.maxOutputTokens !== undefined
      ? flavour === 'openai'
        ? { max_completion_tokens: request.maxOutputTokens }
        : { max_tokens: request.maxOutputTokens }
      : {}),
  };
}
