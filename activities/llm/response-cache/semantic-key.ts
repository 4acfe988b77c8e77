import { createHash } from 'node:crypto';
import type { ChatRequest } from '../../../common/chat.js';
import { canonicalJson, normalizeRequest } from './cache-key.js';

/**
 * The cosine similarity from which the semantic cache serves a stored answer, chosen on
 * `npm run bench:semantic-cache` with the local embedding model.
 */
export const defaultSemanticCacheThreshold = 0.95;

/** Where a request is looked up in the semantic cache: everything but its question, and the question. */
export interface SemanticLookup {
  /**
   * SHA-256 of the request with its question left out, and of the embedding model: two requests
   * may share an answer only when the model, system prompt, tools, output format, temperature
   * and output limit are the same, and their questions were embedded alike.
   */
  contextKey: string;
  /** The last user message: the text whose meaning is compared. */
  question: string;
}

/**
 * The semantic cache's view of a request, or undefined when the request is not one question: a
 * request with an assistant turn or a tool result continues a conversation, and an answer
 * that fits one conversation's state must never be served to another that only reads alike.
 * Pure.
 */
export function semanticLookup(
  model: string,
  embeddingModel: string,
  request: ChatRequest,
): SemanticLookup | undefined {
  const last = request.messages.at(-1);
  if (last?.role !== 'user') return undefined;
  if (request.messages.some((message) => message.role !== 'system' && message.role !== 'user'))
    return undefined;
  const question = last.content.trim();
  if (question === '') return undefined;
  const context = normalizeRequest(model, {
    ...request,
    messages: [...request.messages.slice(0, -1), { ...last, content: '' }],
  });
  const contextKey = createHash('sha256')
    .update(embeddingModel)
    .update('\0')
    .update(canonicalJson(context), 'utf8')
    .digest('hex');
  return { contextKey, question };
}
