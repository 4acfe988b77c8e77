import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../common/chat.js';
import { compactConversation } from '../../common/compact-conversation.js';
import { shortenForTrace } from '../../workflows/lib/trace-text.js';

const long = (character: string, length: number) => character.repeat(length);
const toolResult = (id: string, content: string): ChatMessage => ({
  role: 'tool',
  toolCallId: id,
  toolName: 'http_get',
  content,
  isError: false,
});
const callTool = (id: string): ChatMessage => ({
  role: 'assistant',
  content: '',
  toolCalls: [{ id, name: 'http_get', arguments: '{}' }],
});
const head: ChatMessage[] = [
  { role: 'system', content: long('s', 3_000) },
  { role: 'user', content: long('u', 3_000) },
];
const total = (messages: readonly ChatMessage[]) =>
  messages.reduce((sum, message) => sum + message.content.length, 0);

void describe('shortenForTrace', () => {
  void it('keeps text of up to 2000 characters as it is', () => {
    assert.equal(shortenForTrace(''), '');
    assert.equal(shortenForTrace(long('a', 2_000)), long('a', 2_000));
  });

  void it('cuts longer text to 2000 characters and says how much was cut', () => {
    const shortened = shortenForTrace(`${long('a', 2_000)}${long('b', 500)}`);
    assert.equal(shortened, `${long('a', 2_000)} [... 500 more characters]`);
  });
});

void describe('compactConversation', () => {
  void it('cuts older tool results and keeps the newest ones, system and user messages whole', () => {
    const messages = [
      ...head,
      callTool('a'),
      toolResult('a', long('x', 3_000)),
      callTool('b'),
      toolResult('b', long('y', 3_000)),
    ];
    const compacted = compactConversation(messages);
    assert.ok(compacted);
    assert.equal(compacted.length, messages.length);
    assert.deepEqual(compacted.slice(0, 3), messages.slice(0, 3));
    assert.equal(compacted[3]?.content, `${long('x', 500)} [... cut to fit the context window]`);
    assert.deepEqual(compacted[4], messages[4]);
    assert.deepEqual(compacted[5], messages[5]);
    // The cut message is still the same tool result.
    assert.deepEqual({ ...compacted[3], content: '' }, { ...messages[3], content: '' });
  });

  void it('cuts the newest tool results when nothing older is left to cut', () => {
    // One long page after the only assistant turn: the common case of a context overflow.
    const messages = [...head, callTool('a'), toolResult('a', long('x', 3_000))];
    const compacted = compactConversation(messages);
    assert.ok(compacted, 'a conversation whose only long part is the newest tool result can still be cut');
    assert.equal(compacted[3]?.content, `${long('x', 500)} [... cut to fit the context window]`);
    assert.ok(total(compacted) < total(messages));
  });

  void it('prefers cutting older results first, and the newest ones only on a later call', () => {
    const messages = [
      ...head,
      callTool('a'),
      toolResult('a', long('x', 3_000)),
      callTool('b'),
      toolResult('b', long('y', 3_000)),
    ];
    const once = compactConversation(messages);
    assert.ok(once);
    assert.equal(once[5]?.content.length, 3_000);
    const twice = compactConversation(once);
    assert.ok(twice);
    assert.equal(twice[5]?.content, `${long('y', 500)} [... cut to fit the context window]`);
    assert.deepEqual(twice[3], once[3]);
  });

  void it('returns undefined once nothing can be cut any more, so a retry loop ends', () => {
    const messages = [
      ...head,
      callTool('a'),
      toolResult('a', long('x', 3_000)),
      callTool('b'),
      toolResult('b', long('y', 3_000)),
    ];
    let current: ChatMessage[] = messages;
    let rounds = 0;
    for (let next = compactConversation(current); next; next = compactConversation(current)) {
      assert.ok(total(next) < total(current), 'every compaction makes the conversation shorter');
      current = next;
      rounds += 1;
      assert.ok(rounds <= 5, 'compaction must reach a fixed point');
    }
    assert.equal(rounds, 2);
  });

  void it('returns undefined when no tool result is longer than the limit', () => {
    assert.equal(compactConversation(head), undefined);
    assert.equal(compactConversation([...head, callTool('a'), toolResult('a', long('x', 500))]), undefined);
    // Cutting a result only a little over the limit would make it longer with the marker: left alone.
    assert.equal(compactConversation([...head, callTool('a'), toolResult('a', long('x', 520))]), undefined);
  });

  void it('takes the limit as a parameter and does not change its input', () => {
    const messages = [...head, callTool('a'), toolResult('a', long('x', 300)), callTool('b')];
    const copy = structuredClone(messages);
    const compacted = compactConversation(messages, 100);
    assert.equal(compacted?.[3]?.content, `${long('x', 100)} [... cut to fit the context window]`);
    assert.deepEqual(messages, copy);
  });
});
