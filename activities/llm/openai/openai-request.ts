import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { ResponseFormatJSONSchema } from 'openai/resources/shared';
import type { ChatMessage, ChatRequest, ResponseFormat, ToolSpec } from '../../../common/chat.js';
import { isStrictCompatibleSchema } from './strict-json-schema.js';

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

/**
 * A `ResponseFormat` as a `json_schema` response format. The `$schema` dialect marker that
 * `z.toJSONSchema` adds is dropped: it is addressed to validators, not to the model. `strict` is on
 * only where OpenAI would accept the schema with it.
 */
export function toOpenAiResponseFormat(format: ResponseFormat): ResponseFormatJSONSchema {
  const { $schema: _dialect, ...schema } = format.schema;
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      ...(format.description !== undefined ? { description: format.description } : {}),
      schema,
      strict: isStrictCompatibleSchema(schema),
    },
  };
}

/** OpenAI's reasoning models (o-series, gpt-5) reject any temperature but their default. */
const reasoningModelPattern = /^(o\d|gpt-5)/;

/**
 * The non-streaming Chat Completions body for `request`. `tools` is left out when there are
 * none (the API rejects an empty list). The output limit goes in `max_completion_tokens` for
 * OpenAI, which rejects `max_tokens` on reasoning models, and in `max_tokens` for compatible
 * servers, several of which only know the older name. A `responseFormat` goes out as the same
 * `json_schema` response format for both flavours (llama.cpp, vLLM and Ollama accept it).
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
    ...(request.responseFormat ? { response_format: toOpenAiResponseFormat(request.responseFormat) } : {}),
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
