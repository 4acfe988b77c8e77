import { createHash } from 'node:crypto';
import { ChatRequestSchema, type ChatRequest } from '../../../common/chat.js';

/**
 * The exact-match key of a model call: sha256 of the canonical JSON of the normalized request.
 * Two requests share a key when the model would see the same thing: the same model, messages
 * (roles, text, tool calls, tool results), tools, response format, temperature and output
 * limit. What normalization forgives, and why:
 *
 * - object key order and `undefined` fields: artifacts of how the request was built;
 * - whitespace at the ends of message text: templates and joins add it, models ignore it;
 * - tool call ids: providers make up new random ids on every call, so a conversation that
 *   replays the same tool calls would never match again. Each id is replaced by its position
 *   of first appearance, which keeps which result answers which call.
 *
 * Array order (messages, tools, tool calls) is kept: it is part of what the model sees.
 */
export function cacheKey(model: string, request: ChatRequest): string {
  return createHash('sha256')
    .update(canonicalJson(normalizeRequest(model, request)), 'utf8')
    .digest('hex');
}

/** The request as the key sees it. Exported for tests and for debugging a surprising miss. */
export function normalizeRequest(model: string, request: ChatRequest): unknown {
  // Parsing applies the schema's defaults, so `toolCalls: []` and a missing one look the same.
  const parsed = ChatRequestSchema.parse(request);
  const toolCallIds = new Map<string, string>();
  const ordinal = (id: string): string => {
    let alias = toolCallIds.get(id);
    if (alias === undefined) {
      alias = `call_${toolCallIds.size}`;
      toolCallIds.set(id, alias);
    }
    return alias;
  };
  const messages = parsed.messages.map((message) => {
    switch (message.role) {
      case 'system':
      case 'user':
        return { role: message.role, content: message.content.trim() };
      case 'assistant':
        return {
          role: message.role,
          content: message.content.trim(),
          toolCalls: message.toolCalls.map((call) => ({
            id: ordinal(call.id),
            name: call.name,
            arguments: call.arguments,
          })),
        };
      case 'tool':
        return {
          role: message.role,
          toolCallId: ordinal(message.toolCallId),
          toolName: message.toolName,
          content: message.content.trim(),
          isError: message.isError,
        };
    }
  });
  return {
    model: model.trim(),
    messages,
    tools: parsed.tools,
    responseFormat: parsed.responseFormat,
    temperature: parsed.temperature,
    maxOutputTokens: parsed.maxOutputTokens,
  };
}

/**
 * JSON with object keys sorted at every depth and `undefined` fields left out (as
 * `JSON.stringify` leaves them out), so equal data always gives equal text.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) sorted[key] = sortKeys(field);
    }
    return sorted;
  }
  return value;
}

export interface CachePolicyOptions {
  /** Cache sampled answers too (temperature above 0, or the provider's default). */
  allowNonZeroTemperature?: boolean | undefined;
}

/**
 * Whether an exact cache may answer this request. At temperature 0 a repeat is expected to get
 * the same answer, so serving the stored one is safe. Above 0 the caller asked for a sample, and
 * a cache would hand every caller the same sample (self-consistency would vote N times on one
 * answer), so only an explicit opt-in caches it. A request without a temperature gets the
 * provider's default, which is 1 for OpenAI and Anthropic: it counts as above 0.
 */
export function shouldUseCache(request: ChatRequest, options: CachePolicyOptions = {}): boolean {
  if (options.allowNonZeroTemperature) return true;
  return request.temperature === 0;
}
