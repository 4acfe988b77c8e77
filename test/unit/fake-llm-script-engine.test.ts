import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ChatRequestSchema, type ChatMessage, type ChatRequest } from '../../common/chat.js';
import { loadFakeLlmScript } from '../../activities/llm/scripted/load-script.js';
import { ScriptEngine, type ScriptOutcome } from '../../activities/llm/scripted/script-engine.js';

function chat(...messages: ChatMessage[]): ChatRequest {
  return ChatRequestSchema.parse({ messages });
}
const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistantCall = (id: string, name: string, args: string): ChatMessage => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id, name, arguments: args }],
});
const toolResult = (toolCallId: string, content: string): ChatMessage => ({
  role: 'tool',
  toolCallId,
  toolName: 'calculator',
  content,
  isError: false,
});
const openai = { model: 'gpt-test', protocol: 'openai' } as const;

function answered(outcome: ScriptOutcome): Extract<ScriptOutcome, { kind: 'answer' }> {
  assert.equal(outcome.kind, 'answer', outcome.kind === 'exhausted' ? outcome.message : '');
  if (outcome.kind !== 'answer') throw new Error('unreachable');
  return outcome;
}

void describe('ScriptEngine selection', () => {
  void it('lets a matching rule answer before the ordered turns, which are then used in order', () => {
    const engine = new ScriptEngine({
      rules: [{ match: { lastUserMessage: 'weather' }, reply: { text: 'sunny' } }],
      turns: [{ text: 'first' }, { text: 'second' }],
    });
    assert.equal(answered(engine.respond(chat(user('hello')), openai)).reply.text, 'first');
    const ruleAnswer = answered(engine.respond(chat(user('What is the WEATHER?')), openai));
    assert.equal(ruleAnswer.reply.text, 'sunny');
    assert.equal(ruleAnswer.answeredBy, 'rule 0');
    const turnAnswer = answered(engine.respond(chat(user('hello again')), openai));
    assert.equal(turnAnswer.reply.text, 'second');
    assert.equal(turnAnswer.answeredBy, 'turn 1');
  });

  void it('stops using a rule once its times are used up', () => {
    const engine = new ScriptEngine({
      rules: [{ match: {}, reply: { text: 'limited' }, times: 2 }],
      turns: [{ text: 'turn' }],
    });
    const texts = [1, 2, 3].map(() => answered(engine.respond(chat(user('x')), openai)).reply.text);
    assert.deepEqual(texts, ['limited', 'limited', 'turn']);
  });

  void it('matches step as the number of assistant messages already in the request', () => {
    const engine = new ScriptEngine({
      rules: [
        { match: { step: 1 }, reply: { text: 'step one' } },
        { match: { step: 0 }, reply: { text: 'step zero' } },
      ],
    });
    const first = answered(engine.respond(chat(user('q')), openai));
    assert.equal(first.reply.text, 'step zero');
    assert.equal(first.step, 0);
    const second = answered(
      engine.respond(chat(user('q'), assistantCall('c1', 'calculator', '{}'), toolResult('c1', '4')), openai),
    );
    assert.equal(second.reply.text, 'step one');
    assert.equal(second.step, 1);
  });

  void it('requires a tool result for lastToolResult, and matches model and protocol exactly', () => {
    const engine = new ScriptEngine({
      rules: [
        { match: { lastToolResult: '' }, reply: { text: 'saw a tool result' } },
        { match: { model: 'other-model' }, reply: { text: 'other model' } },
        { match: { protocol: 'anthropic' }, reply: { text: 'anthropic' } },
        { match: {}, reply: { text: 'fallback' } },
      ],
    });
    const say = (
      request: ChatRequest,
      context: { model: string; protocol?: 'openai' | 'anthropic' },
    ): string => answered(engine.respond(request, context)).reply.text;
    assert.equal(say(chat(user('q')), openai), 'fallback');
    assert.equal(
      say(chat(user('q'), assistantCall('c', 'calculator', '{}'), toolResult('c', '')), openai),
      'saw a tool result',
    );
    assert.equal(say(chat(user('q')), { model: 'other-model', protocol: 'openai' }), 'other model');
    assert.equal(say(chat(user('q')), { model: 'gpt-test', protocol: 'anthropic' }), 'anthropic');
    // In-process use has no protocol, so a protocol rule never matches.
    assert.equal(say(chat(user('q')), { model: 'gpt-test' }), 'fallback');
  });

  void it('fails loudly when the script is exhausted, naming the request and the last user message', () => {
    const engine = new ScriptEngine({ turns: [{ text: 'only' }] });
    answered(engine.respond(chat(user('first question')), openai));
    const outcome = engine.respond(chat(user('second question')), openai);
    assert.equal(outcome.kind, 'exhausted');
    assert.equal(outcome.answeredBy, 'exhausted');
    assert.equal(outcome.requestNumber, 2);
    assert.ok(outcome.kind === 'exhausted');
    assert.match(outcome.message, /script exhausted/);
    assert.match(outcome.message, /request #2/);
    assert.match(outcome.message, /"second question"/);
  });

  void it('starts again from the first turn and restores rule uses after reset()', () => {
    const engine = new ScriptEngine({
      rules: [{ match: {}, reply: { text: 'rule' }, times: 1 }],
      turns: [{ text: 'turn' }],
    });
    engine.respond(chat(user('a')), openai);
    engine.respond(chat(user('b')), openai);
    assert.equal(engine.respond(chat(user('c')), openai).kind, 'exhausted');
    engine.reset();
    assert.equal(answered(engine.respond(chat(user('d')), openai)).reply.text, 'rule');
    assert.equal(answered(engine.respond(chat(user('e')), openai)).requestNumber, 2);
  });

  void it('rejects a pattern that is not a regular expression, naming where it is', () => {
    assert.throws(
      () => new ScriptEngine({ rules: [{ match: { lastUserMessage: '(' }, reply: {} }] }),
      /rules\[0\]\.match\.lastUserMessage/,
    );
  });
});

void describe('ScriptEngine replies', () => {
  void it('substitutes {{lastToolResult}} and {{lastUserMessage}} in the text', () => {
    const engine = new ScriptEngine({
      turns: [{ text: 'You asked "{{lastUserMessage}}"; the tool said {{lastToolResult}}.' }],
    });
    const outcome = answered(
      engine.respond(
        chat(user('what is 2+2'), assistantCall('c', 'calculator', '{}'), toolResult('c', '4')),
        openai,
      ),
    );
    assert.equal(outcome.reply.text, 'You asked "what is 2+2"; the tool said 4.');
  });

  void it('gives tool calls deterministic ids, object arguments as JSON and string arguments verbatim', () => {
    const engine = new ScriptEngine({
      turns: [
        {
          toolCalls: [
            { name: 'calculator', arguments: { expression: '1 + 1' } },
            { name: 'lookup', arguments: '{not json' },
          ],
        },
      ],
    });
    const { reply } = answered(engine.respond(chat(user('q')), openai));
    assert.deepEqual(reply.toolCalls, [
      { id: 'call_0_0', name: 'calculator', arguments: '{"expression":"1 + 1"}' },
      { id: 'call_0_1', name: 'lookup', arguments: '{not json' },
    ]);
    assert.equal(reply.finishReason, 'tool_calls');
    assert.equal(reply.text, '');
  });

  void it('estimates usage as ceil(characters / 4), with at least one output token, unless the script gives it', () => {
    const engine = new ScriptEngine({
      turns: [
        { text: 'abcde' },
        { text: '' },
        { text: 'x', usage: { inputTokens: 1000, cachedInputTokens: 800 } },
      ],
    });
    // 9 prompt characters -> 3 tokens; 5 output characters -> 2 tokens.
    const first = answered(engine.respond(chat(user('123456789')), openai)).reply;
    assert.deepEqual(first.usage, {
      inputTokens: 3,
      outputTokens: 2,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    assert.equal(first.finishReason, 'stop');
    assert.equal(answered(engine.respond(chat(user('123456789')), openai)).reply.usage.outputTokens, 1);
    const scripted = answered(engine.respond(chat(user('123456789')), openai)).reply.usage;
    assert.deepEqual(scripted, {
      inputTokens: 1000,
      outputTokens: 1,
      cachedInputTokens: 800,
      reasoningTokens: 0,
    });
  });

  void it('returns the fault fields of the chosen reply, and none for a plain reply', () => {
    const engine = new ScriptEngine({
      turns: [{ status: 429, retryAfterSeconds: 2, text: 'unused' }, { text: 'ok' }],
    });
    assert.deepEqual(answered(engine.respond(chat(user('q')), openai)).fault, {
      status: 429,
      retryAfterSeconds: 2,
    });
    assert.deepEqual(answered(engine.respond(chat(user('q')), openai)).fault, {});
  });
});

void describe('loadFakeLlmScript', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fake-llm-script-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('names the file and the path of every problem in an invalid script', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(
      file,
      JSON.stringify({
        turns: [{ text: 'a' }, { text: 'b' }, { toolCalls: [{ name: '' }] }],
        rules: [{ reply: { delayMs: -1 } }],
      }),
    );
    await assert.rejects(loadFakeLlmScript(file), (error: Error) => {
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, /turns\[2\]\.toolCalls\[0\]\.name: /);
      assert.match(error.message, /rules\[0\]\.reply\.delayMs: /);
      return true;
    });
  });

  void it('names the file when it is not JSON or does not exist', async () => {
    const file = join(dir, 'not-json.json');
    await writeFile(file, '{ turns: [');
    await assert.rejects(
      loadFakeLlmScript(file),
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`),
    );
    await assert.rejects(
      loadFakeLlmScript(join(dir, 'missing.json')),
      /Cannot read fake-llm script .*missing\.json/,
    );
  });

  void it('loads a valid script with defaults applied', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify({ turns: [{ text: 'hi' }] }));
    assert.deepEqual(await loadFakeLlmScript(file), { rules: [], turns: [{ text: 'hi', toolCalls: [] }] });
  });

  void it('loads the demo agent script, which answers the demo question with a calculator call and then the result', async () => {
    const script = await loadFakeLlmScript(
      fileURLToPath(new URL('../../examples/scripted/demo-agent.json', import.meta.url)),
    );
    const engine = new ScriptEngine(script);
    const question = 'What is 17.5% of 2,340, plus the square root of 144?';
    const call = answered(engine.respond(chat(user(question)), openai)).reply;
    assert.deepEqual(call.toolCalls, [
      { id: 'call_0_0', name: 'calculator', arguments: '{"expression":"0.175 * 2340 + sqrt(144)"}' },
    ]);
    const final = answered(
      engine.respond(
        chat(
          user(question),
          assistantCall('call_0_0', 'calculator', call.toolCalls[0]!.arguments),
          toolResult('call_0_0', '421.5'),
        ),
        openai,
      ),
    ).reply;
    assert.equal(final.toolCalls.length, 0);
    assert.match(final.text, /421\.5/);
    const other = answered(engine.respond(chat(user('Tell me a joke')), openai)).reply;
    assert.equal(other.toolCalls.length, 0);
    assert.match(other.text, /scripted demo model/i);
  });
});
