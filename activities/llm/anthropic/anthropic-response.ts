import { z } from 'zod';
import type { ChatResponse, FinishReason, ToolCall } from '../../../common/chat.js';
import { parseProviderResponse } from '../malformed-response.js';

const count = z.number().int().nonnegative();

const TextBlockSchema = z.object({ type: z.literal('text'), text: z.string() });
const ToolUseBlockSchema = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
});
/** Thinking and server-tool blocks: carried by the API, not used by this adapter, read as null. */
const IgnoredBlockSchema = z
  .object({ type: z.string().refine((type) => type !== 'text' && type !== 'tool_use') })
  .transform(() => null);

/** The parts of a Messages API response the adapter reads; anything else is ignored. */
const AnthropicMessageSchema = z.object({
  model: z.string(),
  content: z.array(z.union([TextBlockSchema, ToolUseBlockSchema, IgnoredBlockSchema])),
  stop_reason: z.string().nullable(),
  usage: z.object({
    input_tokens: count,
    output_tokens: count,
    cache_read_input_tokens: count.nullish(),
    cache_creation_input_tokens: count.nullish(),
    output_tokens_details: z.object({ thinking_tokens: count.nullish() }).nullish(),
  }),
});

/** Anthropic `stop_reason` as a provider-neutral `FinishReason`. */
export function fromAnthropicStopReason(reason: string | null): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * A Messages API response body as a `ChatResponse`: text blocks joined, `tool_use` blocks as
 * tool calls with their `input` as JSON text. Throws a `ModelResponseMalformed` failure when the
 * body is not a message. Anthropic reports cache reads and writes apart from `input_tokens`;
 * they are added back so that `inputTokens` is the whole prompt, as for every provider.
 */
export function fromAnthropicResponse(body: unknown): ChatResponse {
  const message = parseProviderResponse('Anthropic message', AnthropicMessageSchema, body);
  const text: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block?.type === 'text') text.push(block.text);
    if (block?.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  const { usage } = message;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  return {
    message: { role: 'assistant', content: text.join(''), toolCalls },
    usage: {
      inputTokens: usage.input_tokens + cacheRead + (usage.cache_creation_input_tokens ?? 0),
      cachedInputTokens: cacheRead,
      outputTokens: usage.output_tokens,
      reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
    },
    finishReason: fromAnthropicStopReason(message.stop_reason),
    responseModel: message.model,
  };
}
