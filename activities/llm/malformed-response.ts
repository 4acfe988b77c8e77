import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ChatResponse } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';

/**
 * The failure an adapter throws when a provider answered 200 with a body that is not a valid
 * response of its protocol (no choices, a missing usage count, a string instead of JSON). Thrown
 * as an `ApplicationFailure` because `toModelFailure` passes those through unchanged: a validation
 * error's own class or message says nothing the mapper could recognise. Retryable, as a garbled
 * answer is usually a one-off.
 */
export function malformedResponseFailure(protocol: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.ModelResponseMalformed,
    message: `${protocol} response malformed: ${reason}`,
  });
}

/**
 * The failure for a reply that says nothing: no text (or only white space) and no tool calls,
 * whatever its finish reason. An empty reply is never an answer; a retry usually gets one.
 */
export function emptyReplyFailure(response: ChatResponse): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.ModelReplyEmpty,
    message: `the model replied with no text and no tool calls (finish reason ${response.finishReason}, ${response.usage.outputTokens} output tokens)`,
  });
}

/** Whether a reply says nothing a run could use: no text and no tool calls. */
export function isEmptyReply(response: ChatResponse): boolean {
  return response.message.content.trim() === '' && response.message.toolCalls.length === 0;
}

/**
 * Parses `body` with `schema`, or throws `malformedResponseFailure` naming what did not match.
 * Only the fields an adapter reads are in its schema, so providers may add fields freely.
 */
export function parseProviderResponse<Schema extends z.ZodType>(
  protocol: string,
  schema: Schema,
  body: unknown,
): z.output<Schema> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const received = typeof body === 'string' ? ` (received text: ${JSON.stringify(body.slice(0, 200))})` : '';
  throw malformedResponseFailure(protocol, `${z.prettifyError(parsed.error)}${received}`);
}
