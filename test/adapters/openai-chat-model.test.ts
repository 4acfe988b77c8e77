import type { ApplicationFailure } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { OpenAiChatModel, type OpenAiChatModelOptions } from '../../activities/llm/openai-chat-model.js';
import { toModelFailure } from '../../activities/llm/to-model-failure.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { FakeLlmScript } from '../../fake-llm/script-schema.js';

// The real OpenAI SDK over real HTTP against the local fake LLM server: only the server is fake.

const calculatorTool = {
  name: 'calculator',
  description: 'Evaluates an arithmetic expression.',
  parameters: { type: 'object', properties: { expression: { type: 'string' } }, required: ['expression'] },
};

const question: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'What is 6 * 7?' },
  ],
  tools: [calculatorTool],
});

let server: FakeLlmServer;

before(async () => {
  server = await startFakeLlmServer({ script: { turns: [] } });
});

after(async () => {
  await server.close();
});

/** Starts a fresh scripted session: new script, empty request log. */
function script(turns: FakeLlmScript['turns']): void {
  server.setScript({ turns });
  server.reset();
}

function openAiModel(options: Partial<OpenAiChatModelOptions> = {}): OpenAiChatModel {
  return new OpenAiChatModel({
    provider: 'openai',
    model: 'gpt-4o-mini',
    apiKey: 'sk-test',
    baseURL: `${server.url}/v1`,
    ...options,
  });
}

/** What the activity would report: the adapter's error passed through the one mapper. */
async function failureOf(call: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await call;
  } catch (error) {
    return toModelFailure(error);
  }
  assert.fail('expected the model call to fail');
}

function nextRetryDelayMs(failure: ApplicationFailure): number | undefined {
  return failure.nextRetryDelay == null ? undefined : msToNumber(failure.nextRetryDelay);
}

void describe('OpenAiChatModel against the fake LLM server', () => {
  void it('answers a plain text question', async () => {
    script([{ text: 'Forty-two.', usage: { inputTokens: 21, outputTokens: 4 } }]);
    const response = await openAiModel().generate(question);

    assert.deepEqual(response, {
      message: { role: 'assistant', content: 'Forty-two.', toolCalls: [] },
      usage: { inputTokens: 21, outputTokens: 4, cachedInputTokens: 0, reasoningTokens: 0 },
      finishReason: 'stop',
      responseModel: 'gpt-4o-mini',
    });
    assert.equal(server.requests.length, 1);
    const [received] = server.requests;
    assert.equal(received!.path, '/v1/chat/completions');
    assert.equal(received!.model, 'gpt-4o-mini');
    assert.equal(received!.headers.authorization, '[redacted]');
    assert.deepEqual((received!.body as { messages: unknown }).messages, [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is 6 * 7?' },
    ]);
  });

  void it('round-trips a tool call: tools, assistant tool_calls and tool results on the wire', async () => {
    script([
      { toolCalls: [{ name: 'calculator', arguments: { expression: '6*7' } }] },
      { text: 'It is {{lastToolResult}}.' },
    ]);
    const model = openAiModel();

    const first = await model.generate(question);
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.message.toolCalls, [
      { id: 'call_0_0', name: 'calculator', arguments: '{"expression":"6*7"}' },
    ]);

    const followUp: ChatRequest = {
      ...question,
      messages: [
        ...question.messages,
        first.message,
        { role: 'tool', toolCallId: 'call_0_0', toolName: 'calculator', content: '42', isError: false },
      ],
    };
    const second = await model.generate(followUp);
    assert.equal(second.message.content, 'It is 42.');
    assert.equal(second.finishReason, 'stop');

    assert.equal(server.requests.length, 2);
    const body = server.requests[1]!.body as { model: string; messages: unknown[]; tools: unknown };
    assert.equal(body.model, 'gpt-4o-mini');
    assert.deepEqual(body.messages.slice(2), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_0_0',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"6*7"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_0_0', content: '42' },
    ]);
    assert.deepEqual(body.tools, [{ type: 'function', function: calculatorTool }]);
    assert.equal(server.requests[1]!.step, 1);
  });

  void it('normalizes usage with cached prompt tokens', async () => {
    script([{ text: 'ok', usage: { inputTokens: 2048, outputTokens: 17, cachedInputTokens: 1536 } }]);
    const { usage } = await openAiModel().generate(question);
    assert.deepEqual(usage, {
      inputTokens: 2048,
      cachedInputTokens: 1536,
      outputTokens: 17,
      reasoningTokens: 0,
    });
  });

  void it('serves an OpenAI-compatible server with a placeholder key and max_tokens', async () => {
    script([{ text: 'local answer' }]);
    const model = openAiModel({ provider: 'compatible', model: 'llama3.1:8b', apiKey: 'ollama' });
    const response = await model.generate({ ...question, maxOutputTokens: 256 });

    assert.equal(model.provider, 'compatible');
    assert.equal(response.message.content, 'local answer');
    assert.equal(response.responseModel, 'llama3.1:8b');
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.equal(body.max_tokens, 256);
    assert.equal(body.max_completion_tokens, undefined);
  });

  void it('429 with retry-after is ModelRateLimited after exactly one request', async () => {
    script([{ status: 429, retryAfterSeconds: 2 }, { text: 'a retry would have got this' }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelRateLimited);
    assert.equal(failure.nonRetryable, false);
    assert.equal(nextRetryDelayMs(failure), 2000);
    assert.equal(server.requests.length, 1);
  });

  void it('500 is ModelUnavailable after exactly one request (the SDK does not retry)', async () => {
    script([{ status: 500 }, { text: 'a retry would have got this' }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelUnavailable);
    assert.equal(failure.nonRetryable, false);
    assert.equal(server.requests.length, 1);
  });

  void it('401 is ModelRequestRejected and not retryable', async () => {
    script([{ status: 401 }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelRequestRejected);
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /^401 /);
  });

  void it('a context-length error is ContextTooLong and not retryable', async () => {
    script([{ errorCode: 'context_length_exceeded' }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ContextTooLong);
    assert.equal(failure.nonRetryable, true);
  });

  void it(
    'a server that never answers times out after timeoutMs as ModelUnavailable',
    { timeout: 10_000 },
    async () => {
      script([{ hang: true }]);
      const started = Date.now();
      const failure = await failureOf(openAiModel({ timeoutMs: 300 }).generate(question));
      const elapsed = Date.now() - started;
      assert.equal(failure.type, ErrorType.ModelUnavailable);
      assert.ok(elapsed >= 250 && elapsed < 3000, `took ${elapsed} ms`);
      assert.equal(server.requests.length, 1);
    },
  );

  void it('an aborted signal ends a hanging request promptly', { timeout: 10_000 }, async () => {
    script([{ hang: true }]);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const failure = await failureOf(
      openAiModel({ timeoutMs: 60_000 }).generate(question, { signal: controller.signal }),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2000, `took ${elapsed} ms`);
    assert.equal(failure.type, ErrorType.ModelUnavailable);
    assert.match(failure.message, /abort/i);
  });

  void it('a body that is not JSON is ModelResponseMalformed', async () => {
    script([{ malformed: true }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelResponseMalformed);
    assert.equal(failure.nonRetryable, false);
  });

  void it('a truncated body is ModelResponseMalformed', async () => {
    script([{ truncated: true }]);
    const failure = await failureOf(openAiModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelResponseMalformed);
  });
});
