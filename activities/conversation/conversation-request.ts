import { ApplicationFailure } from '@temporalio/common';
import type { ChatRequest } from '../../common/chat.js';
import {
  ConversationRequestSchema,
  type ConversationRef,
  type ConversationRequest,
} from '../../common/conversation.js';
import { describeIssues } from '../../common/describe-issues.js';
import { ErrorType } from '../../common/errors.js';
import type { ConversationStore } from './conversation-store.js';

/**
 * The model request a stored-conversation request stands for: the conversation `base` rebuilt
 * from the store, with the appended messages stored after it (idempotent: a retry stores the
 * same node again, under the same key). Returns the request and the ref of the conversation it
 * sends, which the answer is appended to.
 * @throws ApplicationFailure `InvalidInput` (non-retryable) for a malformed request; an Error
 * (retried) when the store cannot be read.
 */
export async function requestFromConversation(
  store: ConversationStore,
  input: ConversationRequest,
): Promise<{ request: ChatRequest; sent: ConversationRef }> {
  const parsed = ConversationRequestSchema.safeParse(input);
  if (!parsed.success)
    throw ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: `conversation request: ${describeIssues(parsed.error.issues, '(request)').join('; ')}`,
      nonRetryable: true,
    });
  const { base, tools, append, temperature, maxOutputTokens } = parsed.data;
  const { ref, conversation } = await store.append(base, tools, append);
  // Not parsed again: every message and tool was parsed (or built by a provider adapter) on its
  // way into the store, and parsing
  // the whole conversation at every step would cost more the longer the run.
  const request: ChatRequest = {
    messages: conversation.messages,
    tools: conversation.tools,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
  };
  return { request, sent: ref };
}
