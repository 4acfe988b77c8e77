import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const cacheDirectory = mkdtempSync(path.join(tmpdir(), 'llmos-cache-'));
after(() => rmSync(cacheDirectory, { recursive: true, force: true }));

const turns = [
  {
    toolCalls: [{ name: 'calculator', arguments: { expression: '12 * 7' } }],
    usage: { inputTokens: 1_000, outputTokens: 20 },
  },
  { text: 'It is {{lastToolResult}}.', usage: { inputTokens: 1_100, outputTokens: 10 } },
];

void describe('the response cache', () => {
  const testbed = useAgentTestbed({
    workerEnv: () => ({ LLMOS_CACHE: 'on', LLMOS_CACHE_FILE: path.join(cacheDirectory, 'cache.sqlite') }),
  });
  const run = (request: AgentRequest): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [request],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `cache-${crypto.randomUUID()}`,
    });

  void it('answers a repeated run at temperature 0 without a model call, and records what it saved', async () => {
    testbed.fake.setScript({ turns });
    const request: AgentRequest = {
      question: `What is 12 * 7? (${crypto.randomUUID()})`,
      model: 'openai:gpt-4o-mini',
    };
    const first = await run(request);
    assert.equal(first.answer, 'It is 84.');
    assert.equal(testbed.fake.requests.length, 2);
    assert.equal(first.totals.cacheHits, 0);
    assert.ok(first.totals.costUsd > 0);

    testbed.fake.setScript({ turns });
    const second = await run(request);
    assert.equal(second.answer, 'It is 84.');
    assert.equal(testbed.fake.requests.length, 2, 'the second run made no model call');
    assert.equal(second.totals.cacheHits, 2);
    assert.equal(second.totals.costUsd, 0);
    assert.ok(Math.abs(second.totals.cacheSavedUsd - first.totals.costUsd) < 1e-12);
    assert.equal(
      second.totals.usage.inputTokens,
      first.totals.usage.inputTokens,
      'usage as the cached answers reported it',
    );
    const models = second.trace.flatMap((step) => (step.kind === 'model' ? [step] : []));
    assert.ok(models.every((step) => step.costUsd === 0 && step.cacheHit !== undefined));
  });

  void it('is bypassed by requests sampled above temperature 0', async () => {
    testbed.fake.setScript({ turns: [...turns, ...turns] });
    const request: AgentRequest = {
      question: `What is 12 * 7? (${crypto.randomUUID()})`,
      model: 'openai:gpt-4o-mini',
      temperature: 0.7,
    };
    await run(request);
    const second = await run(request);
    assert.equal(testbed.fake.requests.length, 4, 'both runs reached the model');
    assert.equal(second.totals.cacheHits, 0);
  });
});

void describe('the semantic cache', () => {
  const testbed = useAgentTestbed({
    workerEnv: () => ({
      LLMOS_CACHE: 'on',
      LLMOS_CACHE_FILE: path.join(cacheDirectory, 'semantic.sqlite'),
      LLMOS_SEMANTIC_CACHE: 'on',
      // The fake server's embeddings: hashed words and word pairs, so a paraphrase sharing most
      // words is near (0.84 here) and another question far (0.44).
      LLMOS_SEMANTIC_CACHE_MODEL: 'openai:text-embedding-3-small',
      LLMOS_SEMANTIC_CACHE_THRESHOLD: '0.8',
    }),
  });
  const ask = (question: string): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [{ question, model: 'openai:gpt-4o-mini' } satisfies AgentRequest],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `semantic-cache-${crypto.randomUUID()}`,
    });
  const chatRequests = () => testbed.fake.requests.filter((request) => request.chatRequest !== null).length;

  void it('answers a paraphrase from the cache with its similarity, and another question from the model', async () => {
    const reply = {
      text: 'Hold the reset button for fifteen seconds.',
      usage: { inputTokens: 900, outputTokens: 12 },
    };
    testbed.fake.setScript({ turns: [reply] });
    const first = await ask('How do I reset the router to its factory settings?');
    assert.equal(first.answer, reply.text);
    assert.equal(chatRequests(), 1);

    const paraphrase = await ask('How do I reset my router to its factory settings?');
    assert.equal(paraphrase.answer, reply.text);
    assert.equal(chatRequests(), 1, 'the paraphrase made no model call');
    assert.equal(paraphrase.totals.cacheHits, 1);
    // What the first answer cost at gpt-4o-mini's catalog price ($0.15 and $0.60 a million tokens);
    // each run also paid for embedding its question.
    const answerCostUsd = (900 * 0.15 + 12 * 0.6) / 1e6;
    assert.ok(Math.abs(paraphrase.totals.cacheSavedUsd - answerCostUsd) < 1e-12);
    assert.ok(first.totals.costUsd > answerCostUsd);
    assert.ok(paraphrase.totals.costUsd > 0 && paraphrase.totals.costUsd < 1e-5, 'only the embedding');
    const [step] = paraphrase.trace.flatMap((entry) => (entry.kind === 'model' ? [entry] : []));
    assert.ok(step?.cacheHit?.similarity !== undefined, 'the similarity is recorded');
    assert.ok(
      step.cacheHit.similarity >= 0.8 && step.cacheHit.similarity < 1,
      String(step.cacheHit.similarity),
    );

    testbed.fake.setScript({ turns: [{ text: 'Open the admin page and choose Wi-Fi.' }] });
    const other = await ask('How do I change the Wi-Fi password of the router?');
    assert.equal(other.answer, 'Open the admin page and choose Wi-Fi.');
    assert.equal(chatRequests(), 2, 'a different question reached the model');
    assert.equal(other.totals.cacheHits, 0);
  });
});
