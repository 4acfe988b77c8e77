import { emptyReplyFailure, isEmptyReply } from './malformed-response.js';
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { MetricMeter } from '@temporalio/common';
import { ChatRequestSchema, type ChatRequest, type ChatResponse } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { ModelRefSchema, type ModelRef } from '../../common/model-ref.js';
import { computeCostUsd, type ModelPrice } from '../../common/pricing.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { StreamTarget } from '../../common/reply-stream.js';
import { openDraftStream } from './draft-stream.js';
import { withModelCallSpan } from './model-call-span.js';
import { recordBreakerState, recordModelCall } from './model-metrics.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { ModelResolver } from './model-resolver.js';
import { cacheKey, shouldUseCache } from './response-cache/cache-key.js';
import type { ResponseCache } from './response-cache/response-cache.js';
import { defaultOutputTokens, estimateRequestTokens } from './estimate-request-tokens.js';
import type { ConversationRef, ConversationRequest } from '../../common/conversation.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import { requestFromConversation } from '../conversation/conversation-request.js';
import type { TokenGrant, TokenLimiter } from './rate-limits/token-limiter.js';
import { toModelFailure } from './to-model-failure.js';
import { fitToContext, type ContextFit } from './fit-to-context.js';
import { fitToAllowance } from './fit-to-allowance.js';
import type { CallAllowance } from '../../common/call-allowance.js';
import type { EmbeddingCache } from './embeddings/embedding-cache.js';
import type { Embedder } from './embeddings/embed-texts.js';
import {
  findSemanticAnswer,
  storeSemanticAnswer,
  type SemanticCacheSettings,
} from './response-cache/semantic-answer.js';

interface CallChatModelOptions {
  /** `provider:model`. */
  model: string;
  /** The template the request was rendered from: recorded with the call in history, not used. */
  prompt?: PromptRef | undefined;
  /**
   * The response cache: `auto` (the default) for requests at temperature 0, `sampled` also for
   * requests above it (the same sample comes back every time), `off` never.
   */
  cache?: 'auto' | 'sampled' | 'off' | undefined;
  /**
   * Streams the answer's text to this workflow's reply stream as the model writes it (drafts,
   * tagged with the call and attempt); the answer is returned whole all the same. Structured
   * output and cache hits are not streamed.
   */
  stream?: StreamTarget | undefined;
  /**
   * The model the run used before it moved down its chain to this one: set only on such calls,
   * and only told to the call's trace span (`llmos.fallback.from`).
   */
  fallbackFrom?: string | undefined;
  /**
   * What the run's caps leave this call: its output allowance is lowered to fit, or the call is
   * refused (`ModelCallOverCaps`) without being sent when even its input does not fit.
   */
  allowance?: CallAllowance | undefined;
}

/**
 * The request whole (`request`), or over a conversation in the blob store (`conversation`: a
 * base and the messages added since), which keeps a long run's history flat.
 */
export type CallChatModelInput =
  WholeRequestInput | (CallChatModelOptions & { conversation: ConversationRequest; request?: never });

/** A call with the whole request: what activities that build one request and make one call send. */
export type WholeRequestInput = CallChatModelOptions & { request: ChatRequest; conversation?: never };

export interface CallChatModelOutput {
  response: ChatResponse;
  /** USD, or null when the model has no known price. A cache hit costs nothing. */
  costUsd: number | null;
  /** The provider's time (or the cache's, on a hit): a wait for the token limiter is not in it. */
  latencyMs: number;
  /** Present when the answer came from the response cache: what the original call cost. */
  cacheHit?:
    | {
        savedUsd: number | null;
        storedAt: number;
        /** From the semantic cache: how alike the stored question and this one are (cosine, 0..1). */
        similarity?: number | undefined;
      }
    | undefined;
  /** With a `conversation` input: the stored conversation with this answer added, the next call's base. */
  conversation?: ConversationRef | undefined;
  /** Present when the request was over the model's context window and was fitted to it. */
  contextFit?: ContextFit | undefined;
}

/** What every model call shares on a worker, beyond the providers. */
export interface ModelCallServices {
  /** Prices by model id, from the model catalog. */
  priceOf: (model: string) => ModelPrice | undefined;
  /** Context windows by model id, from the model catalog: a request over its model's is fitted. */
  contextWindowOf?: ((model: string) => number | undefined) | undefined;
  /** The exact response cache; absent when caching is off. */
  cache?: { store: ResponseCache; ttlMs: number } | undefined;
  /** Per-model circuit breaker: a model that keeps failing is skipped for a while. */
  breaker?: CircuitBreaker | undefined;
  /** Tokens per minute per provider or model, shared across workers; absent when no limit is set. */
  tokenLimiter?: TokenLimiter | undefined;
  /** Vectors already computed, by model and text; absent when caching is off. */
  embeddingCache?: EmbeddingCache | undefined;
  /** Answers by the meaning of a one-question request (`semanticLookup`); absent unless turned on. */
  semanticCache?: SemanticCacheSettings | undefined;
  /**
   * Where model calls are counted: the worker's meter (the Temporal runtime's), whose instruments
   * are made once per model. Without it, each activity's own meter, which makes them per call.
   */
  meter?: MetricMeter | undefined;
  /**
   * Whether a model call's trace span carries its prompt and completion (off by default: they may
   * hold personal data). OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT turns it on.
   */
  traceContent?: boolean | undefined;
}

/** Heartbeats this often while the provider thinks, so a dead worker is noticed within the heartbeat timeout. */
const heartbeatIntervalMs = 1_000;

/**
 * Failures that say the provider is unwell: they open the breaker. Not a rate limit (the provider
 * is well, and asks this caller to slow down) nor a request it refused.
 */
const healthFailures: ReadonlySet<string> = new Set([
  ErrorType.ModelUnavailable,
  ErrorType.ModelResponseMalformed,
]);

/** The same for every attempt of one activity, and different for every other call. */
function callId(context: Context): string {
  const { workflowExecution, activityId } = context.info;
  return workflowExecution
    ? `${workflowExecution.workflowId}/${workflowExecution.runId}/${activityId}`
    : activityId;
}

function conversationStore(store: ConversationStore | undefined): ConversationStore {
  if (!store)
    throw ApplicationFailure.create({
      type: ErrorType.InvalidInput,
      message: 'this worker was given no conversation store: send the whole request instead',
      nonRetryable: true,
    });
  return store;
}

/**
 * Calls a chat model once. Temporal contract: no retries inside (SDK retries are off); every
 * failure leaves as a typed `ApplicationFailure` from `toModelFailure`, retryable or not, with a
 * provider's `retry-after` as the next retry delay. It heartbeats on a timer and aborts the HTTP
 * request when the activity is cancelled (deadline, workflow cancellation). Not idempotent in
 * cost: each attempt that reaches the provider is billed.
 *
 * A request over a stored conversation is rebuilt from the store first, and the answer is added
 * to the conversation after (idempotent: the same messages make the same node).
 *
 * An identical earlier request answered within the cache's TTL is answered from the cache, at no
 * cost, and says what it saved. With the semantic cache on, a one-question request whose question
 * means nearly the same as a stored one (cosine similarity of their embeddings at or above the
 * setting, same context otherwise) takes the stored answer and says how alike they were. A model
 * whose breaker is open fails at once with the non-retryable `ModelCircuitOpen`, whose details say
 * when to ask again (`{ retryInMs }`), so a workflow moves to the next model of its chain or waits
 * for the breaker's trial. Failed calls count toward the breaker once each, however many attempts
 * they make. With a
 * `stream` target the text also goes out as it is written, each piece tagged with this attempt.
 */
export function createCallChatModel(
  resolveModel: ModelResolver,
  services: ModelCallServices & {
    /** Where conversations sent by reference are kept (the blob store); without it, such calls fail. */
    conversations?: ConversationStore | undefined;
    /** Embeds a question for the semantic cache; without it, that cache is not used. */
    embed?: Embedder | undefined;
  },
) {
  const { priceOf, cache, breaker, tokenLimiter, conversations } = services;
  const semantic = services.embed && services.semanticCache;
  const answer = async (
    input: CallChatModelInput,
    ref: ModelRef,
    describeRequest: (request: ChatRequest) => void,
  ): Promise<CallChatModelOutput> => {
    const context = Context.current();
    const meter = services.meter ?? context.metricMeter;
    const started = performance.now();
    const store = input.conversation ? conversationStore(conversations) : undefined;
    const stored =
      store && input.conversation
        ? { store, ...(await requestFromConversation(store, input.conversation)) }
        : undefined;
    let request = stored?.request ?? ChatRequestSchema.parse(input.request);
    // Fitted to the model's context window before it is sent; a stored conversation is stored
    // fitted, so the answer extends what the model saw and the next call starts from it.
    const contextWindow = services.contextWindowOf?.(input.model);
    const fitted = contextWindow
      ? fitToContext(input.model, request, contextWindow, stored?.sent.inputTokens)
      : undefined;
    if (fitted) {
      request = fitted.request;
      if (stored) stored.sent = (await stored.store.append(undefined, request.tools, request.messages)).ref;
      context.log.info(
        `${input.model}: conversation fitted to the context window, ${fitted.fit.fromTokens} -> ${fitted.fit.toTokens} tokens`,
      );
    }
    if (input.allowance)
      request = fitToAllowance(input.model, request, input.allowance, priceOf(input.model));
    describeRequest(request);
    const contextFit = fitted ? { contextFit: fitted.fit } : {};
    // The conversation with the answer added: the next call's base.
    const withAnswer = async (response: ChatResponse) =>
      stored
        ? { conversation: (await stored.store.append(stored.sent.key, undefined, [response.message])).ref }
        : {};

    const policy = input.cache ?? 'auto';
    const cacheable =
      policy !== 'off' && shouldUseCache(request, { allowNonZeroTemperature: policy === 'sampled' });
    const key = cache && cacheable ? cacheKey(input.model, request) : undefined;
    if (key !== undefined) {
      // A cache that cannot be read is a miss, never a failed call.
      const hit = await cache!.store.get(key).catch((error: unknown) => {
        context.log.warn(`response cache read failed: ${(error as Error).message}`);
        return undefined;
      });
      if (hit) {
        recordModelCall(meter, { ref, outcome: 'cache-hit', savedUsd: hit.costUsd });
        return {
          response: hit.response,
          costUsd: 0,
          latencyMs: Math.round(performance.now() - started),
          cacheHit: { savedUsd: hit.costUsd, storedAt: hit.createdAt },
          ...(await withAnswer(hit.response)),
          ...contextFit,
        };
      }
    }
    // The semantic cache follows the exact cache's policy (temperature 0 unless sampled answers
    // may be shared); what embedding the question cost is part of this call's cost.
    const warn = (message: string) => {
      context.log.warn(message);
    };
    const semanticAnswer =
      cacheable && semantic
        ? await findSemanticAnswer(semantic, services.embed!, input.model, request, {
            signal: context.cancellationSignal,
            warn,
          })
        : undefined;
    const question = semanticAnswer?.question;
    const near = semanticAnswer?.hit;
    if (near) {
      recordModelCall(meter, { ref, outcome: 'cache-hit', savedUsd: near.entry.costUsd });
      return {
        response: near.entry.response,
        costUsd: question!.costUsd,
        latencyMs: Math.round(performance.now() - started),
        cacheHit: {
          savedUsd: near.entry.costUsd,
          storedAt: near.entry.createdAt,
          similarity: Math.round(near.similarity * 10_000) / 10_000,
        },
        ...(await withAnswer(near.entry.response)),
        ...contextFit,
      };
    }

    const decision = breaker?.allow(input.model);
    if (decision && !decision.allowed)
      throw ApplicationFailure.create({
        type: ErrorType.ModelCircuitOpen,
        message: `${input.model} failed repeatedly; its circuit breaker lets calls through again in ${Math.ceil(decision.retryInMs / 1_000)} s`,
        nonRetryable: true,
        details: [{ retryInMs: decision.retryInMs }],
      });

    const model = await resolveModel(ref);
    const drafts =
      input.stream && !request.responseFormat ? openDraftStream(context, input.stream) : undefined;
    const heartbeat = setInterval(() => context.heartbeat(), heartbeatIntervalMs);
    let response: ChatResponse;
    let grant: TokenGrant | undefined;
    let sentAt = started;
    // Counted only for a model under a limit: tokenizing a long prompt takes milliseconds. A stored
    // conversation was counted when it was stored.
    const estimate = tokenLimiter?.limitFor(input.model)
      ? stored
        ? {
            inputTokens: stored.sent.inputTokens,
            outputTokens: request.maxOutputTokens ?? defaultOutputTokens,
          }
        : estimateRequestTokens(request)
      : undefined;
    try {
      if (estimate)
        grant = await tokenLimiter!.acquire(input.model, estimate.inputTokens + estimate.outputTokens, {
          id: `${context.info.workflowExecution?.runId}/${context.info.activityId}/${context.info.attempt}`,
          sleep: (ms) => context.sleep(ms),
          // Waiting uses the attempt's time: at most a quarter of it, the rest is the model's.
          maxWaitMs: context.info.startToCloseTimeoutMs / 4,
          warn: (message) => {
            context.log.warn(message);
          },
        });
      sentAt = performance.now();
      try {
        response = await model.generate(request, {
          signal: context.cancellationSignal,
          ...(drafts ? { onText: (text: string) => drafts.push(text) } : {}),
        });
        // Every provider has sent replies that say nothing; none is ever an answer.
        if (isEmptyReply(response)) throw emptyReplyFailure(response);
      } catch (error) {
        // The provider counts a request's input against its limit whether or not it answers.
        await grant?.settle(estimate!.inputTokens);
        // A cancelled activity must end with the cancellation itself, not a provider error.
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        const failure = toModelFailure(error);
        if (healthFailures.has(failure.type ?? '')) breaker?.recordFailure(input.model, callId(context));
        if (breaker) recordBreakerState(meter, ref, breaker.state(input.model));
        recordModelCall(meter, {
          ref,
          outcome: failure.type ?? 'ModelFailed',
          seconds: (performance.now() - sentAt) / 1000,
        });
        throw failure;
      }
    } finally {
      clearInterval(heartbeat);
      await drafts?.close();
    }
    await grant?.settle(response.usage.inputTokens + response.usage.outputTokens);
    breaker?.recordSuccess(input.model);
    if (breaker) recordBreakerState(meter, ref, breaker.state(input.model));
    const latencyMs = Math.round(performance.now() - sentAt);
    const callCostUsd = computeCostUsd(response.usage, priceOf(input.model)) ?? null;
    recordModelCall(meter, {
      ref,
      outcome: 'answered',
      usage: response.usage,
      seconds: latencyMs / 1000,
      costUsd: callCostUsd,
    });
    if (key !== undefined)
      await cache!.store
        .set(key, { model: input.model, response, costUsd: callCostUsd }, { ttlMs: cache!.ttlMs })
        .catch((error: unknown) => {
          context.log.warn(`response cache write failed: ${(error as Error).message}`);
        });
    if (question && semantic)
      await storeSemanticAnswer(
        semantic,
        question,
        { model: input.model, response, costUsd: callCostUsd },
        warn,
      );
    // The question's embedding is part of what this call cost.
    const costUsd =
      question && callCostUsd !== null && question.costUsd !== null
        ? callCostUsd + question.costUsd
        : callCostUsd;
    return { response, costUsd, latencyMs, ...(await withAnswer(response)), ...contextFit };
  };
  return function callChatModel(input: CallChatModelInput): Promise<CallChatModelOutput> {
    const ref = ModelRefSchema.parse(input.model);
    return withModelCallSpan(
      {
        ref,
        prompt: input.prompt,
        fallbackFrom: input.fallbackFrom,
        captureContent: services.traceContent ?? false,
      },
      (describeRequest) => answer(input, ref, describeRequest),
    );
  };
}
