import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../common/errors.js';

/** What a provider told us about a failed request, independent of which SDK raised it. */
export interface HttpFailureDetails {
  readonly status: number;
  readonly message: string;
  /** Provider error code, e.g. OpenAI's `context_length_exceeded`. */
  readonly code?: string | undefined;
  /** From the `retry-after` (seconds or HTTP date) or `retry-after-ms` header. */
  readonly retryAfterMs?: number | undefined;
}

// Wordings seen in the wild: OpenAI "maximum context length" / context_length_exceeded, Anthropic
// "prompt is too long" and "input length and `max_tokens` exceed context limit", llama.cpp
// "exceeds the available context size".
const contextTooLongPattern =
  /context[_ ](length|limit|size)|context window|prompt is too long|maximum context|too many tokens/i;

/**
 * Provider codes that come with a 429 but are no rate limit: the account is out of credit, and
 * waiting will not change it (OpenAI's `insufficient_quota`).
 */
const notRateLimitCodes: ReadonlySet<string> = new Set(['insufficient_quota']);

/**
 * The one place an HTTP status becomes a Temporal failure: 429 retryable after `retry-after`
 * (which its details also carry, `retryAfterMs`, for the workflow to wait when the attempts run
 * out); 408, 409 and 5xx retryable; other 4xx not; context-length errors their own type so the
 * workflow can shrink the prompt instead of retrying it.
 */
export function failureFromHttpStatus(details: HttpFailureDetails): ApplicationFailure {
  const { status, message, code, retryAfterMs } = details;
  // The provider SDKs already start their messages with the status ("401 Incorrect API key"): say it once.
  const text = message.startsWith(`${status} `) ? message : `${status} ${message}`;
  if (
    (status === 400 || status === 413) &&
    (contextTooLongPattern.test(message) || contextTooLongPattern.test(code ?? ''))
  ) {
    return ApplicationFailure.create({
      type: ErrorType.ContextTooLong,
      message: text,
      nonRetryable: true,
      details: [{ status, code }],
    });
  }
  if (status === 429 && !notRateLimitCodes.has(code ?? '')) {
    return ApplicationFailure.create({
      type: ErrorType.ModelRateLimited,
      message: text,
      details: [{ status, code, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) }],
      ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
    });
  }
  if (status === 408 || status === 409 || status >= 500) {
    return ApplicationFailure.create({
      type: ErrorType.ModelUnavailable,
      message: text,
      details: [{ status, code }],
      ...(retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
    });
  }
  return ApplicationFailure.create({
    type: ErrorType.ModelRequestRejected,
    message: text,
    nonRetryable: true,
    details: [{ status, code }],
  });
}

/** Parses `retry-after-ms`, then `retry-after` as seconds or as an HTTP date. */
export function parseRetryAfterMs(headers: unknown, now: number = Date.now()): number | undefined {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    if (headers && typeof headers === 'object') {
      const value = (headers as Record<string, unknown>)[name];
      return typeof value === 'string' ? value : undefined;
    }
    return undefined;
  };
  const retryAfterMs = get('retry-after-ms');
  const milliseconds = Number(retryAfterMs);
  // Number('') is 0: an empty header must not turn into "retry immediately".
  const hasMilliseconds = retryAfterMs !== undefined && retryAfterMs.trim() !== '';
  if (hasMilliseconds && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const retryAfter = get('retry-after');
  if (retryAfter === undefined) return undefined;
  const seconds = Number(retryAfter);
  if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(date - now, 0);
}

interface SdkApiErrorShape {
  status: number;
  headers?: unknown;
  message: string;
  code?: unknown;
  error?: unknown;
}

function isSdkApiError(error: unknown): error is SdkApiErrorShape {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

function providerErrorCode(error: SdkApiErrorShape): string | undefined {
  if (typeof error.code === 'string') return error.code;
  const body = error.error as { code?: unknown; error?: { type?: unknown } } | undefined;
  if (typeof body?.code === 'string') return body.code;
  return typeof body?.error?.type === 'string' ? body.error.type : undefined;
}

/**
 * The provider's own words for the failure. The Anthropic SDK's message is the raw JSON body
 * (`401 {"type":"error","error":{...,"message":"invalid x-api-key"}}`); its `message` field is
 * what a person should read. The OpenAI SDK's message already is that.
 */
function providerMessage(error: SdkApiErrorShape): string {
  const body = error.error as { error?: { message?: unknown } } | undefined;
  const message = body?.error?.message;
  return typeof message === 'string' && message !== '' ? `${error.status} ${message}` : error.message;
}

/**
 * Maps anything a model adapter throws (OpenAI or Anthropic SDK errors, network errors, bodies
 * that do not parse) to a typed `ApplicationFailure`. Unknown errors are treated as transient.
 */
export function toModelFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  if (isSdkApiError(error)) {
    return failureFromHttpStatus({
      status: error.status,
      message: providerMessage(error),
      code: providerErrorCode(error),
      retryAfterMs: parseRetryAfterMs(error.headers),
    });
  }
  const name = error instanceof Error ? error.constructor.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SyntaxError || /JSON|Unexpected (token|end)/i.test(message)) {
    return ApplicationFailure.create({
      type: ErrorType.ModelResponseMalformed,
      message: `${name}: ${message}`,
    });
  }
  // Connection refused/reset, timeouts and anything unrecognised: worth another attempt.
  return ApplicationFailure.create({ type: ErrorType.ModelUnavailable, message: `${name}: ${message}` });
}
