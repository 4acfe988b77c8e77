import { z } from 'zod';
import type { AssistantMessage, ChatResponse, FinishReason, ToolCall } from '../../../common/chat.js';
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

type AnthropicMessage = z.output<typeof AnthropicMessageSchema>;
type ToolUseBlock = z.output<typeof ToolUseBlockSchema>;

/** A `tool_use` block's `input` as JSON text; a block without input stands for an empty object. */
function inputText(block: ToolUseBlock): string {
  return JSON.stringify(block.input ?? {});
}

/** The reply as text and tool calls: text blocks joined, `tool_use` blocks with their input as JSON text. */
function toAssistantMessage(message: AnthropicMessage): AssistantMessage {
  const text: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block?.type === 'text') text.push(block.text);
    if (block?.type === 'tool_use')
      toolCalls.push({ id: block.id, name: block.name, arguments: inputText(block) });
  }
  return { role: 'assistant', content: text.join(''), toolCalls };
}

/**
 * The reply to a forced output tool (see `toAnthropicOutputTool`): the tool's input is the
 * structured answer. A `tool_use` stop is the normal end of such a reply, not a request to run a
 * tool. Without the block, whatever text the model wrote stands as the answer, for the caller's
 * validation to reject and repair.
 */
function toStructuredOutput(
  message: AnthropicMessage,
  outputName: string,
): Pick<ChatResponse, 'message' | 'finishReason'> {
  const output = message.content.find(
    (block): block is ToolUseBlock => block?.type === 'tool_use' && block.name === outputName,
  );
  const content = output ? inputText(output) : toAssistantMessage(message).content;
  const finishReason =
    message.stop_reason === 'tool_use' ? 'stop' : fromAnthropicStopReason(message.stop_reason);
  return { message: { role: 'assistant', content, toolCalls: [] }, finishReason };
}

/**
 * A Messages API response body as a `ChatResponse`: text blocks joined, `tool_use` blocks as
 * tool calls with their `input` as JSON text. For a request with a response format, `outputName`
 * names its output tool, whose input becomes the content instead. Throws a
 * `ModelResponseMalformed` failure when the body is not a message. Anthropic reports cache reads
 * and writes apart from `input_tokens`; they are added back so that `inputTokens` is the whole
 * prompt, as for every provider.
 */
export function fromAnthropicResponse(body: unknown, outputName?: string): ChatResponse {
  const message = parseProviderResponse('Anthropic message', AnthropicMessageSchema, body);
  const { usage } = message;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const answer =
    outputName !== undefined
      ? toStructuredOutput(message, outputName)
      : { message: toAssistantMessage(message), finishReason: fromAnthropicStopReason(message.stop_reason) };
  return {
    ...answer,
    usage: {
      inputTokens: usage.input_tokens + cacheRead + (usage.cache_creation_input_tokens ?? 0),
      cachedInputTokens: cacheRead,
      ...(usage.cache_creation_input_tokens
        ? { cacheWriteInputTokens: usage.cache_creation_input_tokens }
        : {}),
      outputTokens: usage.output_tokens,
      reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
    },
    responseModel: message.model,
  };
}
