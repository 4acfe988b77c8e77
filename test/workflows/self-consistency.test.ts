import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SelfConsistencyRequest, SelfConsistencyResult } from '../../common/self-consistency.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

const question = 'How many legs do 3 spiders and 2 ants have together?';

void describe('selfConsistencyWorkflow', () => {
  const testbed = useAgentTestbed();

  const run = (request: Partial<SelfConsistencyRequest>): Promise<SelfConsistencyResult> =>
    testbed.temporal.env.client.workflow.execute('selfConsistencyWorkflow', {
      args: [
        {
          run: {
            workflow: 'react',
            request: { question, model: 'openai:gpt-4o-mini', tools: [], retry: quickRetry },
          },
          answerKind: 'number',
          ...request,
        },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `sc-${crypto.randomUUID()}`,
    });

  void it('samples in parallel at the temperature, votes by majority and reports the agreement', async () => {
    testbed.fake.setScript({
      rules: [
        {
          match: {},
          reply: {
            text: 'Spiders have 8 legs, ants 6.\nAnswer: 36',
            usage: { inputTokens: 50, outputTokens: 10 },
          },
          times: 3,
        },
        { match: {}, reply: { text: 'Answer: 30 legs', usage: { inputTokens: 50, outputTokens: 10 } } },
      ],
    });
    const result = await run({ samples: 5, temperature: 0.9 });

    assert.equal(result.stopReason, 'answer');
    assert.equal(result.normalized, '36');
    assert.equal(result.consistency, 0.6);
    assert.equal(result.weighted, false);
    assert.deepEqual(
      result.tally.map(({ normalized, count }) => ({ normalized, count })),
      [
        { normalized: '36', count: 3 },
        { normalized: '30', count: 2 },
      ],
    );
    assert.equal(result.samples.length, 5);
    assert.equal(new Set(result.samples.map((sample) => sample.workflowId)).size, 5);
    assert.equal(result.totals.modelCalls, 5);
    assert.equal(result.totals.usage.inputTokens, 250);
    // Each sample went out at the requested temperature.
    assert.equal(testbed.fake.requests.length, 5);
    for (const request of testbed.fake.requests) assert.equal(request.chatRequest?.temperature, 0.9);
  });

  void it('weights the vote by stated confidence', async () => {
    testbed.fake.setScript({
      rules: [
        { match: {}, reply: { text: 'Answer: 30\nConfidence: 0.9' }, times: 2 },
        { match: {}, reply: { text: 'Answer: 36\nConfidence: 0.2' } },
      ],
    });
    const result = await run({ samples: 5 });

    assert.equal(result.weighted, true);
    assert.equal(result.normalized, '30', 'two confident samples outweigh three unsure ones');
    assert.equal(result.consistency, 0.4);
  });

  void it('counts a sample whose run fails as one without an answer', async () => {
    testbed.fake.setScript({
      rules: [
        { match: {}, reply: { text: 'Answer: 36' }, times: 2 },
        { match: {}, reply: { status: 401, errorMessage: 'invalid api key' } },
      ],
    });
    const result = await run({ samples: 3 });

    assert.equal(result.normalized, '36');
    assert.equal(result.consistency, 2 / 3);
    assert.deepEqual(result.samples.map((sample) => sample.stopReason).sort(), ['answer', 'answer', 'error']);
  });
});
