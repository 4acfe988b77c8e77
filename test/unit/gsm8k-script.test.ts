import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { calculator } from '../../activities/tools/calculator.js';
import { answersMatch, normalizeAnswer } from '../../common/answer-vote.js';
import { ChatRequestSchema, type ChatMessage, type ChatRequest } from '../../common/chat.js';
import { loadEvalDataset, type EvalItem } from '../../client/eval/dataset.js';
import { loadFakeLlmScript } from '../../activities/llm/scripted/load-script.js';
import { ScriptEngine, type ScriptOutcome } from '../../activities/llm/scripted/script-engine.js';

const examples = new URL('../../examples/', import.meta.url);
const sampleFile = fileURLToPath(new URL('datasets/gsm8k-sample.jsonl', examples));
const scriptFile = fileURLToPath(new URL('scripted/gsm8k-react.json', examples));
const context = { model: 'gsm8k-react' } as const;
const toolContext = {
  signal: new AbortController().signal,
  idempotencyKey: 'test/1',
  boundary: '0123456789ab',
  spend: () => {},
};

/** The two sample questions the script answers wrong on purpose (see examples/datasets/README.md). */
const deliberatelyWrong = new Map([
  ['3', '195000'],
  ['7', '12'],
]);

const system: ChatMessage = { role: 'system', content: 'You are a careful assistant.' };
const request = (...messages: ChatMessage[]): ChatRequest => ChatRequestSchema.parse({ messages });

function answered(outcome: ScriptOutcome): Extract<ScriptOutcome, { kind: 'answer' }> {
  assert.equal(outcome.kind, 'answer', outcome.kind === 'exhausted' ? outcome.message : '');
  if (outcome.kind !== 'answer') throw new Error('unreachable');
  return outcome;
}

/** What a ReAct agent would do with the script: the first call, the calculator, the second call. */
async function runAgent(engine: ScriptEngine, question: string) {
  const user: ChatMessage = { role: 'user', content: question };
  const first = answered(engine.respond(request(system, user), context));
  assert.equal(first.reply.toolCalls.length, 1, question);
  const call = first.reply.toolCalls[0]!;
  assert.equal(call.name, 'calculator');
  const input = calculator.inputSchema.parse(JSON.parse(call.arguments));
  const result = await calculator.execute(input, toolContext);
  const toolResult: ChatMessage = {
    role: 'tool',
    toolCallId: call.id,
    toolName: call.name,
    content: result,
    isError: false,
  };
  const assistant: ChatMessage = { role: 'assistant', content: '', toolCalls: [call] };
  const second = answered(engine.respond(request(system, user, assistant, toolResult), context));
  return { expression: input.expression, result, answer: second.reply };
}

void describe('the GSM8K sample and its scripted ReAct model', () => {
  let items: EvalItem[] = [];
  let engine: ScriptEngine;
  before(async () => {
    items = (await loadEvalDataset(sampleFile)).items;
    engine = new ScriptEngine(await loadFakeLlmScript(scriptFile));
  });

  void it('lists every sample row in the README with its GSM8K line and expected answer', async () => {
    const readme = await readFile(fileURLToPath(new URL('datasets/README.md', examples)), 'utf8');
    const table = [...readme.matchAll(/^\| (\d+) +\| (\d+) +\| [^|]+\| (\d+) +\|$/gm)];
    assert.deepEqual(
      table.map((match) => Number(match[2])),
      [1, 2, 3, 4, 5, 7, 13, 14, 16, 17, 18, 19],
    );
    assert.deepEqual(
      table.map((match) => [match[1], match[3]]),
      items.map((item) => [item.id, item.expected]),
    );
  });

  void it('answers each question with one calculator call, right for 10 of 12', async () => {
    let correct = 0;
    for (const item of items) {
      const { expression, result, answer } = await runAgent(engine, item.question);
      const value = normalizeAnswer(result, 'number');
      const wrongAs = deliberatelyWrong.get(item.id);
      if (wrongAs === undefined) {
        assert.equal(value, item.expected, `item ${item.id}: ${expression} = ${result}`);
        correct += 1;
      } else {
        assert.equal(value, wrongAs, `item ${item.id}: ${expression} = ${result}`);
        assert.notEqual(value, item.expected);
      }
      assert.equal(answer.toolCalls.length, 0);
      assert.equal(answer.text, `The answer is ${result}.\nAnswer: ${result}`);
      assert.equal(answersMatch(answer.text, item.expected, 'number'), wrongAs === undefined, item.id);
    }
    assert.equal(correct, 10);
  });

  void it('gets the wrong house-flip answer exactly, in plain digits, and reads it as a number', async () => {
    const house = items.find((item) => item.id === '3')!;
    const { result, answer } = await runAgent(engine, house.question);
    assert.equal(result, '195000');
    assert.equal(normalizeAnswer(answer.text, 'number'), '195000');
  });

  void it('matches the question inside a longer prompt, and says when it does not know one', () => {
    const wrapped = `Solve this problem.\n\nQuestion: ${items[11]!.question}\nEnd with "Answer: <number>".`;
    const call = answered(engine.respond(request({ role: 'user', content: wrapped }), context));
    assert.match(call.reply.toolCalls[0]?.arguments ?? '', /3 \* 7 \* 4 \/ 12/);
    const unknown = answered(engine.respond(request({ role: 'user', content: 'What is 2 + 2?' }), context));
    assert.equal(unknown.reply.toolCalls.length, 0);
    assert.equal(normalizeAnswer(unknown.reply.text, 'number'), null);
  });
});
