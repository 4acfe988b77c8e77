import { z } from 'zod';
import { ChatRequestSchema, type ChatMessage, type ToolCall } from '../common/chat.js';
import { parseJsonObject } from '../common/parse-json-object.js';
import { describeZodIssues } from './format-issues.js';
import { contextLengthExceededCode, type ScriptReply } from './script-engine.js';
import {
  fakeContextWindow,
  tokensOverLimit,
  type WireError,
  type WireParseResult,
  type WireProtocolAdapter,
} from './wire-protocol.js';

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
  tools: z
    .array(
      z.object({
        name: z.string().min(1),
        description: z.string().optional(),
        input_schema: z.record(z.string(), z.unknown()),
      }),
    )
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

/** Converts an Anthropic Messages request body into the neutral `ChatRequest`. */
export function parseAnthropicRequest(body: unknown): WireParseResult {
  const wire = AnthropicMessagesRequestSchema.safeParse(body);
  if (!wire.success) return invalid(describeZodIssues(wire.error.issues));
  const { model, system, messages, tools, temperature, max_tokens } = wire.data;

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
    tools: (tools ?? []).map((tool) => ({
      name: tool.name,
      description: tool.description ?? '',
      parameters: tool.input_schema,
    })),
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

/** The `message` object Anthropic answers with. */
export function anthropicMessageBody(
  reply: ScriptReply,
  meta: { readonly requestNumber: number; readonly model: string },
): unknown {
  const { usage } = reply;
  const content: unknown[] = [];
  // Anthropic leaves out an empty text block before tool calls, but always has content otherwise.
  if (reply.text !== '' || reply.toolCalls.length === 0) content.push({ type: 'text', text: reply.text });
  for (const call of reply.toolCalls) {
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: toolUseInput(call.arguments) });
  }
  return {
    id: `msg_fake_${meta.requestNumber}`,
    type: 'message',
    role: 'assistant',
    model: meta.model,
    content,
    stop_reason: reply.finishReason === 'tool_calls' ? 'tool_use' : 'end_turn',
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

/** Anthropic's error `type` for each HTTP status it uses. */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function defaultMessage(status: number, model: string): string {
  switch (status) {
    case 401:
      return 'invalid x-api-key (fake-llm scripted fault)';
    case 404:
      return `model: ${model} (fake-llm scripted fault)`;
    case 429:
      return 'Number of request tokens has exceeded your per-minute rate limit (fake-llm scripted fault)';
    case 529:
      return 'Overloaded (fake-llm scripted fault)';
    default:
      return status >= 500
        ? 'Internal server error (fake-llm scripted fault)'
        : `fake-llm scripted fault: HTTP ${status}`;
  }
}

/**
 * Anthropic's error body, `{ type: 'error', error: { type, message } }`. A context-length error
 * reads exactly like the one Anthropic sends for a prompt that does not fit. Anthropic bodies
 * have no error code, so any other scripted `errorCode` is not sent: the type follows the status.
 */
export function anthropicErrorBody(error: WireError): unknown {
  if (error.code === contextLengthExceededCode) {
    const limit = fakeContextWindow.anthropic;
    const message =
      error.message ??
      `prompt is too long: ${tokensOverLimit(error.inputTokens, limit)} tokens > ${limit} maximum`;
    return { type: 'error', error: { type: 'invalid_request_error', message } };
  }
  return {
    type: 'error',
    error: {
      type: anthropicErrorType(error.status),
      message: error.message ?? defaultMessage(error.status, error.model),
    },
  };
}

/** The Anthropic Messages protocol, for the fake server. */
export const anthropicProtocol: WireProtocolAdapter = {
  protocol: 'anthropic',
  requestIdHeader: 'request-id',
  requestId: (requestNumber) => `req_fake_${requestNumber}`,
  parseRequest: parseAnthropicRequest,
  successBody: anthropicMessageBody,
  errorBody: anthropicErrorBody,
};
