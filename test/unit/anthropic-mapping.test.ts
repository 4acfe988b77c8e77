import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import {
  toAnthropicOutputTool,
  minimumCachedPrefixTokens,
  toAnthropicRequest,
  toToolUseInput,
} from '../../activities/llm/anthropic/anthropic-request.js';
import {
  fromAnthropicResponse,
  fromAnthropicStopReason,
} from '../../activities/llm/anthropic/anthropic-response.js';

const conversation: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'system', content: 'Use tools.' },
    { role: 'user', content: 'Weather in Oslo and Rome?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'toolu_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { id: 'toolu_2', name: 'weather', arguments: '{"city": Rome}' },
      ],
    },
    { role: 'tool', toolCallId: 'toolu_1', toolName: 'weather', content: 'cold' },
    {
      role: 'tool',
      toolCallId: 'toolu_2',
      toolName: 'weather',
      content: 'arguments are not JSON',
      isError: true,
    },
    { role: 'user', content: 'Be quick.' },
    {
      role: 'assistant',
      content: 'Oslo is cold.',
      toolCalls: [{ id: 'toolu_3', name: 'weather', arguments: '{"city":"Rome"}' }],
    },
    { role: 'tool', toolCallId: 'toolu_3', toolName: 'weather', content: 'warm' },
  ],
  tools: [
    {
      name: 'weather',
      description: 'Current weather.',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
  temperature: 1.5,
});

const verdictSchema = {
  type: 'object',
  properties: { pass: { type: 'boolean' }, reason: { type: 'string' } },
  required: ['pass', 'reason'],
};

const verdictRequest: ChatRequest = ChatRequestSchema.parse({
  messages: [
    { role: 'system', content: 'Judge.' },
    { role: 'user', content: 'Is 2+2=4?' },
  ],
  responseFormat: { name: 'verdict', description: 'Whether it holds.', schema: verdictSchema },
});

function message(overrides: Record<string, unknown> = {}) {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text', text: 'Hello' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5 },
    ...overrides,
  };
}

function assertMalformed(body: unknown): void {
  assert.throws(
    () => fromAnthropicResponse(body),
    (error: unknown) =>
      error instanceof ApplicationFailure &&
      error.type === ErrorType.ModelResponseMalformed &&
      !error.nonRetryable,
  );
}

void describe('toAnthropicRequest', () => {
  const body = toAnthropicRequest('claude-sonnet-4-5', conversation, 4096);

  void it('joins system messages into the top-level system prompt', () => {
    assert.equal(body.system, 'Be brief.\n\nUse tools.');
    assert.ok(body.messages.every((wire) => (wire.role as string) !== 'system'));
  });

  void it('merges consecutive tool results (and a following user message) into one user turn, alternating roles', () => {
    assert.deepEqual(body.messages, [
      { role: 'user', content: 'Weather in Oslo and Rome?' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
          {
            type: 'tool_use',
            id: 'toolu_2',
            name: 'weather',
            input: { _unparsed_arguments: '{"city": Rome}' },
          },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'cold' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'arguments are not JSON', is_error: true },
          { type: 'text', text: 'Be quick.' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Oslo is cold.' },
          { type: 'tool_use', id: 'toolu_3', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_3', content: 'warm' }] },
    ]);
  });

  void it('sends tools with input_schema and max_tokens defaulted, but no temperature (the API removed it)', () => {
    assert.deepEqual(body.tools, [
      {
        name: 'weather',
        description: 'Current weather.',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ]);
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.equal(body.max_tokens, 4096);
    assert.equal('temperature' in body, false);
  });

  void it('prefers the request limit and leaves out what is not set', () => {
    const plain = toAnthropicRequest(
      'claude-haiku-4-5',
      ChatRequestSchema.parse({ messages: [{ role: 'user', content: 'hi' }], maxOutputTokens: 64 }),
      4096,
    );
    assert.deepEqual(plain, {
      model: 'claude-haiku-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
  });

  void it('keeps tool arguments that are not a JSON object recoverable', () => {
    assert.deepEqual(toToolUseInput('{"a":1}'), { a: 1 });
    assert.deepEqual(toToolUseInput(''), { _unparsed_arguments: '' });
    assert.deepEqual(toToolUseInput('[1,2]'), { _unparsed_arguments: '[1,2]' });
    assert.deepEqual(toToolUseInput('null'), { _unparsed_arguments: 'null' });
    assert.deepEqual(toToolUseInput('"text"'), { _unparsed_arguments: '"text"' });
  });
});

void describe('toAnthropicRequest with a responseFormat', () => {
  void it('sends the output schema as the one tool, forced by tool_choice', () => {
    assert.deepEqual(toAnthropicRequest('claude-haiku-4-5', verdictRequest, 4096), {
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      system: 'Judge.',
      messages: [{ role: 'user', content: 'Is 2+2=4?' }],
      tools: [{ name: 'verdict', description: 'Whether it holds.', input_schema: verdictSchema }],
      tool_choice: { type: 'tool', name: 'verdict', disable_parallel_tool_use: true },
    });
  });

  void it('leaves out $schema and a description that is not given, and types the schema as an object', () => {
    const { tools } = toAnthropicOutputTool({
      name: 'anything',
      schema: { $schema: 'http://json-schema.org/draft-07/schema#', properties: {} },
    });
    assert.deepEqual(tools, [{ name: 'anything', input_schema: { type: 'object', properties: {} } }]);
  });
});

void describe('fromAnthropicResponse for a structured output', () => {
  void it("returns the output tool's input as the JSON content, with no tool calls and a stop", () => {
    const response = fromAnthropicResponse(
      message({
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'verdict', input: { pass: true, reason: 'math' } },
        ],
        stop_reason: 'tool_use',
      }),
      'verdict',
    );
    assert.deepEqual(response.message, {
      role: 'assistant',
      content: '{"pass":true,"reason":"math"}',
      toolCalls: [],
    });
    assert.equal(response.finishReason, 'stop');
    assert.equal(response.usage.inputTokens, 10);
  });

  void it('returns the text, for the caller to reject, when the model did not use the output tool', () => {
    const response = fromAnthropicResponse(
      message({ content: [{ type: 'text', text: 'Yes, it is.' }], stop_reason: 'end_turn' }),
      'verdict',
    );
    assert.deepEqual(response.message, { role: 'assistant', content: 'Yes, it is.', toolCalls: [] });
    assert.equal(response.finishReason, 'stop');
  });

  void it('ignores other tool_use blocks, and keeps a max_tokens stop as length', () => {
    const response = fromAnthropicResponse(
      message({
        content: [
          { type: 'tool_use', id: 'toolu_1', name: 'other', input: { x: 1 } },
          { type: 'tool_use', id: 'toolu_2', name: 'verdict', input: { pass: false } },
        ],
        stop_reason: 'max_tokens',
      }),
      'verdict',
    );
    assert.deepEqual(response.message, { role: 'assistant', content: '{"pass":false}', toolCalls: [] });
    assert.equal(response.finishReason, 'length');
  });
});

void describe('fromAnthropicResponse', () => {
  void it('joins text blocks, skips thinking blocks, reads tool_use blocks as JSON text', () => {
    const response = fromAnthropicResponse(
      message({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'sig' },
          { type: 'text', text: 'Let me ' },
          { type: 'text', text: 'check.' },
          { type: 'tool_use', id: 'toolu_9', name: 'weather', input: { city: 'Oslo', days: 2 } },
        ],
        stop_reason: 'tool_use',
      }),
    );
    assert.deepEqual(response.message, {
      role: 'assistant',
      content: 'Let me check.',
      toolCalls: [{ id: 'toolu_9', name: 'weather', arguments: '{"city":"Oslo","days":2}' }],
    });
    assert.equal(response.finishReason, 'tool_calls');
    assert.equal(response.responseModel, 'claude-sonnet-4-5-20250929');
  });

  void it('adds cache reads and writes back into inputTokens', () => {
    const response = fromAnthropicResponse(
      message({
        usage: {
          input_tokens: 50,
          output_tokens: 70,
          cache_read_input_tokens: 1000,
          cache_creation_input_tokens: 200,
          output_tokens_details: { thinking_tokens: 40 },
        },
      }),
    );
    assert.deepEqual(response.usage, {
      inputTokens: 1250,
      cachedInputTokens: 1000,
      cacheWriteInputTokens: 200,
      outputTokens: 70,
      reasoningTokens: 40,
    });
  });

  void it('treats null cache counts as zero', () => {
    const response = fromAnthropicResponse(
      message({
        usage: {
          input_tokens: 7,
          output_tokens: 1,
          cache_read_input_tokens: null,
          cache_creation_input_tokens: null,
        },
      }),
    );
    assert.deepEqual(response.usage, {
      inputTokens: 7,
      cachedInputTokens: 0,
      outputTokens: 1,
      reasoningTokens: 0,
    });
  });

  void it('maps every stop reason', () => {
    assert.equal(fromAnthropicStopReason('end_turn'), 'stop');
    assert.equal(fromAnthropicStopReason('stop_sequence'), 'stop');
    assert.equal(fromAnthropicStopReason('tool_use'), 'tool_calls');
    assert.equal(fromAnthropicStopReason('max_tokens'), 'length');
    assert.equal(fromAnthropicStopReason('model_context_window_exceeded'), 'length');
    assert.equal(fromAnthropicStopReason('refusal'), 'content_filter');
    assert.equal(fromAnthropicStopReason('pause_turn'), 'other');
    assert.equal(fromAnthropicStopReason(null), 'other');
  });

  void it('throws ModelResponseMalformed for bodies that are not messages', () => {
    assertMalformed(message({ content: undefined }));
    assertMalformed(message({ usage: undefined }));
    assertMalformed(message({ usage: { input_tokens: 1 } }));
    assertMalformed(message({ model: 7 }));
    assertMalformed(message({ content: [{ type: 'text' }] }));
    assertMalformed(message({ content: [{ type: 'tool_use', name: 'weather', input: {} }] }));
    assertMalformed({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    assertMalformed('<html>502</html>');
    assertMalformed(undefined);
  });
});

void describe('Anthropic prompt caching', () => {
  const request = (system: string): ChatRequest =>
    ChatRequestSchema.parse({
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'Hi.' },
      ],
    });

  void it('marks a long stable system prompt with cache_control, so later calls read it from the cache', () => {
    const long = 'Follow the house style guide in every answer. '.repeat(minimumCachedPrefixTokens / 5);
    assert.deepEqual(toAnthropicRequest('claude-sonnet-4-5', request(long), 1024).system, [
      { type: 'text', text: long, cache_control: { type: 'ephemeral' } },
    ]);
  });

  void it('leaves a short system prompt as plain text: there is nothing worth caching', () => {
    assert.equal(toAnthropicRequest('claude-sonnet-4-5', request('Be brief.'), 1024).system, 'Be brief.');
  });
});
