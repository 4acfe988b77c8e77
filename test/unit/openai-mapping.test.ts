import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { toOpenAiRequest, toOpenAiResponseFormat } from '../../activities/llm/openai/openai-request.js';
import { fromOpenAiFinishReason, fromOpenAiResponse } from '../../activities/llm/openai/openai-response.js';

const conversation: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is 6 * 7?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [{ id: 'call_1', name: 'calculator', arguments: '{"expression":"6*7"}' }],
    },
    { role: 'tool', toolCallId: 'call_1', toolName: 'calculator', content: '42' },
    {
      role: 'assistant',
      content: 'Checking.',
      toolCalls: [{ id: 'call_2', name: 'calculator', arguments: 'not json' }],
    },
    { role: 'tool', toolCallId: 'call_2', toolName: 'calculator', content: 'invalid input', isError: true },
    { role: 'assistant', content: 'It is 42.' },
  ],
  tools: [
    {
      name: 'calculator',
      description: 'Evaluates arithmetic.',
      parameters: { type: 'object', properties: { expression: { type: 'string' } } },
    },
  ],
  temperature: 0.2,
  maxOutputTokens: 100,
});

const planSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { steps: { type: 'array', items: { type: 'string' } } },
  required: ['steps'],
  additionalProperties: false,
};

const planRequest: ChatRequest = ChatRequestSchema.parse({
  messages: [{ role: 'user', content: 'Plan it.' }],
  responseFormat: { name: 'plan', description: 'The steps to take.', schema: planSchema },
});

function completion(
  overrides: Record<string, unknown> = {},
  message: Record<string, unknown> = { role: 'assistant', content: 'Hi' },
) {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 },
    ...overrides,
  };
}

function assertMalformed(body: unknown): void {
  assert.throws(
    () => fromOpenAiResponse(body),
    (error: unknown) =>
      error instanceof ApplicationFailure &&
      error.type === ErrorType.ModelResponseMalformed &&
      !error.nonRetryable,
  );
}

void describe('toOpenAiRequest', () => {
  void it('maps every message role to the Chat Completions wire shape', () => {
    const body = toOpenAiRequest('gpt-4o-mini', conversation, 'openai');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is 6 * 7?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'calculator', arguments: '{"expression":"6*7"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '42' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'call_2', type: 'function', function: { name: 'calculator', arguments: 'not json' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_2', content: 'invalid input' },
      { role: 'assistant', content: 'It is 42.' },
    ]);
  });

  void it('sends tools as functions with their JSON Schema, and the sampling options', () => {
    const body = toOpenAiRequest('gpt-4o-mini', conversation, 'openai');
    assert.equal(body.model, 'gpt-4o-mini');
    assert.deepEqual(body.tools, [
      {
        type: 'function',
        function: {
          name: 'calculator',
          description: 'Evaluates arithmetic.',
          parameters: { type: 'object', properties: { expression: { type: 'string' } } },
        },
      },
    ]);
    assert.equal(body.temperature, 0.2);
    assert.equal(body.max_completion_tokens, 100);
    assert.equal('max_tokens' in body, false);
  });

  void it('uses max_tokens for compatible servers', () => {
    const body = toOpenAiRequest('llama3.1:8b', conversation, 'compatible');
    assert.equal(body.max_tokens, 100);
    assert.equal('max_completion_tokens' in body, false);
  });

  void it("leaves out the temperature for OpenAI's reasoning models, which reject it", () => {
    for (const model of ['o4-mini', 'o3', 'gpt-5', 'gpt-5-mini']) {
      assert.equal('temperature' in toOpenAiRequest(model, conversation, 'openai'), false, model);
    }
    assert.equal(toOpenAiRequest('gpt-4.1', conversation, 'openai').temperature, 0.2);
    assert.equal(toOpenAiRequest('o4-mini', conversation, 'compatible').temperature, 0.2);
  });

  void it('leaves out tools, temperature and limits that are not set', () => {
    const body = toOpenAiRequest(
      'gpt-4o',
      ChatRequestSchema.parse({ messages: [{ role: 'user', content: 'hi' }] }),
      'openai',
    );
    assert.deepEqual(Object.keys(body).sort(), ['messages', 'model']);
  });
});

void describe('toOpenAiRequest with a responseFormat', () => {
  const { $schema: _dialect, ...schemaWithoutDialect } = planSchema;

  void it('sends a json_schema response format without $schema, strict when the schema allows it', () => {
    for (const flavour of ['openai', 'compatible'] as const) {
      const body = toOpenAiRequest('gpt-4o-mini', planRequest, flavour);
      assert.deepEqual(
        body.response_format,
        {
          type: 'json_schema',
          json_schema: {
            name: 'plan',
            description: 'The steps to take.',
            schema: schemaWithoutDialect,
            strict: true,
          },
        },
        flavour,
      );
      assert.equal('tools' in body, false);
    }
  });

  void it('sends strict: false, and no description, when the schema is not strict-compatible', () => {
    const open = { type: 'object', properties: { note: { type: 'string' } } };
    assert.deepEqual(toOpenAiResponseFormat({ name: 'note', schema: open }), {
      type: 'json_schema',
      json_schema: { name: 'note', schema: open, strict: false },
    });
  });

  void it('leaves the caller schema untouched', () => {
    toOpenAiRequest('gpt-4o-mini', planRequest, 'openai');
    assert.equal(planRequest.responseFormat?.schema.$schema, planSchema.$schema);
  });
});

void describe('fromOpenAiResponse', () => {
  void it('reads text, model and usage with cached and reasoning tokens', () => {
    const response = fromOpenAiResponse(
      completion({
        usage: {
          prompt_tokens: 1200,
          completion_tokens: 300,
          total_tokens: 1500,
          prompt_tokens_details: { cached_tokens: 1024 },
          completion_tokens_details: { reasoning_tokens: 200 },
        },
      }),
    );
    assert.deepEqual(response, {
      message: { role: 'assistant', content: 'Hi', toolCalls: [] },
      usage: { inputTokens: 1200, cachedInputTokens: 1024, outputTokens: 300, reasoningTokens: 200 },
      finishReason: 'stop',
      responseModel: 'gpt-4o-mini-2024-07-18',
    });
  });

  void it('reads tool calls with their raw argument text, and null content as empty', () => {
    const response = fromOpenAiResponse(
      completion({
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_9', type: 'function', function: { name: 'search', arguments: '{"q": "x"' } },
              ],
            },
          },
        ],
      }),
    );
    assert.equal(response.message.content, '');
    assert.deepEqual(response.message.toolCalls, [{ id: 'call_9', name: 'search', arguments: '{"q": "x"' }]);
    assert.equal(response.finishReason, 'tool_calls');
  });

  void it('reports tool_calls when a compatible server says "stop" but returns tool calls', () => {
    const response = fromOpenAiResponse(
      completion({
        choices: [
          {
            finish_reason: 'stop',
            message: {
              content: '',
              tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
            },
          },
        ],
      }),
    );
    assert.equal(response.finishReason, 'tool_calls');
  });

  void it('counts zero when a compatible server sends no usage', () => {
    const response = fromOpenAiResponse(completion({ usage: undefined }));
    assert.deepEqual(response.usage, {
      inputTokens: 0,
      cachedInputTokens: 0,
      outputTokens: 0,
      reasoningTokens: 0,
    });
  });

  void it('maps every finish reason', () => {
    assert.equal(fromOpenAiFinishReason('stop'), 'stop');
    assert.equal(fromOpenAiFinishReason('tool_calls'), 'tool_calls');
    assert.equal(fromOpenAiFinishReason('function_call'), 'tool_calls');
    assert.equal(fromOpenAiFinishReason('length'), 'length');
    assert.equal(fromOpenAiFinishReason('content_filter'), 'content_filter');
    assert.equal(fromOpenAiFinishReason(null), 'other');
    assert.equal(fromOpenAiFinishReason('eos'), 'other');
  });

  void it('returns structured output as the content, like any text', () => {
    const response = fromOpenAiResponse(
      completion({}, { role: 'assistant', content: '{"steps":["a"]}', refusal: null }),
    );
    assert.deepEqual(response.message, { role: 'assistant', content: '{"steps":["a"]}', toolCalls: [] });
    assert.equal(response.finishReason, 'stop');
  });

  void it('throws a non-retryable ModelRequestRejected naming the refusal when the model refuses', () => {
    const refused = completion({}, { role: 'assistant', content: null, refusal: "I can't help with that." });
    assert.throws(
      () => fromOpenAiResponse(refused),
      (error: unknown) =>
        error instanceof ApplicationFailure &&
        error.type === ErrorType.ModelRequestRejected &&
        error.nonRetryable &&
        error.message === "the model refused the request: I can't help with that.",
    );
  });

  void it('throws ModelResponseMalformed for bodies that are not chat completions', () => {
    assertMalformed(completion({ choices: [] }));
    assertMalformed(completion({ choices: undefined }));
    assertMalformed(completion({ model: undefined }));
    assertMalformed(completion({ usage: { prompt_tokens: 'ten', completion_tokens: 3 } }));
    assertMalformed(completion({}, { role: 'assistant', content: 42 }));
    assertMalformed(
      completion(
        {},
        { content: null, tool_calls: [{ id: 'c', function: { name: 'f', arguments: { a: 1 } } }] },
      ),
    );
    assertMalformed('<html>502 Bad Gateway</html>');
    assertMalformed(null);
    assertMalformed(undefined);
  });
});
