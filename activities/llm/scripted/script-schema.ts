import { z } from 'zod';

/** Per-reply fault injection. Faults apply before (or instead of) the scripted answer. */
export const FaultSchema = z.object({
  /** Answer with this HTTP status and an error body shaped like the provider's. */
  status: z.number().int().min(400).max(599).optional(),
  /** Sent as the `retry-after` header (seconds) with an error status. */
  retryAfterSeconds: z.number().nonnegative().optional(),
  /** Provider error code, e.g. `context_length_exceeded`. */
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  /** Wait this long before answering. */
  delayMs: z.number().int().nonnegative().optional(),
  /** Never answer; the connection stays open until the client gives up. */
  hang: z.boolean().optional(),
  /** Answer 200 with a body that is not JSON. */
  malformed: z.boolean().optional(),
  /**
   * Answer 200 with a reply that says nothing: no text and no tool calls, in each protocol's
   * shape of it (Anthropic: `content: []` with `stop_reason: "tool_use"`; OpenAI: empty content,
   * no tool calls, `finish_reason: "stop"`).
   */
  empty: z.boolean().optional(),
  /**
   * Answer 200 with a valid response cut off in the middle; a streamed answer sends half its
   * events and then drops the connection, as a proxy that dies mid-reply does.
   */
  truncated: z.boolean().optional(),
  /** When the answer is streamed (to a request that asks for a stream), wait this long between chunks. */
  chunkDelayMs: z.number().int().nonnegative().optional(),
});

export const ScriptedToolCallSchema = z.object({
  name: z.string().min(1),
  /** An object is sent as its JSON text; a string is sent verbatim (to script invalid arguments). */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
});

/**
 * One scripted answer. `text` may contain `{{lastToolResult}}`, `{{lastUserMessage}}` and
 * `{{systemMessage}}`, which are replaced with the request's last tool result, last user message
 * and system prompt (a model that leaks its instructions). For a request with a
 * response format, the text is the structured output (see the protocols for how it is sent).
 */
export const ScriptedReplySchema = FaultSchema.extend({
  text: z.string().default(''),
  /**
   * Any JSON value, sent as its JSON text in place of `text`: structured output written readably.
   * Sent verbatim, without placeholders (a substituted value could break the JSON).
   */
  json: z.json().optional(),
  toolCalls: z.array(ScriptedToolCallSchema).default([]),
  /** Reported usage; counts not given are estimated from the text (about 4 characters a token). */
  usage: z
    .object({
      inputTokens: z.number().int().nonnegative(),
      outputTokens: z.number().int().nonnegative(),
      cachedInputTokens: z.number().int().nonnegative(),
    })
    .partial()
    .optional(),
}).refine((reply) => reply.json === undefined || reply.text === '', {
  message: 'give either text or json, not both',
  path: ['json'],
});

/** Conditions a request must all meet for a rule to answer it. Patterns are case-insensitive regexes. */
export const RuleMatchSchema = z.object({
  lastUserMessage: z.string().optional(),
  lastToolResult: z.string().optional(),
  /** The number of assistant messages already in the request: 0 for the first call of a conversation. */
  step: z.number().int().nonnegative().optional(),
  model: z.string().optional(),
  protocol: z.enum(['openai', 'anthropic']).optional(),
  /** Matched against the name of the requested structured output; a request without one never matches. */
  responseFormat: z.string().optional(),
});

export const ScriptRuleSchema = z.object({
  match: RuleMatchSchema.default({}),
  reply: ScriptedReplySchema,
  /** How many requests this rule may answer; unlimited when absent. */
  times: z.number().int().positive().optional(),
});

/**
 * A fake-LLM script. For each request the first rule that matches (and has uses left) answers;
 * otherwise the next ordered turn; otherwise the server fails loudly (HTTP 500 naming the request).
 */
export const FakeLlmScriptSchema = z.object({
  rules: z.array(ScriptRuleSchema).default([]),
  turns: z.array(ScriptedReplySchema).default([]),
});

export type Fault = z.infer<typeof FaultSchema>;
export type ScriptedReply = z.infer<typeof ScriptedReplySchema>;
export type ScriptRule = z.infer<typeof ScriptRuleSchema>;
export type FakeLlmScript = z.input<typeof FakeLlmScriptSchema>;
export type ParsedFakeLlmScript = z.output<typeof FakeLlmScriptSchema>;
