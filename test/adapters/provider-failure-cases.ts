import type { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ChatModel } from '../../activities/llm/chat-model.js';
import { toModelFailure } from '../../activities/llm/to-model-failure.js';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import type { FakeLlmServer } from '../../fake-llm/server.js';

/** What the activity would report: the adapter's error passed through the one mapper. */
export async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (error) {
    return toModelFailure(error);
  }
  assert.fail('expected the model call to fail');
}

export function nextRetryDelayMs(failure: ApplicationFailure): number | undefined {
  return failure.nextRetryDelay == null ? undefined : msToNumber(failure.nextRetryDelay);
}

export interface ProviderFailureCases {
  server: () => FakeLlmServer;
  /** Starts a fresh scripted session: new script, empty request log. */
  script: (turns: FakeLlmScript['turns']) => void;
  model: (options?: { timeoutMs?: number }) => ChatModel;
  request: ChatRequest;
  /** The provider's own wording of a prompt that is too long, when the test should check it. */
  contextTooLongMessage?: RegExp;
}

/**
 * The failure cases every adapter must map the same way, with its real SDK against the fake
 * server: each ends as the typed failure the workflow branches on, after exactly one request.
 */
export function itMapsProviderFailures(cases: ProviderFailureCases): void {
  const { script, model, request } = cases;

  void it('429 with retry-after is ModelRateLimited after exactly one request', async () => {
    script([{ status: 429, retryAfterSeconds: 2 }, { text: 'a retry would have got this' }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelRateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(nextRetryDelayMs(failure), 2000);
    assert.equal(cases.server().requests.length, 1);
  });

  void it('500 is ModelUnavailable after exactly one request (the SDK does not retry)', async () => {
    script([{ status: 500 }, { text: 'a retry would have got this' }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.equal(cases.server().requests.length, 1);
  });

  void it('401 is ModelRequestRejected and not retryable', async () => {
    script([{ status: 401 }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelRequestRejected);
    assert.equal(failure.nonRetryable, true);
    // The provider's message, not its JSON body (the Anthropic SDK's own message is the body).
    assert.match(failure.message, /^401 [^{]*\(fake-llm scripted fault\)\.?$/);
  });

  void it("400 says the provider's message", async () => {
    script([{ status: 400, errorMessage: 'max_tokens: must be at least 1' }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelRequestRejected);
    assert.equal(failure.message, '400 max_tokens: must be at least 1');
  });

  void it('a prompt that is too long is ContextTooLong and not retryable', async () => {
    script([{ errorCode: 'context_length_exceeded' }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ContextTooLong);
    assert.equal(failure.nonRetryable, true);
    if (cases.contextTooLongMessage) assert.match(failure.message, cases.contextTooLongMessage);
  });

  void it(
    'a server that never answers times out after timeoutMs as ModelUnavailable',
    { timeout: 10_000 },
    async () => {
      script([{ hang: true }]);
      const started = Date.now();
      const failure = await failureOf(model({ timeoutMs: 300 }).generate(request));
      const elapsed = Date.now() - started;
      assert.equal(failure.type, ErrorType.ModelUnavailable);
      assert.ok(elapsed >= 250 && elapsed < 3000, `took ${elapsed} ms`);
      assert.equal(cases.server().requests.length, 1);
    },
  );

  void it('an aborted signal ends a hanging request promptly', { timeout: 10_000 }, async () => {
    script([{ hang: true }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const failure = await failureOf(
      model({ timeoutMs: 60_000 }).generate(request, { signal: controller.signal }),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(failure.type, ErrorType.ModelUnavailable);
    assert.match(failure.message, /abort/i);
  });

  void it('a body that is not JSON is ModelResponseMalformed', async () => {
    script([{ malformed: true }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelResponseMalformed);
    assert.equal(failure.nonRetryable, false);
  });

  void it('a truncated body is ModelResponseMalformed', async () => {
    script([{ truncated: true }]);
    const failure = await failureOf(model().generate(request));
    assert.equal(failure.type, ErrorType.ModelResponseMalformed);
  });
}
