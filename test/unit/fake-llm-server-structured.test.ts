import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from '../../fake-llm/server.js';

// Structured output over raw HTTP: how each protocol's request becomes a `responseFormat`, and how
// the scripted text goes back out.

let server: FakeLlmServer;

beforeEach(async () => {
  server = await startFakeLlmServer({
    script: {
      rules: [
        { match: { responseFormat: '^verdict$', lastUserMessage: 'prose' }, reply: { text: 'It holds.' } },
        { match: { responseFormat: '^verdict$' }, reply: { json: { pass: true, reason: 'checked' } } },
        { match: {}, reply: { text: 'plain text' } },
      ],
    },
  });
});
afterEach(async () => {
  await server.close();
});

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function lastRequest(): RecordedRequest {
  const request = server.requests.at(-1);
  assert.ok(request);
  return request;
}

const verdictSchema = {
  type: 'object',
  properties: { pass: { type: 'boolean' }, reason: { type: 'string' } },
  required: ['pass', 'reason'],
  additionalProperties: false,
};

void describe('fake LLM server: OpenAI structured output', () => {
  const jsonSchemaFormat = {
    type: 'json_schema',
    json_schema: { name: 'verdict', description: 'Judge it.', schema: verdictSchema, strict: true },
  };

  void it('reads a json_schema response_format as the responseFormat, and answers the JSON as content', async () => {
    const { status, body } = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'Is it true?' }],
      response_format: jsonSchemaFormat,
    });
    assert.equal(status, 200);
    const [choice] = body.choices as Array<{ message: Record<string, unknown>; finish_reason: string }>;
    assert.equal(choice!.message.content, '{"pass":true,"reason":"checked"}');
    assert.equal(choice!.message.tool_calls, undefined);
    assert.equal(choice!.finish_reason, 'stop');

    const recorded = lastRequest();
    assert.equal(recorded.answeredBy, 'rule 1');
    assert.deepEqual(recorded.chatRequest?.responseFormat, {
      name: 'verdict',
      description: 'Judge it.',
      schema: verdictSchema,
    });
    assert.deepEqual((recorded.body as Record<string, unknown>).response_format, jsonSchemaFormat);
  });

  void it('has no responseFormat for other response formats', async () => {
    await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_object' },
    });
    assert.equal(lastRequest().chatRequest?.responseFormat, undefined);
    assert.equal(lastRequest().answeredBy, 'rule 2');
  });

  void it('refuses a json_schema without a name, and one offered beside tools', async () => {
    const unnamed = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { schema: verdictSchema } },
    });
    assert.equal(unnamed.status, 400);
    assert.match(JSON.stringify(unnamed.body), /response_format/);
    const withTools = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ type: 'function', function: { name: 'calculator', parameters: { type: 'object' } } }],
      response_format: jsonSchemaFormat,
    });
    assert.equal(withTools.status, 400);
    assert.match(JSON.stringify(withTools.body), /cannot also offer tools/);
  });
});

void describe('fake LLM server: Anthropic structured output', () => {
  const forcedVerdict = (content: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    model: 'claude-test',
    max_tokens: 100,
    messages: [{ role: 'user', content }],
    tools: [{ name: 'verdict', description: 'Judge it.', input_schema: verdictSchema }],
    tool_choice: { type: 'tool', name: 'verdict' },
    ...extra,
  });

  void it('reads a forced tool as the responseFormat, and answers its input as that tool_use', async () => {
    const { status, body } = await post('/v1/messages', forcedVerdict('Is it true?'));
    assert.equal(status, 200);
    assert.deepEqual(body.content, [
      { type: 'tool_use', id: 'toolu_output_1', name: 'verdict', input: { pass: true, reason: 'checked' } },
    ]);
    assert.equal(body.stop_reason, 'tool_use');

    const recorded = lastRequest();
    assert.deepEqual(recorded.chatRequest?.tools, []);
    assert.deepEqual(recorded.chatRequest?.responseFormat, {
      name: 'verdict',
      description: 'Judge it.',
      schema: verdictSchema,
    });
    assert.deepEqual((recorded.body as Record<string, unknown>).tool_choice, {
      type: 'tool',
      name: 'verdict',
    });
  });

  void it('sends scripted output that is not a JSON object under _unparsed_output', async () => {
    const { body } = await post('/v1/messages', forcedVerdict('Answer in prose'));
    assert.deepEqual(body.content, [
      { type: 'tool_use', id: 'toolu_output_1', name: 'verdict', input: { _unparsed_output: 'It holds.' } },
    ]);
  });

  void it('keeps tools that are offered, not forced, as tools', async () => {
    const { body } = await post(
      '/v1/messages',
      forcedVerdict('Is it true?', { tool_choice: { type: 'auto' } }),
    );
    assert.deepEqual(body.content, [{ type: 'text', text: 'plain text' }]);
    assert.equal(lastRequest().chatRequest?.responseFormat, undefined);
    assert.equal(lastRequest().chatRequest?.tools.length, 1);
  });

  void it('refuses a tool_choice that forces a tool not offered, or names none', async () => {
    const missing = await post(
      '/v1/messages',
      forcedVerdict('q', { tool_choice: { type: 'tool', name: 'x' } }),
    );
    assert.equal(missing.status, 400);
    assert.match(
      JSON.stringify(missing.body),
      /tool_choice: names tool \\"x\\", which is not among the tools/,
    );
    const unnamed = await post('/v1/messages', forcedVerdict('q', { tool_choice: { type: 'tool' } }));
    assert.equal(unnamed.status, 400);
    assert.match(JSON.stringify(unnamed.body), /tool_choice\.name/);
  });
});
