import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import {
  createScriptedChatModel,
  ScriptedChatModel,
} from '../../activities/llm/scripted/scripted-chat-model.js';

const ask = (content: string): ChatRequest =>
  ChatRequestSchema.parse({ messages: [{ role: 'user', content }] });

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => assert.fail('expected the call to fail'),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(error)}`);
  return error;
}

void describe('ScriptedChatModel', () => {
  void it('answers from the script in-process, as a neutral ChatResponse', async () => {
    const model = createScriptedChatModel('demo', {
      turns: [
        { toolCalls: [{ name: 'calculator', arguments: { expression: '2+2' } }] },
        { text: 'The answer is {{lastToolResult}}.', usage: { inputTokens: 50, outputTokens: 5 } },
      ],
    });
    assert.ok(model instanceof ScriptedChatModel);
    assert.equal(model.provider, 'scripted');
    assert.equal(model.model, 'demo');

    const first = await model.generate(ask('2+2?'));
    assert.deepEqual(first.message, {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_0_0', name: 'calculator', arguments: '{"expression":"2+2"}' }],
    });
    assert.equal(first.finishReason, 'tool_calls');
    assert.equal(first.responseModel, 'demo');

    const second = await model.generate(
      ChatRequestSchema.parse({
        messages: [
          { role: 'user', content: '2+2?' },
          first.message,
          { role: 'tool', toolCallId: 'call_0_0', toolName: 'calculator', content: '4' },
        ],
      }),
    );
    assert.equal(second.message.content, 'The answer is 4.');
    assert.equal(second.finishReason, 'stop');
    assert.deepEqual(second.usage, {
      inputTokens: 50,
      outputTokens: 5,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
  });

  void it('answers a structured request with its json reply as content, routed by the output name', async () => {
    const model = createScriptedChatModel('demo', {
      rules: [
        { match: { responseFormat: '^plan$' }, reply: { json: { steps: ['add', 'check'] } } },
        { match: { responseFormat: '^verdict$' }, reply: { json: { pass: true } } },
      ],
    });
    const structured = (name: string): ChatRequest =>
      ChatRequestSchema.parse({
        messages: [{ role: 'user', content: 'go' }],
        responseFormat: { name, schema: { type: 'object' } },
      });
    const verdict = await model.generate(structured('verdict'));
    assert.deepEqual(verdict.message, { role: 'assistant', content: '{"pass":true}', toolCalls: [] });
    assert.equal(verdict.finishReason, 'stop');
    const plan = await model.generate(structured('plan'));
    assert.equal(plan.message.content, '{"steps":["add","check"]}');
    await assert.rejects(model.generate(ask('no output requested')), /script exhausted/);
  });

  void it('throws ModelRateLimited with the retry-after as nextRetryDelay for a 429 fault', async () => {
    const model = createScriptedChatModel('demo', { turns: [{ status: 429, retryAfterSeconds: 2 }] });
    const failure = await failureOf(model.generate(ask('hi')));
    assert.equal(failure.type, ErrorType.ModelRateLimited);
    assert.equal(failure.nextRetryDelay, 2000);
    assert.equal(failure.nonRetryable, false);
  });

  void it('maps other status faults and context-length errors like a real adapter', async () => {
    const model = createScriptedChatModel('demo', {
      turns: [{ status: 503 }, { status: 401 }, { errorCode: 'context_length_exceeded' }],
    });
    assert.equal((await failureOf(model.generate(ask('a')))).type, ErrorType.ModelUnavailable);
    assert.equal((await failureOf(model.generate(ask('b')))).type, ErrorType.ModelRequestRejected);
    assert.equal((await failureOf(model.generate(ask('c')))).type, ErrorType.ContextTooLong);
  });

  void it('throws a retryable ModelResponseMalformed for malformed and truncated faults', async () => {
    const model = createScriptedChatModel('demo', { turns: [{ malformed: true }, { truncated: true }] });
    for (const _ of [1, 2]) {
      const failure = await failureOf(model.generate(ask('x')));
      assert.equal(failure.type, ErrorType.ModelResponseMalformed);
      assert.equal(failure.nonRetryable, false);
    }
  });

  void it('fails non-retryably, naming the request, when the script is exhausted', async () => {
    const model = createScriptedChatModel('demo', {});
    const failure = await failureOf(model.generate(ask('anything')));
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /script exhausted: request #1/);
  });

  void it('waits delayMs, and stops waiting when the signal aborts', async () => {
    const model = createScriptedChatModel('demo', {
      turns: [
        { text: 'late', delayMs: 60 },
        { text: 'never', delayMs: 60_000 },
      ],
    });
    const started = Date.now();
    assert.equal((await model.generate(ask('x'))).message.content, 'late');
    assert.ok(Date.now() - started >= 50);
    const controller = new AbortController();
    const pending = model.generate(ask('y'), { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(pending, { name: 'AbortError' });
  });

  void it('hangs until the signal aborts', async () => {
    const model = createScriptedChatModel('demo', { turns: [{ hang: true }] });
    const controller = new AbortController();
    const pending = model.generate(ask('x'), { signal: controller.signal });
    const raced = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('hanging'), 50)),
    ]);
    assert.equal(raced, 'hanging');
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
  });
});
