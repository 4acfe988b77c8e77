import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqliteSemanticCache } from '../../activities/llm/response-cache/semantic-cache.js';
import { semanticLookup } from '../../activities/llm/response-cache/semantic-key.js';
import { ChatRequestSchema, type ChatRequest, type ChatResponse } from '../../common/chat.js';

const request = (fields: Record<string, unknown>): ChatRequest => ChatRequestSchema.parse(fields);
const question = (text: string, extra: Record<string, unknown> = {}) =>
  request({
    messages: [
      { role: 'system', content: 'You answer from the help centre.' },
      { role: 'user', content: text },
    ],
    temperature: 0,
    ...extra,
  });
const embedding = 'local:all-minilm-l6-v2';
const answer = (text: string): ChatResponse => ({
  message: { role: 'assistant', content: text, toolCalls: [] },
  finishReason: 'stop',
  usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, reasoningTokens: 0 },
  responseModel: 'gpt-4o-mini-2024-07-18',
});

void describe('semanticLookup', () => {
  void it('keys two questions asked in the same context alike, and gives each its question', () => {
    const first = semanticLookup('openai:gpt-4o-mini', embedding, question('How do I reset the router?'));
    const second = semanticLookup('openai:gpt-4o-mini', embedding, question('  Resetting my router?  '));
    assert.ok(first && second);
    assert.equal(first.contextKey, second.contextKey);
    assert.equal(first.question, 'How do I reset the router?');
    assert.equal(second.question, 'Resetting my router?');
  });

  void it('keys apart another model, embedding model, system prompt, tool set or output format', () => {
    const base = semanticLookup('openai:gpt-4o-mini', embedding, question('Q?'))!.contextKey;
    const others = [
      semanticLookup('openai:gpt-4o', embedding, question('Q?')),
      semanticLookup('openai:gpt-4o-mini', 'openai:text-embedding-3-small', question('Q?')),
      semanticLookup(
        'openai:gpt-4o-mini',
        embedding,
        request({
          messages: [
            { role: 'system', content: 'You answer in French.' },
            { role: 'user', content: 'Q?' },
          ],
          temperature: 0,
        }),
      ),
      semanticLookup(
        'openai:gpt-4o-mini',
        embedding,
        question('Q?', { tools: [{ name: 'calculator', description: 'Arithmetic.', parameters: {} }] }),
      ),
      semanticLookup(
        'openai:gpt-4o-mini',
        embedding,
        question('Q?', { responseFormat: { type: 'json_schema', name: 'plan', schema: { type: 'object' } } }),
      ),
    ];
    for (const other of others) assert.notEqual(other?.contextKey, base);
  });

  void it('looks only at one-question requests: a conversation under way is never matched by meaning', () => {
    const underWay = request({
      messages: [
        { role: 'user', content: 'What is 3% of 18,250?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'calculator', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'a', toolName: 'calculator', content: '547.5' },
        { role: 'user', content: 'And 4%?' },
      ],
    });
    assert.equal(semanticLookup('openai:gpt-4o-mini', embedding, underWay), undefined);
    assert.equal(
      semanticLookup(
        'openai:gpt-4o-mini',
        embedding,
        request({ messages: [{ role: 'system', content: 'Only a system prompt.' }] }),
      ),
      undefined,
    );
    assert.equal(semanticLookup('openai:gpt-4o-mini', embedding, question('   ')), undefined);
  });
});

void describe('SqliteSemanticCache', () => {
  const entry = (text: string) => ({ model: 'openai:gpt-4o-mini', response: answer(text), costUsd: 0.002 });

  void it('finds the nearest unexpired question of the same context, with its cosine similarity', async () => {
    let now = 1_000;
    const cache = new SqliteSemanticCache({ file: ':memory:', now: () => now });
    await cache.add('context-a', [1, 0, 0], entry('east'), { ttlMs: 500 });
    await cache.add('context-a', [0, 1, 0], entry('north'), { ttlMs: 5_000 });
    await cache.add('context-b', [0.9, 0.1, 0], entry('other context'), { ttlMs: 5_000 });

    const hit = await cache.nearest('context-a', [0.8, 0.6, 0]);
    assert.equal(hit?.entry.response.message.content, 'east');
    assert.ok(Math.abs(hit.similarity - 0.8) < 1e-6, String(hit.similarity));
    assert.equal(hit.entry.costUsd, 0.002);

    now = 2_000; // "east" has expired: the nearest left is "north"
    const later = await cache.nearest('context-a', [0.8, 0.6, 0]);
    assert.equal(later?.entry.response.message.content, 'north');
    assert.ok(Math.abs(later.similarity - 0.6) < 1e-6);
    assert.equal(await cache.nearest('context-c', [1, 0, 0]), undefined);
    assert.equal(cache.purgeExpired(), 1);
    await cache.close();
  });

  void it('reads an entry it cannot parse as a miss and deletes it', async () => {
    const cache = new SqliteSemanticCache({ file: ':memory:' });
    await cache.add('context', [1, 0], entry('fine'), { ttlMs: 60_000 });
    // An entry written by another version, no longer of the stored shape.
    (cache as unknown as { db: { exec(sql: string): void } }).db.exec(
      `UPDATE semantic_cache SET entry = '{"model":"x"}'`,
    );
    assert.equal(await cache.nearest('context', [1, 0]), undefined);
    assert.equal(await cache.nearest('context', [1, 0]), undefined);
    await cache.close();
  });
});
