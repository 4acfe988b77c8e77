import { z } from 'zod';
import {
  ChatRequestSchema,
  type ChatMessage,
  type ResponseFormat,
  type ToolCall,
  type ToolSpec,
} from '../common/chat.js';
import { parseJsonObject } from '../common/parse-json-object.js';
import { describeZodIssues } from '../common/describe-issues.js';
import { anthropicErrorBody } from './anthropic-error-body.js';
import { anthropicStreamEvents } from './stream-events.js';
import type { ScriptReply } from '../activities/llm/scripted/script-engine.js';
import type { ReplyContext, WireParseResult, WireProtocolAdapter } from './wire-protocol.js';

// Wire shapes of the Anthropic Messages API, as far as the fake reads them. Unknown fields are
// ignored (and kept in the recorded raw body), so newer clients keep working.

const TextBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string() });
/** Blocks with nothing for a script to match on; accepted so that real clients are not refused. */
const OpaqueBlockSchema = z.looseObject({
  type: z.enum(['image', 'document', 'thinking', 'redacted_thinking']),
});

const ToolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.union([TextBlockSchema, OpaqueBlockSchema]))]).optional(),
  is_error: z.boolean().optional(),
});

const ContentBlockSchema = z.discriminatedUnion('type', [
  TextBlockSchema,
  z.looseObject({
    type: z.literal('tool_use'),
    id: z.string().min(1),
    name: z.string().min(1),
    input: z.record(z.string(), z.unknown()),
  }),
  ToolResultBlockSchema,
  OpaqueBlockSchema,
]);

const AnthropicToolSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});
type AnthropicTool = z.infer<typeof AnthropicToolSchema>;

/** The request body of `POST /v1/messages`, as far as the fake reads it. */
export const AnthropicMessagesRequestSchema = z.object({
  model: z.string().min(1),
  // Required by the real API too: a missing max_tokens is an adapter bug worth catching here.
  max_tokens: z.number().int().positive(),
  system: z.union([z.string(), z.array(TextBlockSchema)]).optional(),
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant']),
        content: z.union([z.string(), z.array(ContentBlockSchema)]),
      }),
    )
    .min(1),
  tools: z.array(AnthropicToolSchema).optional(),
  tool_choice: z
    .discriminatedUnion('type', [
      z.looseObject({ type: z.literal('tool'), name: z.string().min(1) }),
      z.looseObject({ type: z.enum(['auto', 'any', 'none']) }),
    ])
    .optional(),
  temperature: z.number().optional(),
});
export type AnthropicMessagesRequest = z.infer<typeof AnthropicMessagesRequestSchema>;

type ContentBlock = z.infer<typeof ContentBlockSchema>;

function textOf(blocks: readonly { type: string; text?: unknown }[]): string {
  return blocks
    .flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : []))
    .join('\n');
}

/**
 * One Anthropic message can hold text and tool results together; the neutral shape has one
 * message per tool result, so a user turn becomes tool messages and user text in block order.
 */
function userMessages(
  blocks: readonly ContentBlock[],
  toolNames: ReadonlyMap<string, string>,
): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pendingText: string[] = [];
  const flushText = (): void => {
    if (pendingText.length > 0) out.push({ role: 'user', content: pendingText.join('\n') });
    pendingText = [];
  };
  for (const block of blocks) {
    if (block.type === 'text') pendingText.push(block.text);
    if (block.type !== 'tool_result') continue;
    flushText();
    out.push({
      role: 'tool',
      toolCallId: block.tool_use_id,
      toolName: toolNames.get(block.tool_use_id) ?? 'unknown_tool',
      content: typeof block.content === 'string' ? block.content : textOf(block.content ?? []),
      isError: block.is_error ?? false,
    });
  }
  flushText();
  return out;
}

function assistantMessage(blocks: readonly ContentBlock[], toolNames: Map<string, string>): ChatMessage {
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (block.type !== 'tool_use') continue;
    toolNames.set(block.id, block.name);
    toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input) });
  }
  return { role: 'assistant', content: textOf(blocks), toolCalls };
}

const neutralTool = (tool: AnthropicTool): ToolSpec => ({
  name: tool.name,
  description: tool.description ?? '',
  parameters: tool.input_schema,
});

/**
 * The request's tools in the neutral shape. A tool forced by `tool_choice` is how Anthropic is
 * asked for structured output (see the adapter), so it becomes the `responseFormat` and leaves the
 * tools; were other tools offered beside it, the neutral request refuses them.
 */
function neutralTools(
  tools: readonly AnthropicTool[],
  toolChoice: AnthropicMessagesRequest['tool_choice'],
): { tools: ToolSpec[]; responseFormat?: ResponseFormat } | { error: string } {
  if (toolChoice?.type !== 'tool') return { tools: tools.map(neutralTool) };
  const forced = tools.find((tool) => tool.name === toolChoice.name);
  if (!forced) return { error: `tool_choice: names tool "${toolChoice.name}", which is not among the tools` };
  const { name, description, input_schema } = forced;
  return {
    tools: tools.filter((tool) => tool !== forced).map(neutralTool),
    responseFormat: { name, ...(description !== undefined ? { description } : {}), schema: input_schema },
  };
}

/** Converts an Anthropic Messages request body into the neutral `ChatRequest`. */
export function parseAnthropicRequest(body: unknown): WireParseResult {
  const wire = AnthropicMessagesRequestSchema.safeParse(body);
  if (!wire.success) return invalid(describeZodIssues(wire.error.issues));
  const { model, system, messages, tools, tool_choice, temperature, max_tokens } = wire.data;
  const toolFields = neutralTools(tools ?? [], tool_choice);
  if ('error' in toolFields) return invalid([toolFields.error]);

  const neutral: ChatMessage[] = [];
  const systemText = typeof system === 'string' ? system : textOf(system ?? []);
  if (system !== undefined) neutral.push({ role: 'system', content: systemText });
  // Tool results carry only the tool_use id; the neutral shape also wants the tool's name.
  const toolNames = new Map<string, string>();
  for (const message of messages) {
    const blocks: ContentBlock[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    if (message.role === 'assistant') neutral.push(assistantMessage(blocks, toolNames));
    else neutral.push(...userMessages(blocks, toolNames));
  }

  const chat = ChatRequestSchema.safeParse({
    messages: neutral,
    ...toolFields,
    ...(temperature !== undefined ? { temperature } : {}),
    maxOutputTokens: max_tokens,
  });
  if (!chat.success) return invalid(describeZodIssues(chat.error.issues));
  return { ok: true, value: { model, chatRequest: chat.data } };
}

function invalid(issues: string[]): WireParseResult {
  return { ok: false, message: `fake-llm: invalid messages request: ${issues.join('; ')}` };
}

/**
 * A tool_use `input` must be an object, but a script may give arguments as any string (to test
 * how invalid arguments are handled). Arguments that parse to a JSON object are sent as that
 * object; anything else is sent verbatim as `{ "_raw": "<the scripted string>" }`, which no
 * real tool schema accepts, so the invalid-input path is still exercised.
 */
export function toolUseInput(argumentsText: string): Record<string, unknown> {
  return parseJsonObject(argumentsText) ?? { _raw: argumentsText };
}

/** The key scripted structured output goes under when it is not a JSON object. */
export const unparsedOutputKey = '_unparsed_output';

/**
 * Scripted structured output as the forced tool's `input`. A real model's output tool input is
 * always an object; a script that answers anything else (to test the caller's repair loop) is
 * sent as `{ "_unparsed_output": "<the scripted text>" }`, which still reaches the caller as
 * output its schema rejects, with the scripted text visible in it.
 */
export function outputToolInput(text: string): Record<string, unknown> {
  return parseJsonObject(text) ?? { [unparsedOutputKey]: text };
}

/**
 * The content blocks of a reply. Anthropic leaves out an empty text block before tool calls, but
 * always has content otherwise. Structured output is the forced tool's `tool_use` in place of text.
 */
function contentBlocks(reply: ScriptReply, context: ReplyContext): unknown[] {
  const { responseFormat } = context;
  const content: unknown[] = [];
  if (responseFormat) {
    const id = `toolu_output_${context.requestNumber}`;
    content.push({ type: 'tool_use', id, name: responseFormat.name, input: outputToolInput(reply.text) });
  } else if (reply.text !== '' || reply.toolCalls.length === 0) {
    content.push({ type: 'text', text: reply.text });
  }
  for (const call of reply.toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolUseInput(call.arguments) });
  }
  return content;
}

/** The `message` object Anthropic answers with. */
export function anthropicMessageBody(reply: ScriptReply, context: ReplyContext): unknown {
  const { usage } = reply;
  const usesTool = context.responseFormat !== undefined || reply.finishReason === 'tool_calls';
  return {
    id: `msg_fake_${context.requestNumber}`,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: contentBlocks(reply, context),
    stop_reason: usesTool ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: {
      // Anthropic counts cached input separately; the neutral usage includes it in inputTokens.
      input_tokens: Math.max(usage.inputTokens - usage.cachedInputTokens, 0),
      output_tokens: usage.outputTokens,
      cache_read_input_tokens: usage.cachedInputTokens,
      cache_creation_input_tokens: 0,
    },
  };
}

/** A message that says nothing, as Anthropic has sent one: no content blocks at all, `stop_reason: "tool_use"`. */
export function anthropicEmptyBody(context: ReplyContext & { usage: ScriptReply['usage'] }): unknown {
  const body = anthropicMessageBody(
    { text: '', toolCalls: [], usage: context.usage, finishReason: 'tool_calls' },
    { ...context, responseFormat: undefined },
  ) as Record<string, unknown>;
  return { ...body, content: [], stop_reason: 'tool_use' };
}

/** The Anthropic Messages protocol, for the fake server. */
export const anthropicProtocol: WireProtocolAdapter = {
  protocol: 'anthropic',
  requestIdHeader: 'request-id',
  requestId: (requestNumber) => `req_fake_${requestNumber}`,
  parseRequest: parseAnthropicRequest,
  successBody: anthropicMessageBody,
  emptyBody: anthropicEmptyBody,
  streamEvents: (body) => anthropicStreamEvents(body),
  errorBody: anthropicErrorBody,
};
