import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { ChatResponse, FinishReason, ToolCall } from '../../../common/chat.js';
import { ErrorType } from '../../../common/errors.js';
import { parseProviderResponse } from '../malformed-response.js';

const count = z.number().int().nonnegative();

const OpenAiToolCallSchema = z.object({
  id: z.string().min(1),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const OpenAiChoiceSchema = z.object({
  finish_reason: z.string().nullish(),
  message: z.object({
    content: z.string().nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(OpenAiToolCallSchema).nullish(),
  }),
});

/** The parts of a chat completion the adapter reads; anything else the server sends is ignored. */
const OpenAiCompletionSchema = z.object({
  model: z.string(),
  // A tuple with a rest element: at least one choice, and the type says so.
  choices: z.tuple([OpenAiChoiceSchema], OpenAiChoiceSchema),
  // Always present from OpenAI; some local servers leave it out, and those cost nothing anyway.
  usage: z
    .object({
      prompt_tokens: count,
      completion_tokens: count,
      prompt_tokens_details: z.object({ cached_tokens: count.nullish() }).nullish(),
      completion_tokens_details: z.object({ reasoning_tokens: count.nullish() }).nullish(),
    })
    .nullish(),
});

/** Chat Completions `finish_reason` as a provider-neutral `FinishReason`. */
export function fromOpenAiFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    default:
      return 'other';
  }
}

/**
 * The failure for a completion whose `message.refusal` is set (OpenAI's structured outputs answer
 * a request they will not serve that way instead of with content). Non-retryable: the same
 * request is refused again, and a refusal read as content would only send the caller's repair
 * loop asking a model that has already said no.
 */
export function refusalFailure(refusal: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.ModelRequestRejected,
    message: `the model refused the request: ${refusal}`,
    nonRetryable: true,
    details: [{ refusal }],
  });
}

/**
 * A Chat Completions response body as a `ChatResponse`, from its first choice. Throws a
 * `ModelResponseMalformed` failure when the body is not a chat completion, and `refusalFailure`
 * when the model refused. `inputTokens` is `prompt_tokens`, which already includes the cached ones.
 * Structured output needs nothing special: it arrives as the message's content.
 */
export function fromOpenAiResponse(body: unknown): ChatResponse {
  const completion = parseProviderResponse('OpenAI chat completion', OpenAiCompletionSchema, body);
  const [choice] = completion.choices;
  const { refusal } = choice.message;
  if (refusal) throw refusalFailure(refusal);
  const toolCalls: ToolCall[] = (choice.message.tool_calls ?? []).map((call) => ({
    id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
  }));
  const reported = fromOpenAiFinishReason(choice.finish_reason);
  const usage = completion.usage;
  return {
    message: { role: 'assistant', content: choice.message.content ?? '', toolCalls },
    usage: {
      inputTokens: usage?.prompt_tokens ?? 0,
      outputTokens: usage?.completion_tokens ?? 0,
      cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
      reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    // Some compatible servers say "stop" while returning tool calls; the calls are what counts.
    finishReason: toolCalls.length > 0 && reported === 'stop' ? 'tool_calls' : reported,
    responseModel: completion.model,
  };
}
