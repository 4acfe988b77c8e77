import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { OpenAiChatModel, type OpenAiChatModelOptions } from '../../activities/llm/openai-chat-model.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { itMapsProviderFailures } from './provider-failure-cases.js';
import { plan, planRequest, planWireSchema } from './structured-output-request.js';

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

  void it('asks for structured output with a strict json_schema response_format, and returns its JSON as content', async () => {
    script([{ json: plan, usage: { inputTokens: 40, outputTokens: 12 } }]);
    const response = await openAiModel().generate(planRequest);

    assert.deepEqual(response, {
      message: { role: 'assistant', content: JSON.stringify(plan), toolCalls: [] },
      usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 0, reasoningTokens: 0 },
      finishReason: 'stop',
      responseModel: 'gpt-4o-mini',
    });
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: {
        name: 'plan',
        description: 'The steps to take.',
        schema: planWireSchema,
        strict: true,
      },
    });
    assert.equal('tools' in body, false);
    assert.equal('tool_choice' in body, false);
  });

  void it('sends the same response_format to a compatible server, strict: false for an open schema', async () => {
    script([{ json: { note: 'hi' } }]);
    const openSchema = { type: 'object', properties: { note: { type: 'string' } } };
    const response = await openAiModel({ provider: 'compatible', model: 'llama3.1:8b' }).generate({
      ...planRequest,
      responseFormat: { name: 'note', schema: openSchema },
    });

    assert.equal(response.message.content, '{"note":"hi"}');
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.deepEqual(body.response_format, {
      type: 'json_schema',
      json_schema: { name: 'note', schema: openSchema, strict: false },
    });
  });

  itMapsProviderFailures({
    server: () => server,
    script,
    model: (options) => openAiModel(options),
    request: question,
  });
});
