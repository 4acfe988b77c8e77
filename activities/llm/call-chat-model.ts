import { Context } from '@temporalio/activity';
import { ChatRequestSchema, type ChatRequest, type ChatResponse } from '../../common/chat.js';
import { ModelRefSchema } from '../../common/model-ref.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { computeCostUsd, findPrice } from '../../common/pricing.js';
import type { ModelResolver } from './model-resolver.js';
import { toModelFailure } from './to-model-failure.js';

export interface CallChatModelInput {
  /** `provider:model`. */
  model: string;
  /** The template the request was rendered from: recorded with the call in history, not used. */
  prompt?: PromptRef | undefined;
  request: ChatRequest;
}

export interface CallChatModelOutput {
  response: ChatResponse;
  /** USD, or null when the model has no known price. */
  costUsd: number | null;
  latencyMs: number;
}

/** Heartbeats this often while the provider thinks, so a dead worker is noticed within the heartbeat timeout. */
const heartbeatIntervalMs = 1_000;

/**
 * Calls a chat model once. Temporal contract: no retries inside (SDK retries are off); every
 * failure leaves as a typed `ApplicationFailure` from `toModelFailure`, retryable or not, with a
 * provider's `retry-after` as the next retry delay. It heartbeats on a timer and aborts the HTTP
 * request when the activity is cancelled (deadline, workflow cancellation). Not idempotent in
 * cost: each attempt that reaches the provider is billed.
 */
export function createCallChatModel(resolveModel: ModelResolver) {
  return async function callChatModel(input: CallChatModelInput): Promise<CallChatModelOutput> {
    const context = Context.current();
    const ref = ModelRefSchema.parse(input.model);
    const model = await resolveModel(ref);
    const request = ChatRequestSchema.parse(input.request);
    const heartbeat = setInterval(() => context.heartbeat(), heartbeatIntervalMs);
    const started = performance.now();
    try {
      const response = await model.generate(request, { signal: context.cancellationSignal });
      const latencyMs = Math.round(performance.now() - started);
      const costUsd = computeCostUsd(response.usage, findPrice(ref)) ?? null;
      return { response, costUsd, latencyMs };
    } catch (error) {
      // A cancelled activity must end with the cancellation itself, not a provider error.
      if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
      throw toModelFailure(error);
    } finally {
      clearInterval(heartbeat);
    }
  };
}
