import Anthropic from '@anthropic-ai/sdk';
import { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { ErrorType } from '../../common/errors.js';
import { parseRetryAfterMs, toModelFailure } from '../../activities/llm/to-model-failure.js';

/** `nextRetryDelay` is a Temporal `Duration` (ms number or "2s" string); compare it in milliseconds. */
function nextRetryDelayMs(failure: ApplicationFailure): number | undefined {
  return failure.nextRetryDelay == null ? undefined : msToNumber(failure.nextRetryDelay);
}

function openAiError(
  status: number,
  body: { message: string; code?: string | null; type?: string },
  headers: Record<string, string> = {},
) {
  return OpenAI.APIError.generate(
    status,
    { error: { type: 'invalid_request_error', code: null, ...body } },
    undefined,
    new Headers(headers),
  );
}

function anthropicError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return Anthropic.APIError.generate(
    status,
    { type: 'error', error: { type, message } },
    undefined,
    new Headers(headers),
  );
}

void describe('toModelFailure: HTTP status classes', () => {
  for (const status of [400, 401, 403, 404, 422]) {
    void it(`${status} is ModelRequestRejected and not retryable (both SDKs)`, () => {
      for (const error of [
        openAiError(status, { message: 'nope' }),
        anthropicError(status, 'invalid_request_error', 'nope'),
      ]) {
        const failure = toModelFailure(error);
        assert.equal(failure.type, ErrorType.ModelRequestRejected);
        assert.equal(failure.nonRetryable, true);
        assert.match(failure.message, new RegExp(`^${status} `));
      }
    });
  }

  for (const status of [408, 409, 500, 503, 529]) {
    void it(`${status} is ModelUnavailable and retryable (both SDKs)`, () => {
      for (const error of [
        openAiError(status, { message: 'busy' }),
        anthropicError(status, 'api_error', 'busy'),
      ]) {
        const failure = toModelFailure(error);
        assert.equal(failure.type, ErrorType.ModelUnavailable);
        assert.equal(failure.nonRetryable, false);
      }
    });
  }

  void it('429 with retry-after: 2 is ModelRateLimited, retryable, next retry in 2000 ms', () => {
    for (const error of [
      openAiError(429, { message: 'slow down', code: 'rate_limit_exceeded' }, { 'retry-after': '2' }),
      anthropicError(429, 'rate_limit_error', 'slow down', { 'retry-after': '2' }),
    ]) {
      const failure = toModelFailure(error);
      assert.equal(failure.type, ErrorType.ModelRateLimited);
      assert.equal(failure.nonRetryable, false);
      assert.equal(nextRetryDelayMs(failure), 2000);
      // The workflow reads the wait from the details: a failure's next delay does not reach it.
      assert.equal((failure.details?.[0] as { retryAfterMs?: number }).retryAfterMs, 2000);
    }
  });

  void it('429 insufficient_quota is ModelRequestRejected: no wait will bring credit back', () => {
    const failure = toModelFailure(
      openAiError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' }),
    );
    assert.equal(failure.type, ErrorType.ModelRequestRejected);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^429 You exceeded your current quota/);
  });

  void it('429 with retry-after as an HTTP date waits until that date', () => {
    const inThirtySeconds = new Date(Date.now() + 30_000).toUTCString();
    const delay = nextRetryDelayMs(
      toModelFailure(openAiError(429, { message: 'slow down' }, { 'retry-after': inThirtySeconds })),
    );
    assert.ok(delay !== undefined && delay > 28_000 && delay <= 30_000, `delay was ${delay}`);
  });

  void it('429 with retry-after-ms prefers it over retry-after', () => {
    const failure = toModelFailure(
      openAiError(429, { message: 'slow down' }, { 'retry-after-ms': '1500', 'retry-after': '9' }),
    );
    assert.equal(nextRetryDelayMs(failure), 1500);
  });

  void it('429 without any retry header leaves the delay to the retry policy', () => {
    const failure = toModelFailure(anthropicError(429, 'rate_limit_error', 'slow down'));
    assert.equal(failure.type, ErrorType.ModelRateLimited);
    assert.equal(failure.nextRetryDelay, undefined);
  });
});

void describe('toModelFailure: context length', () => {
  const wordings: Array<[string, Error]> = [
    [
      'OpenAI context_length_exceeded',
      openAiError(400, {
        message:
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.",
        code: 'context_length_exceeded',
      }),
    ],
    ['OpenAI code only', openAiError(400, { message: 'Bad request.', code: 'context_length_exceeded' })],
    [
      'Anthropic prompt is too long',
      anthropicError(400, 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
    ],
    [
      'Anthropic input plus max_tokens',
      anthropicError(
        400,
        'invalid_request_error',
        'input length and `max_tokens` exceed context limit: 199759 + 8192 > 200000, decrease input length or `max_tokens` and try again',
      ),
    ],
    [
      'llama.cpp context size',
      openAiError(400, { message: 'the request exceeds the available context size, try increasing it' }),
    ],
  ];
  for (const [name, error] of wordings) {
    void it(`${name} is ContextTooLong and not retryable`, () => {
      const failure = toModelFailure(error);
      assert.equal(failure.type, ErrorType.ContextTooLong);
      assert.equal(failure.nonRetryable, true);
    });
  }

  void it('a context-length wording on a 5xx stays ModelUnavailable', () => {
    assert.equal(
      toModelFailure(openAiError(500, { message: 'context window service down' })).type,
      ErrorType.ModelUnavailable,
    );
  });
});

void describe('toModelFailure: errors without an HTTP status', () => {
  void it('SDK connection errors and timeouts are ModelUnavailable and retryable', () => {
    const errors = [
      new OpenAI.APIConnectionError({
        message: 'Connection error.',
        cause: new Error('connect ECONNREFUSED 127.0.0.1:1'),
      }),
      new OpenAI.APIConnectionTimeoutError(),
      new Anthropic.APIConnectionError({ message: 'Connection error.' }),
      new Anthropic.APIConnectionTimeoutError(),
      Object.assign(new TypeError('fetch failed'), {
        cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      }),
    ];
    for (const error of errors) {
      const failure = toModelFailure(error);
      assert.equal(failure.type, ErrorType.ModelUnavailable, error.message);
      assert.equal(failure.nonRetryable, false);
    }
  });

  void it('a SyntaxError from parsing the body is ModelResponseMalformed and retryable', () => {
    let syntaxError: unknown;
    try {
      JSON.parse('{"id": "chatcmpl-1", "choi');
    } catch (error) {
      syntaxError = error;
    }
    assert.ok(syntaxError instanceof SyntaxError);
    const failure = toModelFailure(syntaxError);
    assert.equal(failure.type, ErrorType.ModelResponseMalformed);
    assert.equal(failure.nonRetryable, false);
    assert.match(failure.message, /^SyntaxError: /);
  });

  void it('an existing ApplicationFailure passes through as the same object', () => {
    const original = ApplicationFailure.create({
      type: ErrorType.BudgetExceeded,
      message: 'over budget',
      nonRetryable: true,
    });
    assert.equal(toModelFailure(original), original);
  });

  void it('a thrown non-Error is ModelUnavailable with its text', () => {
    const failure = toModelFailure('socket hang up');
    assert.equal(failure.type, ErrorType.ModelUnavailable);
    assert.match(failure.message, /socket hang up/);
  });
});

void describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  void it('reads seconds, fractional seconds, HTTP dates and retry-after-ms', () => {
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), now), 2000);
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': '0.5' }), now), 500);
    assert.equal(
      parseRetryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' }), now),
      10_000,
    );
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after-ms': '250' }), now), 250);
  });

  void it('a date in the past means no wait, garbage and empty values mean unknown', () => {
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now), 0);
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }), now), undefined);
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after': '' }), now), undefined);
    assert.equal(parseRetryAfterMs(new Headers({ 'retry-after-ms': '' }), now), undefined);
    assert.equal(parseRetryAfterMs(new Headers(), now), undefined);
    assert.equal(parseRetryAfterMs(undefined, now), undefined);
  });

  void it('accepts a plain header record', () => {
    assert.equal(parseRetryAfterMs({ 'retry-after': '3' }, now), 3000);
  });
});
