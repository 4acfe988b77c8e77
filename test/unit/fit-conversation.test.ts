import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitConversation } from '../../activities/conversation/fit-conversation.js';
import type { ChatMessage } from '../../common/chat.js';

/** A character a token, tool calls included: easy to reason about. */
const count = (message: ChatMessage) =>
  message.content.length + (message.role === 'assistant' ? JSON.stringify(message.toolCalls).length : 0);
const cut = ' [... cut to fit the context window]';

/** A conversation of `steps` tool steps, each result `size` characters long. */
function conversation(steps: number, size: number): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: 'You are an agent.' },
    { role: 'user', content: 'Read the pages.' },
  ];
  for (let step = 0; step < steps; step += 1) {
    messages.push({
      role: 'assistant',
      content: '',
      toolCalls: [{ id: `c${step}`, name: 'read', arguments: '{}' }],
    });
    messages.push({
      role: 'tool',
      toolCallId: `c${step}`,
      toolName: 'read',
      content: `${step}`.repeat(size),
      isError: false,
    });
  }
  return messages;
}
const total = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + count(message), 0);

void describe('fitConversation', () => {
  void it('cuts the results of earlier steps first, oldest first, and keeps the latest whole', () => {
    const messages = conversation(3, 2_000);
    const fitted = fitConversation(messages, total(messages) - 1_000, count)!;
    assert.equal(fitted.cutResults, 1);
    assert.equal(fitted.droppedSteps, 0);
    const results = fitted.messages.filter((message) => message.role === 'tool');
    assert.equal(results[0]!.content, `${'0'.repeat(500)}${cut}`);
    assert.equal(results[1]!.content, '1'.repeat(2_000));
    assert.equal(results[2]!.content, '2'.repeat(2_000));
    assert.equal(fitted.tokens, total(fitted.messages));
  });

  void it('then leaves out whole earlier steps, says how many, and keeps every call with its result', () => {
    const messages = conversation(10, 2_000);
    const budget = 3_000;
    const fitted = fitConversation(messages, budget, count)!;
    assert.ok(fitted.tokens <= budget && fitted.tokens === total(fitted.messages));
    assert.ok(fitted.droppedSteps > 0);
    const question = fitted.messages[1]!;
    assert.equal(
      question.content,
      `Read the pages.\n\n[${fitted.droppedSteps} earlier steps were left out to fit the context window]`,
    );
    assert.equal(fitted.messages.at(-1)!.content, '9'.repeat(2_000), 'the latest step is whole');
    const calls = fitted.messages.flatMap((message) =>
      message.role === 'assistant' ? message.toolCalls : [],
    );
    const results = fitted.messages.flatMap((message) =>
      message.role === 'tool' ? [message.toolCallId] : [],
    );
    assert.deepEqual(
      calls.map((call) => call.id),
      results,
    );
    assert.equal(calls.length, 10 - fitted.droppedSteps);

    // Fitted again later, the note counts every step left out so far.
    const longer = [
      ...fitted.messages,
      ...conversation(4, 2_000)
        .slice(2)
        .map((message) => message),
    ];
    const again = fitConversation(longer, budget, count)!;
    assert.match(
      again.messages[1]!.content,
      new RegExp(
        `^Read the pages\\.\\n\\n\\[${fitted.droppedSteps + again.droppedSteps} earlier steps were left out`,
      ),
    );
    assert.equal(again.messages[1]!.content.match(/left out/g)?.length, 1);
  });

  void it('cuts the latest results only when nothing earlier is left to cut or leave out', () => {
    const messages = conversation(1, 5_000);
    const fitted = fitConversation(messages, 1_000, count)!;
    assert.equal(fitted.messages.at(-1)!.content, `${'0'.repeat(500)}${cut}`);
    assert.equal(fitted.droppedSteps, 0);
  });

  void it('gives up when the question alone is over the budget', () => {
    assert.equal(fitConversation(conversation(2, 2_000), 10, count), undefined);
  });
});
