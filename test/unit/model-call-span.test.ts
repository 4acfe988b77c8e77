/**
 * A model call's span, read from an in-memory exporter: the GenAI attributes, the prompt and
 * completion only when asked for, the fallback it was, and a failure's error type.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { createCallChatModel, type CallChatModelInput } from '../../activities/llm/call-chat-model.js';
import { createScriptedChatModel } from '../../activities/llm/scripted/scripted-chat-model.js';
import { registerTracing } from '../../workers/tracing-provider.js';

const exporter = new InMemorySpanExporter();
registerTracing('llmos-test', new SimpleSpanProcessor(exporter));
const environment = new MockActivityEnvironment();

const model = createScriptedChatModel('span', {
  rules: [
    { match: { lastUserMessage: 'fail' }, reply: { status: 503 } },
    { reply: { text: 'Hello back.', usage: { inputTokens: 12, outputTokens: 3 } } },
  ],
});
const callChatModel = (traceContent: boolean) => {
  const call = createCallChatModel(() => Promise.resolve(model), {
    priceOf: () => ({ inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: 1 }),
    traceContent,
  });
  return (input: CallChatModelInput) => environment.run(call, input);
};
const request = (text: string) => ({
  messages: [{ role: 'user' as const, content: text }],
  tools: [],
  temperature: 0,
  maxOutputTokens: 50,
});

void describe('model call span', () => {
  beforeEach(() => exporter.reset());

  void it('describes the call by the GenAI conventions, without its text unless asked', async () => {
    await callChatModel(false)({
      model: 'scripted:span',
      prompt: { id: 'agent-system', version: 'v1' },
      request: request('Hello'),
    });
    const [span] = exporter.getFinishedSpans();
    assert.equal(span?.name, 'chat span');
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(span.attributes).filter(
          ([key]) => key !== 'llmos.latency_ms' && key !== 'llmos.workflow.id',
        ),
      ),
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'scripted',
        'gen_ai.request.model': 'span',
        'gen_ai.request.temperature': 0,
        'gen_ai.request.max_tokens': 50,
        'gen_ai.response.model': 'span',
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 3,
        'llmos.prompt.id': 'agent-system',
        'llmos.prompt.version': 'v1',
        'llmos.cache.hit': false,
        'llmos.cost_usd': (12 * 1 + 3 * 2) / 1_000_000,
      },
    );
  });

  void it('carries the prompt and completion when asked, and the model a fallback left', async () => {
    await callChatModel(true)({
      model: 'scripted:span',
      fallbackFrom: 'openai:gpt-4o',
      request: request('Hi'),
    });
    const [span] = exporter.getFinishedSpans();
    assert.deepEqual(JSON.parse(String(span!.attributes['gen_ai.input.messages'])), [
      { role: 'user', content: 'Hi' },
    ]);
    assert.match(String(span!.attributes['gen_ai.output.messages']), /Hello back\./);
    assert.equal(span!.attributes['llmos.fallback'], true);
    assert.equal(span!.attributes['llmos.fallback.from'], 'openai:gpt-4o');
  });

  void it('marks a failed call with its error type', async () => {
    await assert.rejects(callChatModel(false)({ model: 'scripted:span', request: request('fail') }));
    const [span] = exporter.getFinishedSpans();
    assert.equal(span!.status.code, SpanStatusCode.ERROR);
    assert.equal(span!.attributes['error.type'], 'ModelUnavailable');
  });
});
