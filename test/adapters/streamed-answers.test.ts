import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatRequestSchema } from '../../common/chat.js';
import { AnthropicChatModel } from '../../activities/llm/anthropic-chat-model.js';
import type { ChatModel } from '../../activities/llm/chat-model.js';
import { OpenAiChatModel } from '../../activities/llm/openai-chat-model.js';
import { ScriptedChatModel } from '../../activities/llm/scripted/scripted-chat-model.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { plan, planRequest } from './structured-output-request.js';

// The real OpenAI and Anthropic SDKs, streaming over real HTTP from the fake server (which sends
// each protocol's own events), and the in-process scripted model: the same answer streamed or whole.

const question = ChatRequestSchema.parse({
  messages: [{ role: 'user', content: 'Why does my router restart at night?' }],
  tools: [{ name: 'calculator', description: 'Adds.', parameters: { type: 'object', properties: {} } }],
});
const answer = 'It installs updates at 03:00; you can move the hour under Settings, Updates.';

let server: FakeLlmServer;
before(async () => {
  server = await startFakeLlmServer({ script: {} });
});
after(() => server.close());

const models: Record<string, (script: FakeLlmScript) => ChatModel> = {
  openai: (script) => {
    server.setScript(script);
    return new OpenAiChatModel({
      provider: 'openai',
      model: 'gpt-4o-mini',
      apiKey: 'k',
      baseURL: `${server.url}/v1`,
    });
  },
  anthropic: (script) => {
    server.setScript(script);
    return new AnthropicChatModel({ model: 'claude-haiku-4-5', apiKey: 'k', baseURL: server.url });
  },
  scripted: (script) => new ScriptedChatModel('demo', script),
};

void describe('streamed answers: text as it is written, the answer whole at the end', () => {
  for (const [name, modelFor] of Object.entries(models)) {
    void it(`${name}: passes the text in pieces and returns what a whole request returns`, async () => {
      const script = { turns: [{ text: answer, usage: { inputTokens: 30, outputTokens: 18 } }] };
      const whole = await modelFor(script).generate(question);
      const pieces: string[] = [];
      const streamed = await modelFor(script).generate(question, { onText: (text) => pieces.push(text) });
      assert.deepEqual(streamed, whole);
      assert.equal(streamed.usage.outputTokens, 18, 'usage arrives with the stream');
      assert.ok(pieces.length > 5, `in pieces: ${pieces.length}`);
      assert.equal(pieces.join(''), answer);
    });

    void it(`${name}: streams a tool call back whole, with no text pieces`, async () => {
      const script = { turns: [{ toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] }] };
      const pieces: string[] = [];
      const response = await modelFor(script).generate(question, { onText: (text) => pieces.push(text) });
      assert.equal(response.finishReason, 'tool_calls');
      assert.equal(response.message.toolCalls[0]!.name, 'calculator');
      assert.deepEqual(JSON.parse(response.message.toolCalls[0]!.arguments), { expression: '6 * 7' });
      assert.deepEqual(pieces, []);
    });

    void it(`${name}: fails when the stream breaks off, after the pieces that came`, async () => {
      const script = { turns: [{ text: answer, truncated: true }] };
      const pieces: string[] = [];
      await assert.rejects(modelFor(script).generate(question, { onText: (text) => pieces.push(text) }));
      assert.ok(pieces.length > 0 && answer.startsWith(pieces.join('')) && pieces.join('') !== answer);
    });

    void it(`${name}: does not stream structured output`, async () => {
      const pieces: string[] = [];
      const response = await modelFor({ turns: [{ json: plan }] }).generate(planRequest, {
        onText: (text) => pieces.push(text),
      });
      assert.deepEqual(JSON.parse(response.message.content), plan);
      assert.deepEqual(pieces, []);
    });
  }
});
