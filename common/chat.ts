import { z } from 'zod';

/** A tool call exactly as the model emitted it; `arguments` is the raw JSON text, validated later. */
export const ToolCallSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
});
export type ToolCall = z.infer<typeof ToolCallSchema>;

export const SystemMessageSchema = z.object({ role: z.literal('system'), content: z.string() });
export const UserMessageSchema = z.object({ role: z.literal('user'), content: z.string() });
export const AssistantMessageSchema = z.object({
  role: z.literal('assistant'),
  content: z.string(),
  toolCalls: z.array(ToolCallSchema).default([]),
});
export const ToolResultMessageSchema = z.object({
  role: z.literal('tool'),
  toolCallId: z.string().min(1),
  toolName: z.string().min(1),
  content: z.string(),
  isError: z.boolean().default(false),
});

export const ChatMessageSchema = z.discriminatedUnion('role', [
  SystemMessageSchema,
  UserMessageSchema,
  AssistantMessageSchema,
  ToolResultMessageSchema,
]);
export type ChatMessage = z.infer<typeof ChatMessageSchema>;
export type AssistantMessage = z.infer<typeof AssistantMessageSchema>;
export type ToolResultMessage = z.infer<typeof ToolResultMessageSchema>;

/** A tool as the model sees it: `parameters` is a JSON Schema object derived from the tool's zod schema. */
/** A tool's name as providers accept it; an MCP server's name (all its tools) is one too. */
export const ToolNameSchema = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names are 1-64 letters, digits, _ or -');

export const ToolSpecSchema = z.object({
  name: ToolNameSchema,
  description: z.string(),
  parameters: z.record(z.string(), z.unknown()),
});
export type ToolSpec = z.infer<typeof ToolSpecSchema>;

/** The tools a run offers, and the names of those that are pure (see `Tool.pure`). */
export interface DescribedTools {
  specs: ToolSpec[];
  pure: string[];
  /** Tools whose every call waits for a person to approve it (`requireApproval`); absent in runs recorded before. */
  approval?: string[];
  /**
   * How a tool's calls run when not as every tool's do (`ToolCallOptions`), by tool name; absent
   * for a run whose tools all run the default way, and in runs recorded before.
   */
  calls?: Record<string, ToolCallOptions>;
}

/** One tool's activity options, recorded with the run's tools so replay never asks the worker. */
export const ToolCallOptionsSchema = z.object({
  timeoutMs: z.number().int().positive().optional(),
  maximumAttempts: z.number().int().positive().optional(),
  initialIntervalMs: z.number().int().positive().optional(),
  maximumIntervalMs: z.number().int().positive().optional(),
});
export type ToolCallOptions = z.infer<typeof ToolCallOptionsSchema>;

/**
 * Token counts normalized across providers. `inputTokens` includes `cachedInputTokens` (read
 * from a provider's prompt cache) and `cacheWriteInputTokens` (written to it: Anthropic bills
 * those above plain input).
 */
export const UsageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedInputTokens: z.number().int().nonnegative().default(0),
  cacheWriteInputTokens: z.number().int().nonnegative().optional(),
  /** Reasoning tokens, already included in `outputTokens` (OpenAI reports them separately). */
  reasoningTokens: z.number().int().nonnegative().default(0),
});
export type Usage = z.infer<typeof UsageSchema>;

export const emptyUsage: Usage = {
  inputTokens: 0,
  outputTokens: 0,
  cachedInputTokens: 0,
  reasoningTokens: 0,
};

export const FinishReasonSchema = z.enum(['stop', 'tool_calls', 'length', 'content_filter', 'other']);
export type FinishReason = z.infer<typeof FinishReasonSchema>;

/**
 * Structured output: the answer must be one JSON value matching `schema` (a JSON Schema object,
 * usually derived from a zod schema). Adapters send it natively (OpenAI's `json_schema` response
 * format, Anthropic's forced tool) and return the JSON text as the assistant message's `content`,
 * with no tool calls. The schema's root must be an object: Anthropic's tool input schemas are.
 */
export const ResponseFormatSchema = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'output names are 1-64 letters, digits, _ or -'),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()),
});
export type ResponseFormat = z.infer<typeof ResponseFormatSchema>;

/** What a `ChatModel` is asked: provider-neutral, plain data. */
export const ChatRequestSchema = z
  .object({
    messages: z.array(ChatMessageSchema).min(1),
    tools: z.array(ToolSpecSchema).default([]),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
    responseFormat: ResponseFormatSchema.optional(),
  })
  .refine((request) => !(request.responseFormat && request.tools.length > 0), {
    // Anthropic delivers structured output through a forced tool, which rules out other tools.
    message: 'a request with a responseFormat cannot also offer tools',
    path: ['tools'],
  });
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

/** What a `ChatModel` answers. Cost and latency are added by the activity, not the adapter. */
export const ChatResponseSchema = z.object({
  message: AssistantMessageSchema,
  usage: UsageSchema,
  finishReason: FinishReasonSchema,
  /** The model name the provider reports having used (may be a dated snapshot of the requested one). */
  responseModel: z.string(),
});
export type ChatResponse = z.infer<typeof ChatResponseSchema>;
