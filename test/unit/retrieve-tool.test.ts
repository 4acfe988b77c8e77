import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  RetrieveKnowledgeInput,
  RetrievedKnowledge,
} from '../../activities/knowledge/knowledge-activities.js';
import { countTokens } from '../../activities/prompts/count-tokens.js';
import { loadPromptLibrary } from '../../activities/prompts/prompt-library.js';
import { createRetrieveTool } from '../../activities/tools/retrieve.js';
import type { ToolContext } from '../../activities/tools/tool.js';
import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import type { RunTotals } from '../../common/run-contract.js';
import { promptDirectories } from '../../workers/config.js';

const [builtInDirectory] = promptDirectories({ LLMOS_PROMPTS_DIRECTORIES: [] });
const prompts = loadPromptLibrary([builtInDirectory!]);

/** Eight passages of about 120 tokens, best first. */
const chunks = Array.from({ length: 8 }, (_, index) => ({
  id: `guide.md#${index}`,
  documentId: 'guide.md',
  index,
  start: index * 1_000,
  end: index * 1_000 + 900,
  text: `Passage ${index}: ${Array.from({ length: 100 }, (_, word) => `fact${index}x${word}`).join(' ')}`,
  metadata: {},
  score: 1 / (index + 1),
  ranks: {},
}));
const found: RetrievedKnowledge = { chunks, inputTokens: 7, costUsd: 0.000001, calls: 1 };

const reply = (content: string): ChatResponse => ({
  message: { role: 'assistant', content, toolCalls: [] },
  finishReason: 'stop',
  usage: { inputTokens: 500, outputTokens: 60, cachedInputTokens: 0, reasoningTokens: 0 },
  responseModel: 'test',
});

function contextWith(callModel?: (request: ChatRequest) => Promise<ChatResponse>) {
  const spent: RunTotals[] = [];
  const context: ToolContext = {
    signal: new AbortController().signal,
    idempotencyKey: 'test/1',
    boundary: '0123456789ab',
    spend: (totals) => spent.push(totals),
    callModel,
  };
  return { context, spent };
}

const tool = createRetrieveTool({
  retrieve: (input: RetrieveKnowledgeInput) =>
    Promise.resolve({ ...found, chunks: found.chunks.slice(0, input.limit) }),
  prompts,
});
const args = (extra: Record<string, unknown>) =>
  tool.inputSchema.parse({ base: 'help', query: 'what are the facts?', limit: 8, maxTokens: 600, ...extra });

void describe('the retrieve tool', () => {
  void it('keeps the best passages within the budget, says what it left out, and reports its embedding', async () => {
    const { context, spent } = contextWith();
    const result = await tool.execute(args({}), context);
    assert.ok(countTokens(result) <= 600, `${countTokens(result)} tokens`);
    assert.match(result, /^\[guide\.md#0\]/);
    assert.match(result, /\((\d) more passages left out: over the 600-token budget\)$/);
    assert.deepEqual(spent, [
      {
        usage: { inputTokens: 7, outputTokens: 0, cachedInputTokens: 0, reasoningTokens: 0 },
        totalTokens: 7,
        costUsd: 0.000001,
        costComplete: true,
        modelCalls: 1,
        toolCalls: 0,
        cacheHits: 0,
        cacheSavedUsd: 0,
      },
    ]);
  });

  void it('summarises what did not fit through the run model, into the room left, when asked', async () => {
    const requests: ChatRequest[] = [];
    const { context } = contextWith((request) => {
      requests.push(request);
      return Promise.resolve(reply('Passages five to seven list more facts [guide.md#5] [guide.md#7].'));
    });
    const result = await tool.execute(args({ summarizeOverflow: true }), context);
    assert.ok(countTokens(result) <= 600, `${countTokens(result)} tokens`);
    const [request] = requests;
    assert.equal(request?.temperature, 0);
    const kept = (result.match(/^\[guide\.md#\d\]$/gm) ?? []).length;
    const left = chunks.slice(kept).map((chunk) => chunk.id);
    assert.ok(left.length > 0);
    // Only the passages left out reach the summary, spotlighted, and the answer fits the room.
    const task = request.messages.at(-1)!.content;
    for (const id of left) assert.ok(task.includes(`[${id}]`), id);
    assert.ok(!task.includes('[guide.md#0]'));
    assert.match(task, /<untrusted-0123456789ab source="guide.md#\d">/);
    assert.ok(request.maxOutputTokens! < 600 && request.maxOutputTokens! >= 40);
    assert.ok(result.includes(`[summary of ${left.join(', ')}]`));
    assert.ok(result.includes('Passages five to seven list more facts'));
    assert.ok(!result.includes('left out'));
  });

  void it('cuts a summary longer than the room, and leaves the passages out when the reply is empty', async () => {
    const long = contextWith(() => Promise.resolve(reply('word '.repeat(2_000))));
    const cut = await tool.execute(args({ summarizeOverflow: true }), long.context);
    assert.ok(countTokens(cut) <= 600, `${countTokens(cut)} tokens`);

    const empty = contextWith(() => Promise.resolve(reply('   ')));
    const none = await tool.execute(args({ summarizeOverflow: true }), empty.context);
    assert.match(none, /more passages left out: over the 600-token budget\)$/);

    const noModel = contextWith();
    const unsummarised = await tool.execute(args({ summarizeOverflow: true }), noModel.context);
    assert.match(unsummarised, /left out: over the 600-token budget; no model here to summarise them\)$/);
  });
});

void describe('re-ranking by the run model', () => {
  void it('rates three times the candidates and keeps the best it rated, in its order', async () => {
    const asked: RetrieveKnowledgeInput[] = [];
    const requests: ChatRequest[] = [];
    const reranking = createRetrieveTool({
      retrieve: (input) => {
        asked.push(input);
        return Promise.resolve({ ...found, chunks: found.chunks.slice(0, input.limit) });
      },
      prompts,
    });
    const { context } = contextWith((request) => {
      requests.push(request);
      // Passage 6 answers best, then 4; the rest are rated low.
      return Promise.resolve(
        reply(
          JSON.stringify({
            ratings: [
              { passage: 1, relevance: 2 },
              { passage: 4, relevance: 8 },
              { passage: 6, relevance: 9 },
              { passage: 2, relevance: 1 },
            ],
          }),
        ),
      );
    });
    const result = await reranking.execute(
      reranking.inputSchema.parse({ base: 'help', query: 'facts', limit: 2, rerank: true, maxTokens: 2_000 }),
      context,
    );
    assert.equal(asked[0]?.limit, 6);
    assert.deepEqual(result.match(/^\[guide\.md#\d\]$/gm), ['[guide.md#5]', '[guide.md#3]']);
    assert.ok(requests[0]?.responseFormat, 'the ratings are asked for as structured output');
    assert.match(
      requests[0].messages.at(-1)!.content,
      /^Search: facts\n\nPassages:\n1\. \[guide\.md#0\]\n<untrusted-/,
    );
  });

  void it('keeps the search order when the reply is no rating, and searches as asked with no model', async () => {
    const garbled = contextWith(() => Promise.resolve(reply('The sixth one, I think.')));
    const kept = await tool.execute(args({ limit: 2, rerank: true, maxTokens: 2_000 }), garbled.context);
    assert.deepEqual(kept.match(/^\[guide\.md#\d\]$/gm), ['[guide.md#0]', '[guide.md#1]']);

    const noModel = contextWith();
    const plain = await tool.execute(args({ limit: 2, rerank: true, maxTokens: 2_000 }), noModel.context);
    assert.deepEqual(plain.match(/^\[guide\.md#\d\]$/gm), ['[guide.md#0]', '[guide.md#1]']);
  });
});
