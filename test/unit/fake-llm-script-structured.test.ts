import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatRequestSchema, type ChatRequest } from '../../common/chat.js';
import { parseFakeLlmScript } from '../../activities/llm/scripted/load-script.js';
import { ScriptEngine, type ScriptOutcome } from '../../activities/llm/scripted/script-engine.js';

// Structured output in scripts: `json` replies and rules routed by the requested output's name.

const schema = { type: 'object', properties: {} };

function ask(content: string, outputName?: string): ChatRequest {
  return ChatRequestSchema.parse({
    messages: [{ role: 'user', content }],
    ...(outputName !== undefined ? { responseFormat: { name: outputName, schema } } : {}),
  });
}

const inProcess = { model: 'scripted-test' } as const;

function answered(outcome: ScriptOutcome): Extract<ScriptOutcome, { kind: 'answer' }> {
  assert.equal(outcome.kind, 'answer', outcome.kind === 'exhausted' ? outcome.message : '');
  if (outcome.kind !== 'answer') throw new Error('unreachable');
  return outcome;
}

void describe('ScriptEngine structured output', () => {
  void it('sends a json reply as its JSON text, verbatim, with no placeholders filled', () => {
    const engine = new ScriptEngine({
      turns: [{ json: { steps: ['{{lastUserMessage}}', 2], done: null } }, { json: 'just a string' }],
    });
    const { reply } = answered(engine.respond(ask('plan it', 'plan'), inProcess));
    assert.equal(reply.text, '{"steps":["{{lastUserMessage}}",2],"done":null}');
    assert.equal(reply.finishReason, 'stop');
    assert.deepEqual(reply.toolCalls, []);
    assert.equal(answered(engine.respond(ask('again', 'plan'), inProcess)).reply.text, '"just a string"');
  });

  void it('routes by the requested output name, which a request without one never matches', () => {
    const engine = new ScriptEngine({
      rules: [
        { match: { responseFormat: '^plan$' }, reply: { json: { steps: [] } } },
        { match: { responseFormat: 'verdict' }, reply: { json: { pass: true } } },
        { match: {}, reply: { text: 'plain' } },
      ],
    });
    const say = (request: ChatRequest): string => answered(engine.respond(request, inProcess)).reply.text;
    assert.equal(say(ask('q', 'plan')), '{"steps":[]}');
    assert.equal(say(ask('q', 'final_VERDICT')), '{"pass":true}');
    assert.equal(say(ask('q', 'planner')), 'plain');
    assert.equal(say(ask('q')), 'plain');
  });

  void it('names the requested output when the script is exhausted', () => {
    const outcome = new ScriptEngine({}).respond(ask('q', 'plan'), inProcess);
    assert.ok(outcome.kind === 'exhausted');
    assert.match(outcome.message, /output "plan"/);
  });

  void it('counts the output schema as prompt, like tools', () => {
    const engine = new ScriptEngine({ turns: [{ text: 'a' }, { text: 'a' }] });
    const plain = answered(engine.respond(ask('q'), inProcess)).reply.usage.inputTokens;
    const structured = answered(engine.respond(ask('q', 'plan'), inProcess)).reply.usage.inputTokens;
    assert.ok(structured > plain, `${structured} > ${plain}`);
  });

  void it('rejects a reply with both text and json, and a responseFormat pattern that is not a regex', () => {
    assert.throws(
      () => parseFakeLlmScript({ turns: [{ text: 'a', json: {} }] }, 'test'),
      /turns\[0\]\.json: give either text or json, not both/,
    );
    assert.throws(
      () => parseFakeLlmScript({ rules: [{ match: { responseFormat: '[' }, reply: {} }] }, 'test'),
      /rules\[0\]\.match\.responseFormat/,
    );
  });
});
