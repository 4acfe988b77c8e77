import { z } from 'zod';
import { ChatRequestSchema, type ChatMessage, type ResponseFormat } from '../common/chat.js';
import { describeZodIssues } from '../common/describe-issues.js';
import { openAiStreamEvents } from './stream-events.js';
import { contextLengthExceededCode, type ScriptReply } from '../activities/llm/scripted/script-engine.js';
import {
  fakeContextWindow,
  tokensOverLimit,
  type WireError,
  type WireParseResult,
  type WireProtocolAdapter,
} from './wire-protocol.js';

// Wire shapes of the OpenAI Chat Completions API, as far as the fake reads them. Unknown fields
// are ignored (and kept in the recorded raw body), so newer clients keep working.

/** Content is a string or an array of parts; only text parts carry anything the script can match. */
const ContentSchema = z.union([
  z.string(),
  z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  z.null(),
]);

const OpenAiToolCallSchema = z.object({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const OpenAiMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: ContentSchema }),
  // Newer models call the system prompt "developer"; both mean the same to the script.
  z.object({ role: z.literal('developer'), content: ContentSchema }),
  z.object({ role: z.literal('user'), content: ContentSchema }),
  z.object({
    role: z.literal('assistant'),
    content: ContentSchema.optional(),
    tool_calls: z.array(OpenAiToolCallSchema).optional(),
  }),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: ContentSchema }),
]);

/** Structured output; `strict` is recorded in the raw body but means nothing to a scripted answer. */
const JsonSchemaResponseFormatSchema = z.object({
  type: z.literal('json_schema'),
  json_schema: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    schema: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

/** `text`, `json_object` and newer kinds: accepted and recorded, with nothing for the script to use. */
const OtherResponseFormatSchema = z.looseObject({
  type: z.string().refine((type) => type !== 'json_schema'),
});

/** The request body of `POST /v1/chat/completions`, as far as the fake reads it. */
export const OpenAiChatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(OpenAiMessageSchema).min(1),
  tools: z
    .array(
      z.object({
        type: z.literal('function'),
        function: z.object({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
        }),
      }),
    )
    .optional(),
  response_format: z.union([JsonSchemaResponseFormatSchema, OtherResponseFormatSchema]).optional(),
  temperature: z.number().nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
});
export type OpenAiChatRequest = z.infer<typeof OpenAiChatRequestSchema>;

function contentText(content: z.infer<typeof ContentSchema> | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  // Non-text parts (images, audio) have nothing to match on; they stay in the recorded body.
  return content
    .flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : []))
    .join('\n');
}

/** A `json_schema` response format as the neutral `responseFormat`; other kinds have none. */
function neutralResponseFormat(format: OpenAiChatRequest['response_format']): ResponseFormat | undefined {
  const parsed = JsonSchemaResponseFormatSchema.safeParse(format);
  if (!parsed.success) return undefined;
  const { name, description, schema } = parsed.data.json_schema;
  return { name, ...(description !== undefined ? { description } : {}), schema: schema ?? {} };
}

/**
 * Converts an OpenAI Chat Completions request body into the neutral `ChatRequest`. A
 * `json_schema` response format becomes its `responseFormat`. The neutral request allows no tools
 * beside a response format (no adapter sends both), so a body with both is refused.
 */
export function parseOpenAiRequest(body: unknown): WireParseResult {
  const wire = OpenAiChatRequestSchema.safeParse(body);
  if (!wire.success) return invalid(describeZodIssues(wire.error.issues));
  const { model, messages, tools, response_format, temperature, max_tokens, max_completion_tokens } =
    wire.data;

  // Tool messages carry only the call id; the neutral shape also wants the tool's name.
  const toolNames = new Map<string, string>();
  const neutral: ChatMessage[] = messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: contentText(message.content) };
      case 'user':
        return { role: 'user', content: contentText(message.content) };
      case 'assistant': {
        const toolCalls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          return { id: call.id, name: call.function.name, arguments: call.function.arguments };
        });
        return { role: 'assistant', content: contentText(message.content), toolCalls };
      }
      case 'tool':
        return {
          role: 'tool',
          toolCallId: message.tool_call_id,
          toolName: toolNames.get(message.tool_call_id) ?? 'unknown_tool',
          content: contentText(message.content),
          isError: false,
        };
    }
  });

  const responseFormat = neutralResponseFormat(response_format);
  const chat = ChatRequestSchema.safeParse({
    messages: neutral,
    tools: (tools ?? []).map(({ function: fn }) => ({
      name: fn.name,
      description: fn.description ?? '',
      parameters: fn.parameters ?? { type: 'object', properties: {} },
    })),
    ...(temperature != null ? { temperature } : {}),
    ...((max_completion_tokens ?? max_tokens) != null
      ? { maxOutputTokens: max_completion_tokens ?? max_tokens }
      : {}),
    ...(responseFormat !== undefined ? { responseFormat } : {}),
  });
  if (!chat.success) return invalid(describeZodIssues(chat.error.issues));
  return {
    ok: true,
    value: {
      model,
      chatRequest: chat.data,
      ...(response_format !== undefined ? { responseFormat: response_format } : {}),
    },
  };
}

function invalid(issues: string[]): WireParseResult {
  return { ok: false, message: `fake-llm: invalid chat completions request: ${issues.join('; ')}` };
}

/** The `chat.completion` object OpenAI answers with. */
export function openAiCompletionBody(
  reply: ScriptReply,
  meta: { readonly requestNumber: number; readonly model: string; readonly created?: number },
): unknown {
  const { usage } = reply;
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: `chatcmpl-fake-${meta.requestNumber}`,
    object: 'chat.completion',
    created: meta.created ?? Math.floor(Date.now() / 1000),
    model: meta.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // OpenAI sends null content, and omits tool_calls, when there is nothing of that kind.
          content: reply.text === '' && toolCalls.length > 0 ? null : reply.text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason,
      },
    ],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
      prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
      completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    },
    system_fingerprint: 'fp_fake_llm',
  };
}

/** A completion that says nothing: empty content, no tool calls, `finish_reason: "stop"`. */
export function openAiEmptyBody(context: {
  requestNumber: number;
  model: string;
  usage: ScriptReply['usage'];
}): unknown {
  return openAiCompletionBody(
    { text: '', toolCalls: [], usage: context.usage, finishReason: 'stop' },
    { requestNumber: context.requestNumber, model: context.model },
  );
}

function errorTypeFor(status: number): string {
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const defaultCodes: Record<number, string> = {
  401: 'invalid_api_key',
  404: 'model_not_found',
  429: 'rate_limit_exceeded',
};

function defaultMessage(status: number, model: string): string {
  switch (status) {
    case 401:
      return 'Incorrect API key provided (fake-llm scripted fault).';
    case 404:
      return `The model \`${model}\` does not exist or you do not have access to it (fake-llm scripted fault).`;
    case 429:
      return `Rate limit reached for ${model} (fake-llm scripted fault). Please try again later.`;
    default:
      return status >= 500
        ? 'The server had an error while processing your request (fake-llm scripted fault).'
        : `fake-llm scripted fault: HTTP ${status}.`;
  }
}

/**
 * OpenAI's error body, `{ error: { message, type, param, code } }`. A context-length error reads
 * exactly like the one OpenAI sends for a prompt that does not fit.
 */
export function openAiErrorBody(error: WireError): unknown {
  if (error.code === contextLengthExceededCode) {
    const limit = fakeContextWindow.openai;
    const message =
      error.message ??
      `This model's maximum context length is ${limit} tokens. However, your messages resulted in ` +
        `${tokensOverLimit(error.inputTokens, limit)} tokens. Please reduce the length of the messages.`;
    return {
      error: { message, type: 'invalid_request_error', param: 'messages', code: contextLengthExceededCode },
    };
  }
  return {
    error: {
      message: error.message ?? defaultMessage(error.status, error.model),
      type: errorTypeFor(error.status),
      param: null,
      code: error.code ?? defaultCodes[error.status] ?? null,
    },
  };
}

/** The OpenAI Chat Completions protocol, for the fake server. */
export const openAiProtocol: WireProtocolAdapter = {
  protocol: 'openai',
  requestIdHeader: 'x-request-id',
  requestId: (requestNumber) => `req_fake_${requestNumber}`,
  parseRequest: parseOpenAiRequest,
  successBody: (reply, meta) => openAiCompletionBody(reply, meta),
  emptyBody: openAiEmptyBody,
  streamEvents: (body, request) =>
    openAiStreamEvents(body, {
      includeUsage:
        (request.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
    }),
  errorBody: openAiErrorBody,
};
