import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { ErrorType } from '../../common/errors.js';
import { toModelFailure } from '../../activities/llm/to-model-failure.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { startFakeLlmServer, type FakeLlmServer, type RecordedRequest } from '../../fake-llm/server.js';

let server: FakeLlmServer;
let logLines: string[];

beforeEach(async () => {
  logLines = [];
  server = await startFakeLlmServer({ script: {}, log: (line) => logLines.push(line) });
});
afterEach(async () => {
  await server.close();
});

async function post(path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-secret' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

const openAiBody = (content = 'hello', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'gpt-test',
  messages: [{ role: 'user', content }],
  ...extra,
});
const anthropicBody = (content = 'hello', extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'claude-test',
  max_tokens: 100,
  messages: [{ role: 'user', content }],
  ...extra,
});

function onlyRequest(): RecordedRequest {
  assert.equal(server.requests.length, 1);
  return server.requests[0]!;
}

void describe('fake LLM server: OpenAI protocol', () => {
  void it('parses a conversation with tool calls, tool results, content parts and response_format', async () => {
    server.setScript({ turns: [{ text: 'done' }] });
    const response = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is' },
            { type: 'text', text: '2+2?' },
          ],
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'c1',
              type: 'function',
              function: { name: 'calculator', arguments: '{"expression":"2+2"}' },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: '4' },
      ],
      tools: [
        {
          type: 'function',
          function: { name: 'calculator', description: 'math', parameters: { type: 'object' } },
        },
      ],
      response_format: { type: 'json_object' },
      temperature: 0.5,
      max_completion_tokens: 50,
    });
    assert.equal(response.status, 200);
    const recorded = onlyRequest();
    assert.equal(recorded.protocol, 'openai');
    assert.equal(recorded.path, '/v1/chat/completions');
    assert.equal(recorded.model, 'gpt-test');
    assert.equal(recorded.step, 1);
    assert.equal(recorded.answeredBy, 'turn 0');
    assert.equal(recorded.status, 200);
    assert.deepEqual(recorded.responseFormat, { type: 'json_object' });
    assert.equal(recorded.headers.authorization, '[redacted]');
    assert.deepEqual(recorded.chatRequest, {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'what is\n2+2?' },
        {
          role: 'assistant',
          content: '',
          toolCalls: [{ id: 'c1', name: 'calculator', arguments: '{"expression":"2+2"}' }],
        },
        { role: 'tool', toolCallId: 'c1', toolName: 'calculator', content: '4', isError: false },
      ],
      tools: [{ name: 'calculator', description: 'math', parameters: { type: 'object' } }],
      temperature: 0.5,
      maxOutputTokens: 50,
    });
  });

  void it('answers a chat.completion object with tool calls and usage', async () => {
    server.setScript({
      turns: [
        {
          toolCalls: [{ name: 'calculator', arguments: { expression: '1+1' } }],
          usage: { inputTokens: 100, outputTokens: 7, cachedInputTokens: 40 },
        },
      ],
    });
    const response = await post('/chat/completions', openAiBody());
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof body.created, 'number');
    assert.deepEqual(
      { ...body, created: 0 },
      {
        id: 'chatcmpl-fake-1',
        object: 'chat.completion',
        created: 0,
        model: 'gpt-test',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: null,
              refusal: null,
              tool_calls: [
                {
                  id: 'call_0_0',
                  type: 'function',
                  function: { name: 'calculator', arguments: '{"expression":"1+1"}' },
                },
              ],
            },
            logprobs: null,
            finish_reason: 'tool_calls',
          },
        ],
        usage: {
          prompt_tokens: 100,
          completion_tokens: 7,
          total_tokens: 107,
          prompt_tokens_details: { cached_tokens: 40 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
        system_fingerprint: 'fp_fake_llm',
      },
    );
  });

  void it('is understood by the OpenAI SDK, including a 429 with retry-after', async () => {
    server.setScript({ turns: [{ text: 'hi {{lastUserMessage}}' }, { status: 429, retryAfterSeconds: 3 }] });
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'bob' }],
    });
    assert.equal(completion.choices[0]?.message.content, 'hi bob');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    const error = await client.chat.completions
      .create({ model: 'gpt-test', messages: [{ role: 'user', content: 'again' }] })
      .then(
        () => assert.fail('expected a 429'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof OpenAI.APIError);
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limit_exceeded');
    const failure = toModelFailure(error);
    assert.equal(failure.type, ErrorType.ModelRateLimited);
    assert.equal(failure.nextRetryDelay, 3000);
  });

  void it('sends a context-length error the way OpenAI does', async () => {
    server.setScript({ turns: [{ errorCode: 'context_length_exceeded' }] });
    const response = await post('/v1/chat/completions', openAiBody());
    assert.equal(response.status, 400);
    const body = (await response.json()) as {
      error: { message: string; type: string; param: unknown; code: string };
    };
    assert.equal(body.error.code, 'context_length_exceeded');
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^This model's maximum context length is \d+ tokens/);
  });
});

void describe('fake LLM server: Anthropic protocol', () => {
  void it('parses system blocks, tool_use and tool_result blocks into the neutral request', async () => {
    server.setScript({ turns: [{ text: 'done' }] });
    const response = await post('/v1/messages', {
      model: 'claude-test',
      max_tokens: 200,
      system: [{ type: 'text', text: 'be brief' }],
      messages: [
        { role: 'user', content: 'what is 2+2?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'let me compute' },
            { type: 'tool_use', id: 'tu1', name: 'calculator', input: { expression: '2+2' } },
          ],
        },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'tu1',
              content: [{ type: 'text', text: 'Error: bad' }],
              is_error: true,
            },
            { type: 'text', text: 'try again' },
          ],
        },
      ],
      tools: [{ name: 'calculator', description: 'math', input_schema: { type: 'object' } }],
    });
    assert.equal(response.status, 200);
    const recorded = onlyRequest();
    assert.equal(recorded.protocol, 'anthropic');
    assert.equal(recorded.step, 1);
    assert.deepEqual(recorded.chatRequest, {
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'what is 2+2?' },
        {
          role: 'assistant',
          content: 'let me compute',
          toolCalls: [{ id: 'tu1', name: 'calculator', arguments: '{"expression":"2+2"}' }],
        },
        { role: 'tool', toolCallId: 'tu1', toolName: 'calculator', content: 'Error: bad', isError: true },
        { role: 'user', content: 'try again' },
      ],
      tools: [{ name: 'calculator', description: 'math', parameters: { type: 'object' } }],
      maxOutputTokens: 200,
    });
  });

  void it('answers a message object with text, tool_use blocks and cache-aware usage', async () => {
    server.setScript({
      turns: [
        {
          text: 'calling',
          toolCalls: [
            { name: 'calculator', arguments: { expression: '1+1' } },
            { name: 'calculator', arguments: 'not json' },
          ],
          usage: { inputTokens: 100, outputTokens: 7, cachedInputTokens: 40 },
        },
      ],
    });
    const response = await post('/messages', anthropicBody());
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      id: 'msg_fake_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      content: [
        { type: 'text', text: 'calling' },
        { type: 'tool_use', id: 'call_0_0', name: 'calculator', input: { expression: '1+1' } },
        { type: 'tool_use', id: 'call_0_1', name: 'calculator', input: { _raw: 'not json' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 60,
        output_tokens: 7,
        cache_read_input_tokens: 40,
        cache_creation_input_tokens: 0,
      },
    });
  });

  void it('is understood by the Anthropic SDK, including an overloaded 529', async () => {
    server.setScript({ turns: [{ text: 'plain answer' }, { status: 529 }] });
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-test',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(message.stop_reason, 'end_turn');
    assert.deepEqual(message.content, [{ type: 'text', text: 'plain answer' }]);
    assert.equal(
      server.requests[0]?.headers.authorization ?? server.requests[0]?.headers['x-api-key'],
      '[redacted]',
    );
    const error = await client.messages
      .create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .then(
        () => assert.fail('expected a 529'),
        (caught: unknown) => caught,
      );
    assert.ok(error instanceof Anthropic.APIError);
    assert.equal(error.status, 529);
    assert.deepEqual((error.error as { error: { type: string } }).error.type, 'overloaded_error');
    assert.equal(toModelFailure(error).type, ErrorType.ModelUnavailable);
  });

  void it('sends error bodies shaped like Anthropic, with the type matching the status', async () => {
    server.setScript({
      turns: [
        { status: 429, retryAfterSeconds: 2 },
        { status: 401 },
        { errorCode: 'context_length_exceeded' },
      ],
    });
    const limited = await post('/v1/messages', anthropicBody());
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    assert.deepEqual(((await limited.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
    const unauthorized = await post('/v1/messages', anthropicBody());
    assert.equal(unauthorized.status, 401);
    const body = (await unauthorized.json()) as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'authentication_error');
    const tooLong = await post('/v1/messages', anthropicBody());
    assert.equal(tooLong.status, 400);
    const tooLongBody = (await tooLong.json()) as { error: { type: string; message: string } };
    assert.equal(tooLongBody.error.type, 'invalid_request_error');
    assert.match(tooLongBody.error.message, /^prompt is too long: \d+ tokens > \d+ maximum$/);
  });
});

void describe('fake LLM server: faults', () => {
  void it('answers 429 with a retry-after header and an OpenAI error body', async () => {
    server.setScript({ turns: [{ status: 429, retryAfterSeconds: 7, errorMessage: 'slow down' }] });
    const response = await post('/v1/chat/completions', openAiBody());
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '7');
    assert.deepEqual(await response.json(), {
      error: { message: 'slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  });

  void it('answers 500 with a server_error body and no retry-after', async () => {
    server.setScript({ turns: [{ status: 500 }] });
    const response = await post('/v1/chat/completions', openAiBody());
    assert.equal(response.status, 500);
    assert.equal(response.headers.get('retry-after'), null);
    const body = (await response.json()) as { error: { type: string } };
    assert.equal(body.error.type, 'server_error');
  });

  void it('waits delayMs before answering', async () => {
    server.setScript({ turns: [{ text: 'late', delayMs: 150 }] });
    const started = Date.now();
    const response = await post('/v1/chat/completions', openAiBody());
    const elapsed = Date.now() - started;
    assert.equal(response.status, 200);
    assert.ok(elapsed >= 140, `answered after ${elapsed}ms`);
    assert.ok(elapsed < 5000, `answered after ${elapsed}ms`);
  });

  void it('hangs until the client aborts, then records no response', async () => {
    server.setScript({ turns: [{ hang: true }] });
    const controller = new AbortController();
    const pending = post('/v1/chat/completions', openAiBody(), { signal: controller.signal });
    // Wait until the server has the request, so the abort tests the hang rather than the connect.
    while (server.requests[0]?.answeredBy !== 'turn 0')
      await new Promise((resolve) => setTimeout(resolve, 5));
    const raced = await Promise.race([
      pending.then(() => 'answered'),
      new Promise((resolve) => setTimeout(() => resolve('hanging'), 100)),
    ]);
    assert.equal(raced, 'hanging');
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    while (logLines.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(onlyRequest().status, null);
    assert.match(logLines[0]!, /-> turn 0 no response/);
  });

  void it('ends a hanging request when the server is closed', async () => {
    server.setScript({ turns: [{ hang: true }] });
    const pending = post('/v1/messages', anthropicBody());
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();
    await assert.rejects(pending);
  });

  void it('answers 200 with a body that is not JSON when malformed', async () => {
    server.setScript({ turns: [{ text: 'x', malformed: true }] });
    const response = await post('/v1/chat/completions', openAiBody());
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const text = await response.text();
    assert.throws(() => JSON.parse(text) as unknown, SyntaxError);
  });

  void it('answers 200 with the first half of a valid response when truncated', async () => {
    server.setScript({
      turns: [{ text: 'a complete answer', truncated: true }, { text: 'a complete answer' }],
    });
    const truncated = await (await post('/v1/messages', anthropicBody())).text();
    const complete = await (await post('/v1/messages', anthropicBody())).text();
    assert.throws(() => JSON.parse(truncated) as unknown, SyntaxError);
    // Same prefix as the whole reply, apart from the id which counts requests.
    assert.ok(complete.replace('msg_fake_2', 'msg_fake_1').startsWith(truncated), truncated);
    assert.ok(truncated.length > 10 && truncated.length < complete.length);
  });

  void it('fails loudly with a provider-shaped 500 when the script is exhausted', async () => {
    server.setScript({ turns: [] });
    const openai = await post('/v1/chat/completions', openAiBody('first question'));
    assert.equal(openai.status, 500);
    const openaiBody = (await openai.json()) as { error: { message: string } };
    assert.match(openaiBody.error.message, /script exhausted: request #1 .*"first question"/);
    const anthropic = await post('/v1/messages', anthropicBody('second question'));
    assert.equal(anthropic.status, 500);
    const anthropicError = (await anthropic.json()) as {
      type: string;
      error: { type: string; message: string };
    };
    assert.equal(anthropicError.error.type, 'api_error');
    assert.match(anthropicError.error.message, /script exhausted: request #2 .*"second question"/);
    assert.deepEqual(
      server.requests.map((request) => request.answeredBy),
      ['exhausted', 'exhausted'],
    );
  });
});

void describe('fake LLM server: bad requests', () => {
  void it('refuses a body that is not JSON, and a body of the wrong shape naming the field', async () => {
    server.setScript({ turns: [{ text: 'unused' }] });
    const notJson = await post('/v1/messages', '{ nope');
    assert.equal(notJson.status, 400);
    assert.match(((await notJson.json()) as { error: { message: string } }).error.message, /not valid JSON/);
    const noMaxTokens = await post('/v1/messages', {
      model: 'claude-test',
      messages: [{ role: 'user', content: 'x' }],
    });
    assert.equal(noMaxTokens.status, 400);
    assert.match(((await noMaxTokens.json()) as { error: { message: string } }).error.message, /max_tokens/);
    const badRole = await post('/v1/chat/completions', {
      model: 'gpt-test',
      messages: [{ role: 'robot', content: 'x' }],
    });
    assert.equal(badRole.status, 400);
    assert.match(((await badRole.json()) as { error: { message: string } }).error.message, /messages\[0\]/);
  });

  void it('answers 404 for unknown paths', async () => {
    const response = await fetch(`${server.url}/v2/unknown`);
    assert.equal(response.status, 404);
  });
});

void describe('fake LLM server: control endpoints', () => {
  void it('serves the request log, resets it, and accepts a new script', async () => {
    server.setScript({ rules: [{ match: {}, reply: { text: 'ok' }, times: 1 }] });
    await post('/v1/chat/completions', openAiBody('logged'));
    const log = (await (await fetch(`${server.url}/_fake/requests`)).json()) as RecordedRequest[];
    assert.equal(log.length, 1);
    assert.equal(log[0]?.answeredBy, 'rule 0');
    assert.equal(log[0]?.status, 200);
    assert.equal(log[0]?.model, 'gpt-test');
    assert.equal(log[0]?.step, 0);
    assert.equal(typeof log[0]?.receivedAt, 'number');
    assert.deepEqual((log[0]?.body as { messages: unknown }).messages, [{ role: 'user', content: 'logged' }]);
    assert.deepEqual(log[0]?.chatRequest?.messages, [{ role: 'user', content: 'logged' }]);
    assert.match(logLines[0]!, /^POST \/v1\/chat\/completions gpt-test step 0 -> rule 0 200 \d+ms$/);

    assert.equal((await fetch(`${server.url}/_fake/reset`, { method: 'POST' })).status, 200);
    assert.equal(server.requests.length, 0);
    // The rule's single use is available again after the reset.
    assert.equal((await post('/v1/chat/completions', openAiBody())).status, 200);

    const script: FakeLlmScript = { turns: [{ text: 'from the new script' }] };
    assert.equal((await post('/_fake/script', script)).status, 200);
    const answer = (await (await post('/v1/messages', anthropicBody())).json()) as {
      content: { text: string }[];
    };
    assert.equal(answer.content[0]?.text, 'from the new script');
    const invalid = await post('/_fake/script', { turns: [{ delayMs: 'soon' }] });
    assert.equal(invalid.status, 400);
    assert.match(
      ((await invalid.json()) as { error: { message: string } }).error.message,
      /turns\[0\]\.delayMs/,
    );
  });

  void it('listens on loopback at the port it reports', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });
});
