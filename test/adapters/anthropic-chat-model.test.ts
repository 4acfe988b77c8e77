import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import {
  AnthropicChatModel,
  type AnthropicChatModelOptions,
} from '../../activities/llm/anthropic-chat-model.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { failureOf, itMapsProviderFailures } from './provider-failure-cases.js';
import { plan, planRequest, planWireSchema } from './structured-output-request.js';

// The real Anthropic SDK over real HTTP against the local fake LLM server: only the server is fake.

const weatherTool = {
  name: 'weather',
  description: 'Current weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const question: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'system', content: 'Use the weather tool.' },
    { role: 'user', content: 'Weather in Oslo and Rome?' },
  ],
  tools: [weatherTool],
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

function anthropicModel(options: Partial<AnthropicChatModelOptions> = {}): AnthropicChatModel {
  return new AnthropicChatModel({
    model: 'claude-haiku-4-5',
    apiKey: 'sk-ant-test',
    baseURL: server.url,
    ...options,
  });
}

void describe('AnthropicChatModel against the fake LLM server', () => {
  void it('answers a plain text question, with system messages as the top-level system prompt', async () => {
    script([{ text: 'Cold in Oslo.', usage: { inputTokens: 30, outputTokens: 5 } }]);
    const response = await anthropicModel().generate(question);

    assert.deepEqual(response, {
      message: { role: 'assistant', content: 'Cold in Oslo.', toolCalls: [] },
      usage: { inputTokens: 30, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 },
      finishReason: 'stop',
      responseModel: 'claude-haiku-4-5',
    });
    assert.equal(server.requests.length, 1);
    const [received] = server.requests;
    assert.equal(received!.path, '/v1/messages');
    assert.equal(received!.model, 'claude-haiku-4-5');
    const body = received!.body as Record<string, unknown>;
    assert.equal(body.system, 'You are terse.\n\nUse the weather tool.');
    assert.equal(body.max_tokens, 4096);
    assert.deepEqual(body.messages, [{ role: 'user', content: 'Weather in Oslo and Rome?' }]);
  });

  void it('sends maxOutputTokens from the options, and the request limit over it', async () => {
    script([{ text: 'a' }, { text: 'b' }]);
    const model = anthropicModel({ maxOutputTokens: 1000 });
    await model.generate(question);
    await model.generate({ ...question, maxOutputTokens: 50 });
    assert.deepEqual(
      server.requests.map((request) => (request.body as { max_tokens: number }).max_tokens),
      [1000, 50],
    );
  });

  void it('round-trips parallel tool calls: tool_use blocks, merged tool_result blocks, input_schema', async () => {
    script([
      {
        toolCalls: [
          { name: 'weather', arguments: { city: 'Oslo' } },
          { name: 'weather', arguments: { city: 'Rome' } },
        ],
      },
      { text: 'Rome: {{lastToolResult}}.' },
    ]);
    const model = anthropicModel();

    const first = await model.generate(question);
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.message.toolCalls, [
      { id: 'call_0_0', name: 'weather', arguments: '{"city":"Oslo"}' },
      { id: 'call_0_1', name: 'weather', arguments: '{"city":"Rome"}' },
    ]);

    const followUp: ChatRequest = {
      ...question,
      messages: [
        ...question.messages,
        first.message,
        { role: 'tool', toolCallId: 'call_0_0', toolName: 'weather', content: 'cold', isError: false },
        { role: 'tool', toolCallId: 'call_0_1', toolName: 'weather', content: 'warm', isError: false },
      ],
    };
    const second = await model.generate(followUp);
    assert.equal(second.message.content, 'Rome: warm.');
    assert.equal(second.finishReason, 'stop');

    assert.equal(server.requests.length, 2);
    const body = server.requests[1]!.body as { model: string; messages: unknown[]; tools: unknown };
    assert.equal(body.model, 'claude-haiku-4-5');
    assert.deepEqual(body.messages, [
      { role: 'user', content: 'Weather in Oslo and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_0_0', name: 'weather', input: { city: 'Oslo' } },
          { type: 'tool_use', id: 'call_0_1', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_0_0', content: 'cold' },
          { type: 'tool_result', tool_use_id: 'call_0_1', content: 'warm' },
        ],
      },
    ]);
    assert.deepEqual(body.tools, [
      { name: 'weather', description: weatherTool.description, input_schema: weatherTool.parameters },
    ]);
    assert.equal(server.requests[1]!.step, 1);
  });

  void it('sends back tool arguments that were not JSON as _unparsed_arguments, with the error flag on the result', async () => {
    script([{ text: 'Sorry, retrying.' }]);
    await anthropicModel().generate({
      ...question,
      messages: [
        ...question.messages,
        {
          role: 'assistant',
          content: 'Checking.',
          toolCalls: [{ id: 'toolu_1', name: 'weather', arguments: '{"city": Oslo' }],
        },
        {
          role: 'tool',
          toolCallId: 'toolu_1',
          toolName: 'weather',
          content: 'arguments are not valid JSON',
          isError: true,
        },
      ],
    });
    const body = server.requests[0]!.body as { messages: unknown[] };
    assert.deepEqual(body.messages.slice(1), [
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          {
            type: 'tool_use',
            id: 'toolu_1',
            name: 'weather',
            input: { _unparsed_arguments: '{"city": Oslo' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'toolu_1',
            content: 'arguments are not valid JSON',
            is_error: true,
          },
        ],
      },
    ]);
  });

  void it('normalizes usage: cache reads and writes count as input, reads as cached', async () => {
    script([{ text: 'ok', usage: { inputTokens: 2048, outputTokens: 17, cachedInputTokens: 1536 } }]);
    const { usage } = await anthropicModel().generate(question);
    assert.deepEqual(usage, {
      inputTokens: 2048,
      cachedInputTokens: 1536,
      outputTokens: 17,
      reasoningTokens: 0,
    });
  });

  void it('asks for structured output with one forced tool, and returns its input as JSON content', async () => {
    script([{ json: plan, usage: { inputTokens: 40, outputTokens: 12 } }]);
    const response = await anthropicModel().generate(planRequest);

    assert.deepEqual(response, {
      message: { role: 'assistant', content: JSON.stringify(plan), toolCalls: [] },
      usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 0, reasoningTokens: 0 },
      finishReason: 'stop',
      responseModel: 'claude-haiku-4-5',
    });
    const body = server.requests[0]!.body as Record<string, unknown>;
    assert.deepEqual(body.tools, [
      { name: 'plan', description: 'The steps to take.', input_schema: planWireSchema },
    ]);
    assert.deepEqual(body.tool_choice, { type: 'tool', name: 'plan', disable_parallel_tool_use: true });
    assert.equal(body.system, 'You plan.');
  });

  void it('returns output that is not a JSON object as content the caller can reject', async () => {
    script([{ text: 'Step one: multiply.' }]);
    const response = await anthropicModel().generate(planRequest);
    assert.deepEqual(response.message, {
      role: 'assistant',
      content: '{"_unparsed_output":"Step one: multiply."}',
      toolCalls: [],
    });
  });

  itMapsProviderFailures({
    server: () => server,
    script,
    model: (options) => anthropicModel(options),
    request: question,
    contextTooLongMessage: /prompt is too long/,
  });

  void it('529 overloaded is ModelUnavailable', async () => {
    script([{ status: 529 }]);
    const failure = await failureOf(anthropicModel().generate(question));
    assert.equal(failure.type, ErrorType.ModelUnavailable);
  });
});
