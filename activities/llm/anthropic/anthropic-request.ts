import { countTokens } from '../../prompts/count-tokens.js';
import type {
  ContentBlockParam,
  MessageCreateParamsNonStreaming,
  MessageParam,
  Tool,
  ToolChoiceTool,
  ToolUseBlockParam,
} from '@anthropic-ai/sdk/resources/messages';
import type {
  AssistantMessage,
  ChatMessage,
  ChatRequest,
  ResponseFormat,
  ToolCall,
  ToolSpec,
} from '../../../common/chat.js';
import { parseJsonObject } from '../../../common/parse-json-object.js';

/** The key a tool call's arguments go under when they are not a JSON object. */
export const unparsedArgumentsKey = '_unparsed_arguments';

/**
 * A tool call's `arguments` text as a `tool_use` block's `input`, which Anthropic requires to be
 * an object. Text that is not a JSON object was produced by the model itself; it is sent back as
 * `{ "_unparsed_arguments": "<raw>" }` rather than `{}`, so the model sees what it actually wrote
 * next to the tool result that rejected it and can correct it, and the history stays truthful.
 */
export function toToolUseInput(argumentsText: string): Record<string, unknown> {
  return parseJsonObject(argumentsText) ?? { [unparsedArgumentsKey]: argumentsText };
}

function toToolUseBlock(call: ToolCall): ToolUseBlockParam {
  return { type: 'tool_use', id: call.id, name: call.name, input: toToolUseInput(call.arguments) };
}

function toAssistantContent(message: AssistantMessage): MessageParam['content'] {
  if (message.toolCalls.length === 0) return message.content;
  // Anthropic rejects empty text blocks, so a turn that only calls tools has none.
  const text: ContentBlockParam[] = message.content === '' ? [] : [{ type: 'text', text: message.content }];
  return [...text, ...message.toolCalls.map(toToolUseBlock)];
}

function asBlocks(content: MessageParam['content']): ContentBlockParam[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/**
 * The conversation without its system messages, as Anthropic messages. Tool results become
 * `tool_result` blocks of a user message, and adjacent messages of the same role are merged into
 * one, because Anthropic wants all results of one assistant turn in the single user message
 * that follows it.
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): MessageParam[] {
  const wire: Array<{ role: 'user' | 'assistant'; content: MessageParam['content'] }> = [];
  for (const message of messages) {
    let next: { role: 'user' | 'assistant'; content: MessageParam['content'] };
    switch (message.role) {
      case 'system':
        continue;
      case 'user':
        next = { role: 'user', content: message.content };
        break;
      case 'assistant':
        next = { role: 'assistant', content: toAssistantContent(message) };
        break;
      case 'tool':
        next = {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: message.toolCallId,
              content: message.content,
              ...(message.isError ? { is_error: true } : {}),
            },
          ],
        };
        break;
    }
    const previous = wire.at(-1);
    if (previous?.role === next.role)
      previous.content = [...asBlocks(previous.content), ...asBlocks(next.content)];
    else wire.push(next);
  }
  return wire;
}

/** The system messages joined into Anthropic's top-level `system`, or `undefined` when there are none. */
export function toAnthropicSystem(messages: readonly ChatMessage[]): string | undefined {
  const system = messages.filter((message) => message.role === 'system').map((message) => message.content);
  return system.length > 0 ? system.join('\n\n') : undefined;
}

/** One `ToolSpec` as an Anthropic client tool; its JSON Schema becomes `input_schema`. */
export function toAnthropicTool(tool: ToolSpec): Tool {
  return {
    name: tool.name,
    description: tool.description,
    input_schema: { type: 'object', ...tool.parameters },
  };
}

/**
 * A `ResponseFormat` as Anthropic's way to structured output: one tool whose input schema is the
 * output schema, forced by `tool_choice`, so the answer arrives as that tool's `input`. Parallel
 * use is off so that there is exactly one answer to read. The `$schema` dialect marker that
 * `z.toJSONSchema` adds is dropped: Anthropic checks input schemas as draft 2020-12, which a
 * draft-07 marker would contradict.
 */
export function toAnthropicOutputTool(format: ResponseFormat): {
  tools: Tool[];
  tool_choice: ToolChoiceTool;
} {
  const { $schema: _dialect, ...schema } = format.schema;
  const tool: Tool = {
    name: format.name,
    ...(format.description !== undefined ? { description: format.description } : {}),
    input_schema: { type: 'object', ...schema },
  };
  return { tools: [tool], tool_choice: { type: 'tool', name: format.name, disable_parallel_tool_use: true } };
}

function toolFields(request: ChatRequest): Pick<MessageCreateParamsNonStreaming, 'tools' | 'tool_choice'> {
  if (request.responseFormat) return toAnthropicOutputTool(request.responseFormat);
  return request.tools.length > 0 ? { tools: request.tools.map(toAnthropicTool) } : {};
}

/**
 * The non-streaming Messages API body for `request`. `max_tokens` is mandatory on this API, so
 * `defaultMaxOutputTokens` applies when the request sets none. `request.temperature` is not
 * sent: the Messages API this SDK speaks has deprecated and removed the parameter, and a
 * sampling hint is not worth a request the API may reject. A `responseFormat` becomes a forced
 * tool (see `toAnthropicOutputTool`).
 */
export function toAnthropicRequest(
  model: string,
  request: ChatRequest,
  defaultMaxOutputTokens: number,
): MessageCreateParamsNonStreaming {
  const system = toAnthropicSystem(request.messages);
  const tools = toolFields(request);
  return {
    model,
    max_tokens: request.maxOutputTokens ?? defaultMaxOutputTokens,
    messages: toAnthropicMessages(request.messages),
    ...(system !== undefined ? { system: withPromptCaching(system, tools) } : {}),
    ...tools,
  };
}

/**
 * The smallest prefix Anthropic caches (1,024 tokens on Sonnet and Opus; Haiku needs 2,048 and
 * simply does not cache a shorter one). Counted with o200k, close enough to decide.
 */
export const minimumCachedPrefixTokens = 1_024;

/**
 * Anthropic prompt caching: the tools and the system prompt are the stable prefix of every call
 * of a run (and of every run on the same template), so when they are long enough the system
 * block carries `cache_control`, which caches everything up to it. Later calls read it at a
 * tenth of the input price (`cache_read_input_tokens`, counted as cached input). A short prefix
 * is left unmarked: there is nothing to save.
 */
export function withPromptCaching(
  system: string,
  tools: Pick<MessageCreateParamsNonStreaming, 'tools'>,
): MessageCreateParamsNonStreaming['system'] {
  const prefixTokens = countTokens(system) + (tools.tools ? countTokens(JSON.stringify(tools.tools)) : 0);
  if (prefixTokens < minimumCachedPrefixTokens) return system;
  return [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }];
}
